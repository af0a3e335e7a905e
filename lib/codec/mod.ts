/**
 * The codec of the backup format: every Neo4j property value to plain JSON and back, exactly,
 * type for type (see docs/FORMAT.md). Strings, booleans, integers of any size (`bigint`) and
 * finite floats stay plain JSON; every other type becomes a tagged object such as
 * `{ "$type": "Date", "value": "2024-02-29" }`. `stringifyJson` and `parseJson` write and read
 * JSON text that keeps integers and floats apart (`1` and `1.0`).
 *
 * @example Encode a value, write it, read it back
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import {
 *   jsonToValue,
 *   parseJson,
 *   stringifyJson,
 *   valueToJson,
 * } from "./mod.ts";
 *
 * const text = stringifyJson(valueToJson([1.0, 2.5]));
 * equal(text, "[1.0,2.5]");
 * deepEqual(jsonToValue(parseJson(text)), [1, 2.5]);
 * ```
 *
 * @module
 */
export { valueToJson } from "./value_to_json.ts";
export { jsonToValue } from "./json_to_value.ts";
export { stringifyJson } from "./stringify_json.ts";
export type { StringifyJsonOptions } from "./stringify_json.ts";
export { parseJson } from "./parse_json.ts";
export type {
  ByteArrayJson,
  DateJson,
  DateTimeJson,
  DurationJson,
  FloatJson,
  JsonObject,
  JsonValue,
  LocalDateTimeJson,
  LocalTimeJson,
  PointJson,
  Properties,
  PropertyJson,
  PropertyValue,
  ScalarJson,
  ScalarValue,
  TaggedJson,
  TimeJson,
  VectorArray,
  VectorJson,
} from "./types.ts";
