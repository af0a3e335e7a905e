import type { JsonObject, JsonValue } from "./types.ts";

/** What `JSON.parse` gives a reviver as its third argument (ES2026 source text access). */
interface ReviverContext {
  /** The source text of a primitive value. */
  source?: string;
}

/** `JSON.parse` with the reviver's third argument, which the TypeScript libraries lack. */
const parse = JSON.parse as (
  text: string,
  reviver: (key: string, value: unknown, context: ReviverContext) => unknown,
) => JsonValue;

function isIntegerLiteral(source: string): boolean {
  for (let i = source.length - 1; i >= 0; i--) {
    const c = source.charCodeAt(i);
    // ".", "e" or "E"
    if (c === 0x2e || c === 0x65 || c === 0x45) return false;
  }
  return true;
}

function reviver(
  _key: string,
  value: unknown,
  context: ReviverContext,
): unknown {
  if (typeof value !== "number" || !Number.isInteger(value)) return value;
  const source = context.source!;
  return isIntegerLiteral(source) ? BigInt(source) : value;
}

/**
 * Parses JSON text into a {@linkcode JsonValue} that keeps integers and floats apart: a number
 * literal without `.`, `e` or `E` becomes a `bigint` of any size (`-0` becomes `0n`), any other
 * number literal a `number` (`1.0` stays a float).
 *
 * Errors: the runtime's SyntaxError for text that is not JSON.
 *
 * @example Integers and floats stay apart
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { parseJson } from "./parse_json.ts";
 *
 * deepEqual(parseJson("[1, 1.0, 18446744073709551616]"), [1n, 1, 18446744073709551616n]);
 * ```
 */
export function parseJson(text: string): JsonValue {
  // The runtime's JSON.parse with a source-reading reviver is the reference, but the reviver
  // makes it about twice as slow as the strict reader below, which handles the JSON this format
  // writes. Anything that reader does not accept (invalid JSON, a `__proto__` key, deep nesting)
  // goes to the runtime, which decides and reports errors.
  try {
    return new FastReader(text).document();
  } catch {
    return parse(text, reviver);
  }
}

/** Thrown to hand a text over to the runtime's parser. */
const GIVE_UP = new Error("not handled here");

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const MAX_DEPTH = 64;

/**
 * A strict reader for RFC 8259 JSON producing {@linkcode JsonValue}s. It accepts only valid JSON
 * (throwing GIVE_UP otherwise, so that the runtime reports the error) and reads every string
 * with an escape through `JSON.parse`, so that it decodes exactly as the runtime does.
 */
class FastReader {
  readonly #text: string;
  #i = 0;
  #depth = 0;

  constructor(text: string) {
    this.#text = text;
  }

  document(): JsonValue {
    const value = this.#value();
    this.#space();
    if (this.#i !== this.#text.length) throw GIVE_UP;
    return value;
  }

  #space(): void {
    const text = this.#text;
    for (;;) {
      const c = text.charCodeAt(this.#i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.#i++;
      else return;
    }
  }

  #value(): JsonValue {
    this.#space();
    const text = this.#text;
    const c = text.charCodeAt(this.#i);
    if (c === QUOTE) return this.#string();
    if (c === OPEN_BRACE) return this.#object();
    if (c === OPEN_BRACKET) return this.#array();
    if (c === 0x74 && text.startsWith("true", this.#i)) {
      this.#i += 4;
      return true;
    }
    if (c === 0x66 && text.startsWith("false", this.#i)) {
      this.#i += 5;
      return false;
    }
    if (c === 0x6e && text.startsWith("null", this.#i)) {
      this.#i += 4;
      return null;
    }
    return this.#number();
  }

  #object(): JsonObject {
    if (++this.#depth > MAX_DEPTH) throw GIVE_UP;
    const text = this.#text;
    this.#i++;
    const object: JsonObject = {};
    this.#space();
    if (text.charCodeAt(this.#i) === CLOSE_BRACE) {
      this.#i++;
      this.#depth--;
      return object;
    }
    for (;;) {
      this.#space();
      if (text.charCodeAt(this.#i) !== QUOTE) throw GIVE_UP;
      const key = this.#string();
      // Assigning "__proto__" would set the prototype, where JSON.parse makes a property.
      if (key === "__proto__") throw GIVE_UP;
      this.#space();
      if (text.charCodeAt(this.#i++) !== COLON) throw GIVE_UP;
      object[key] = this.#value();
      this.#space();
      const next = text.charCodeAt(this.#i++);
      if (next === COMMA) continue;
      if (next !== CLOSE_BRACE) throw GIVE_UP;
      this.#depth--;
      return object;
    }
  }

  #array(): JsonValue[] {
    if (++this.#depth > MAX_DEPTH) throw GIVE_UP;
    const text = this.#text;
    this.#i++;
    const array: JsonValue[] = [];
    this.#space();
    if (text.charCodeAt(this.#i) === CLOSE_BRACKET) {
      this.#i++;
      this.#depth--;
      return array;
    }
    for (;;) {
      array.push(this.#value());
      this.#space();
      const next = text.charCodeAt(this.#i++);
      if (next === COMMA) continue;
      if (next !== CLOSE_BRACKET) throw GIVE_UP;
      this.#depth--;
      return array;
    }
  }

  #string(): string {
    const text = this.#text;
    const start = this.#i + 1;
    let i = start;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      // Control characters are invalid in strings; NaN (past the end) too.
      if (!(c >= 0x20)) throw GIVE_UP;
      if (c === BACKSLASH) {
        escaped = true;
        i += 2;
      } else {
        i++;
      }
    }
    this.#i = i + 1;
    return escaped
      ? JSON.parse(text.slice(start - 1, i + 1))
      : text.slice(start, i);
  }

  #number(): number | bigint {
    const text = this.#text;
    const start = this.#i;
    let i = start;
    let float = false;
    let c = text.charCodeAt(i);
    if (c === MINUS) c = text.charCodeAt(++i);
    if (c === ZERO) {
      c = text.charCodeAt(++i);
    } else if (c > ZERO && c <= NINE) {
      do c = text.charCodeAt(++i); while (c >= ZERO && c <= NINE);
    } else {
      throw GIVE_UP;
    }
    if (c === DOT) {
      float = true;
      c = text.charCodeAt(++i);
      if (!(c >= ZERO && c <= NINE)) throw GIVE_UP;
      do c = text.charCodeAt(++i); while (c >= ZERO && c <= NINE);
    }
    if (c === LOWER_E || c === UPPER_E) {
      float = true;
      c = text.charCodeAt(++i);
      if (c === PLUS || c === MINUS) c = text.charCodeAt(++i);
      if (!(c >= ZERO && c <= NINE)) throw GIVE_UP;
      do c = text.charCodeAt(++i); while (c >= ZERO && c <= NINE);
    }
    this.#i = i;
    const literal = text.slice(start, i);
    if (float) return Number(literal);
    // Up to 15 digits (and a sign) a double holds the value exactly.
    return literal.length < 16 ? BigInt(Number(literal)) : BigInt(literal);
  }
}
