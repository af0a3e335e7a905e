import type { JsonValue } from "./types.ts";

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
  return parse(text, reviver);
}
