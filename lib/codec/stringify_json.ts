import type { JsonValue } from "./types.ts";

/**
 * Options for {@linkcode stringifyJson}.
 *
 * @example Indent by two spaces
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { stringifyJson, type StringifyJsonOptions } from "./stringify_json.ts";
 *
 * const options: StringifyJsonOptions = { indent: 2 };
 * equal(stringifyJson({ a: 1.5 }, options), '{\n  "a": 1.5\n}');
 * ```
 */
export interface StringifyJsonOptions {
  /**
   * Spaces of indentation per level; 0 writes compact JSON on one line.
   * @default {0}
   */
  indent?: number;
}

/** `JSON.rawJSON` (ES2026), which the TypeScript libraries do not declare yet. */
const { rawJSON } = JSON as unknown as { rawJSON(text: string): unknown };

/** The text of a float: always with a `.` or an exponent, so that it reads back as a float. */
function floatText(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `Cannot write the float ${value} as JSON: tag it as a Float value first`,
    );
  }
  if (Number.isInteger(value) && value < 1e21 && value > -1e21) {
    return Object.is(value, -0) ? "-0.0" : value + ".0";
  }
  return String(value);
}

function replacer(_key: string, value: unknown): unknown {
  switch (typeof value) {
    case "bigint":
      return rawJSON(String(value));
    case "number":
      return rawJSON(floatText(value));
    default:
      return value;
  }
}

/**
 * Writes a {@linkcode JsonValue} as JSON text that keeps integers and floats apart: a `bigint`
 * becomes an integer literal of any size (`9223372036854775807`), a `number` a literal with a
 * decimal point or an exponent (`1.0`, `-0.0`, `1e+21`, `5e-324`).
 *
 * Errors: a RangeError for a non-finite `number` (tag it first, as `valueToJson` does).
 *
 * @example Integers and floats stay apart
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { stringifyJson, type StringifyJsonOptions } from "./stringify_json.ts";
 *
 * equal(stringifyJson({ count: 2n, ratio: 1 }), '{"count":2,"ratio":1.0}');
 * const options: StringifyJsonOptions = { indent: 2 };
 * equal(stringifyJson([1n], options), "[\n  1\n]");
 * ```
 */
export function stringifyJson(
  value: JsonValue,
  options: StringifyJsonOptions = {},
): string {
  return JSON.stringify(value, replacer, options.indent || undefined);
}
