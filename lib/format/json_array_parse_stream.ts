/** Options for {@linkcode JsonArrayParseStream}. */
export interface JsonArrayParseStreamOptions {
  /**
   * The longest element, in UTF-16 code units, before a RangeError.
   * @default {536_870_000} (about the longest string the runtime can hold)
   */
  maxElementLength?: number;
}

/** Where the scanner is: before the opening `[`. */
const START = 0;
/** After `[` or `,`: an element or (after `[`) `]` comes next. */
const BEFORE_ELEMENT = 1;
/** Inside an element. */
const IN_ELEMENT = 2;
/** After an element: `,` or `]` comes next. */
const AFTER_ELEMENT = 3;
/** After the closing `]`: only whitespace may follow. */
const END = 4;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Splits the text of one JSON array into the source text of its elements, as the text streams
 * in: memory holds one element at a time, whatever the array's length. For each chunk of text it
 * emits the elements that chunk completes, as one batch (none when it completes none). Any indentation and any
 * element kind are accepted; elements are not validated (parse each with `JSON.parse` or
 * `parseJson`), so bare tokens such as the Python tool's `NaN` pass through.
 *
 * Errors: a SyntaxError when the text is not an array or ends before its closing `]`
 * (a truncated file), a RangeError when an element exceeds `maxElementLength`.
 *
 * @example Split a JSON array, however its text arrives, into the texts of its elements
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { JsonArrayParseStream } from "./json_array_parse_stream.ts";
 *
 * // In a backup: file.readable.pipeThrough(new DecompressionStream("gzip"))
 * //   .pipeThrough(new TextDecoderStream()).pipeThrough(new JsonArrayParseStream())
 * const elements = ReadableStream.from(['[{"a": [1, ', '"]"]}, 2', "]\n"])
 *   .pipeThrough(new JsonArrayParseStream());
 * deepEqual((await Array.fromAsync(elements)).flat(), ['{"a": [1, "]"]}', "2"]);
 * ```
 */
export class JsonArrayParseStream extends TransformStream<string, string[]> {
  #state = START;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #parts: string[] = [];
  #length = 0;
  #count = 0;
  #maxLength: number;

  /** Makes a stream that expects exactly one JSON array. */
  constructor(options: JsonArrayParseStreamOptions = {}) {
    super({
      transform: (chunk, controller) => {
        const batch: string[] = [];
        this.#scan(chunk, batch);
        if (batch.length > 0) controller.enqueue(batch);
      },
      flush: () => {
        if (this.#state !== END) {
          throw new SyntaxError(
            this.#state === START
              ? "Unexpected end of data: expected a JSON array"
              : `Unexpected end of data after ${this.#count} elements: the array is not closed (truncated file?)`,
          );
        }
      },
    });
    this.#maxLength = options.maxElementLength ?? 536_870_000;
  }

  #scan(chunk: string, batch: string[]): void {
    let start = -1; // where the element's text starts in this chunk, if it does
    if (this.#state === IN_ELEMENT) start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      switch (this.#state) {
        case IN_ELEMENT:
          if (this.#inString) {
            if (this.#escaped) this.#escaped = false;
            else if (c === BACKSLASH) this.#escaped = true;
            else if (c === QUOTE) this.#inString = false;
            continue;
          }
          if (c === QUOTE) {
            this.#inString = true;
          } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
            this.#depth++;
          } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
            if (this.#depth === 0) {
              // `]` closing the array right after a scalar element.
              this.#emit(chunk.slice(start, i), batch);
              this.#state = END;
              start = -1;
              continue;
            }
            this.#depth--;
            if (this.#depth === 0) {
              this.#emit(chunk.slice(start, i + 1), batch);
              this.#state = AFTER_ELEMENT;
              start = -1;
            }
          } else if (c === COMMA && this.#depth === 0) {
            this.#emit(chunk.slice(start, i), batch);
            this.#state = BEFORE_ELEMENT;
            start = -1;
          }
          continue;
        case START:
          if (isWhitespace(c) || (c === 0xfeff && i === 0)) continue;
          if (c !== OPEN_BRACKET) throw this.#unexpected(c);
          this.#state = BEFORE_ELEMENT;
          continue;
        case BEFORE_ELEMENT:
          if (isWhitespace(c)) continue;
          if (c === CLOSE_BRACKET && this.#count === 0) {
            this.#state = END;
            continue;
          }
          if (c === COMMA || c === CLOSE_BRACKET) throw this.#unexpected(c);
          this.#state = IN_ELEMENT;
          start = i;
          if (c === QUOTE) this.#inString = true;
          else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#depth = 1;
          continue;
        case AFTER_ELEMENT:
          if (isWhitespace(c)) continue;
          if (c === COMMA) this.#state = BEFORE_ELEMENT;
          else if (c === CLOSE_BRACKET) this.#state = END;
          else throw this.#unexpected(c);
          continue;
        case END:
          if (isWhitespace(c)) continue;
          throw this.#unexpected(c);
      }
    }
    if (start >= 0) {
      const rest = chunk.slice(start);
      this.#length += rest.length;
      if (this.#length > this.#maxLength) {
        throw new RangeError(
          `Element ${
            this.#count + 1
          } is longer than ${this.#maxLength} characters`,
        );
      }
      this.#parts.push(rest);
    }
  }

  #emit(tail: string, batch: string[]): void {
    // Checked before joining: the parts of an element longer than the longest string the
    // runtime can hold cannot be joined ("Invalid string length").
    if (this.#length + tail.length > this.#maxLength) {
      throw new RangeError(
        `Element ${
          this.#count + 1
        } is longer than ${this.#maxLength} characters`,
      );
    }
    let text = tail;
    if (this.#parts.length > 0) {
      this.#parts.push(tail);
      text = this.#parts.join("");
      this.#parts = [];
    }
    this.#length = 0;
    if (text.length > this.#maxLength) {
      throw new RangeError(
        `Element ${
          this.#count + 1
        } is longer than ${this.#maxLength} characters`,
      );
    }
    this.#count++;
    batch.push(text.trimEnd());
  }

  #unexpected(c: number): SyntaxError {
    return new SyntaxError(
      `Unexpected character ${
        JSON.stringify(String.fromCharCode(c))
      } after ${this.#count} elements`,
    );
  }
}
