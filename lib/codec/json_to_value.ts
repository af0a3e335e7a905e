import {
  Date as Neo4jDate,
  DateTime,
  Duration,
  LocalDateTime,
  LocalTime,
  Point,
  Time,
  vector,
} from "../_driver.ts";
import { ownValue } from "./_own.ts";
import { type TemporalFields, TemporalParser } from "./_temporal.ts";
import type {
  JsonObject,
  JsonValue,
  PropertyValue,
  ScalarValue,
  VectorArray,
  VectorJson,
} from "./types.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The SRIDs Neo4j knows, and whether each is three-dimensional. */
const SRID_IS_3D: ReadonlyMap<bigint, boolean> = new Map([
  [7203n, false],
  [9157n, true],
  [4326n, false],
  [4979n, true],
]);

/** The range of each integer vector type. */
const INT_RANGES: ReadonlyMap<string, readonly [bigint, bigint]> = new Map([
  ["INT8", [-128n, 127n]],
  ["INT16", [-32768n, 32767n]],
  ["INT32", [-2147483648n, 2147483647n]],
  ["INT64", [INT64_MIN, INT64_MAX]],
]);

const VALUE_KEYS = ["$type", "value"] as const;
const DURATION_KEYS = [
  "$type",
  "months",
  "days",
  "seconds",
  "nanoseconds",
] as const;
const POINT_2D_KEYS = ["$type", "srid", "x", "y"] as const;
const POINT_3D_KEYS = ["$type", "srid", "x", "y", "z"] as const;
const VECTOR_KEYS = ["$type", "dtype", "values"] as const;

/** Time zone ids this runtime knows (true) or rejects (false). */
const knownZones = new Map<string, boolean>();

function describe(json: unknown): string {
  switch (typeof json) {
    case "bigint":
      return `the integer ${json}`;
    case "number":
      return `the float ${json}`;
    case "string":
      return `the string ${JSON.stringify(json)}`;
    case "boolean":
      return String(json);
    case "object":
      return json === null
        ? "null"
        : Array.isArray(json)
        ? "a list"
        : "an object";
    default:
      return typeof json;
  }
}

function checkKeys(
  json: JsonObject,
  type: string,
  keys: readonly string[],
): void {
  for (const key of Object.keys(json)) {
    if (!keys.includes(key)) {
      throw new SyntaxError(
        `Invalid ${type} value: unexpected field ${JSON.stringify(key)}`,
      );
    }
  }
}

function fieldError(
  type: string,
  key: string,
  value: unknown,
  expected: string,
): never {
  throw new SyntaxError(
    value === undefined
      ? `Invalid ${type} value: missing field "${key}"`
      : `Invalid ${type} value: field "${key}" must be ${expected}, not ${
        describe(value)
      }`,
  );
}

function stringField(json: JsonObject, type: string, key: string): string {
  const value = ownValue(json, key);
  if (typeof value !== "string") fieldError(type, key, value, "a string");
  return value;
}

function int64(value: bigint, what: string): bigint {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new RangeError(
      `${what} ${value} is out of range: integers are signed 64-bit`,
    );
  }
  return value;
}

function integerField(json: JsonObject, type: string, key: string): bigint {
  const value = ownValue(json, key);
  if (typeof value !== "bigint") fieldError(type, key, value, "an integer");
  return int64(value, `${type} field "${key}"`);
}

function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `${what} ${value} is out of range: floats must be finite here`,
    );
  }
  return value;
}

function floatField(json: JsonObject, type: string, key: string): number {
  const value = ownValue(json, key);
  if (typeof value !== "number") fieldError(type, key, value, "a float");
  return finite(value, `${type} field "${key}"`);
}

function floatFromJson(json: JsonObject): number {
  checkKeys(json, "Float", VALUE_KEYS);
  const text = stringField(json, "Float", "value");
  switch (text) {
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    default:
      throw new SyntaxError(
        `Invalid Float value ${
          JSON.stringify(text)
        }: expected "NaN", "Infinity" or "-Infinity"`,
      );
  }
}

function byteArrayFromJson(json: JsonObject): Int8Array {
  checkKeys(json, "ByteArray", VALUE_KEYS);
  const text = stringField(json, "ByteArray", "value");
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.fromBase64(text, { lastChunkHandling: "strict" });
  } catch (error) {
    throw new SyntaxError(
      `Invalid ByteArray value: not base64 with padding (${
        (error as Error).message
      })`,
    );
  }
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads the text of a temporal value and checks its keys. */
function temporal(json: JsonObject, type: string): TemporalParser {
  checkKeys(json, type, VALUE_KEYS);
  return new TemporalParser(type, stringField(json, type, "value"));
}

function checkZone(zone: string, text: string): void {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    knownZones.set(zone, known);
  }
  if (!known) {
    throw new RangeError(
      `Unknown time zone ${JSON.stringify(zone)} in DateTime value ${
        JSON.stringify(text)
      }`,
    );
  }
}

function dateTimeFromJson(json: JsonObject): DateTime<number> {
  const parser = temporal(json, "DateTime").date().separator().time();
  if (parser.atOffset()) parser.offset();
  if (parser.atZone()) parser.zone();
  parser.end();
  const f: TemporalFields = parser.fields;
  if (f.offsetSeconds === undefined && f.zoneId === undefined) {
    parser.fail("expected an offset or a time zone id");
  }
  if (f.zoneId !== undefined) checkZone(f.zoneId, json.value as string);
  return new DateTime(
    f.year,
    f.month,
    f.day,
    f.hour,
    f.minute,
    f.second,
    f.nanosecond,
    f.offsetSeconds,
    f.zoneId,
  );
}

function durationFromJson(json: JsonObject): Duration<bigint> {
  checkKeys(json, "Duration", DURATION_KEYS);
  const months = integerField(json, "Duration", "months");
  const days = integerField(json, "Duration", "days");
  const seconds = integerField(json, "Duration", "seconds");
  const nanoseconds = integerField(json, "Duration", "nanoseconds");
  if (nanoseconds < 0n || nanoseconds > 999_999_999n) {
    throw new RangeError(
      `Duration field "nanoseconds" ${nanoseconds} is out of range: it runs from 0 to 999999999`,
    );
  }
  return new Duration(months, days, seconds, nanoseconds);
}

function pointFromJson(json: JsonObject): Point<bigint> {
  const srid = integerField(json, "Point", "srid");
  const is3d = SRID_IS_3D.get(srid);
  if (is3d === undefined) {
    throw new RangeError(
      `Point field "srid" ${srid} is out of range: Neo4j knows SRIDs 7203, 9157, 4326 and 4979`,
    );
  }
  checkKeys(json, "Point", is3d ? POINT_3D_KEYS : POINT_2D_KEYS);
  const x = floatField(json, "Point", "x");
  const y = floatField(json, "Point", "y");
  return new Point(
    srid,
    x,
    y,
    is3d ? floatField(json, "Point", "z") : undefined,
  );
}

function vectorFloat(value: JsonValue): number {
  if (typeof value === "number") return finite(value, "Vector element");
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    if (ownValue(value, "$type") === "Float") return floatFromJson(value);
  }
  throw new SyntaxError(
    `Invalid Vector value: ${describe(value)} is not a float`,
  );
}

function vectorFromJson(json: JsonObject): ReturnType<typeof vector> {
  checkKeys(json, "Vector", VECTOR_KEYS);
  const dtype = stringField(json, "Vector", "dtype") as VectorJson["dtype"];
  const values = ownValue(json, "values");
  if (!Array.isArray(values)) fieldError("Vector", "values", values, "a list");
  const length = values.length;
  let array: VectorArray;
  switch (dtype) {
    case "INT8":
    case "INT16":
    case "INT32":
    case "INT64": {
      array = dtype === "INT8"
        ? new Int8Array(length)
        : dtype === "INT16"
        ? new Int16Array(length)
        : dtype === "INT32"
        ? new Int32Array(length)
        : new BigInt64Array(length);
      const [min, max] = INT_RANGES.get(dtype)!;
      for (let i = 0; i < length; i++) {
        const value = values[i];
        if (typeof value !== "bigint") {
          throw new SyntaxError(
            `Invalid Vector value: ${describe(value)} is not an integer`,
          );
        }
        if (value < min || value > max) {
          throw new RangeError(
            `Vector element ${value} is out of range for ${dtype}`,
          );
        }
        if (dtype === "INT64") (array as BigInt64Array)[i] = value;
        else (array as Int32Array)[i] = Number(value);
      }
      break;
    }
    case "FLOAT32": {
      const floats = new Float32Array(length);
      for (let i = 0; i < length; i++) {
        const value = vectorFloat(values[i]!);
        if (Math.fround(value) !== value && value === value) {
          throw new RangeError(
            `Vector element ${value} is out of range for FLOAT32: it is not a 32-bit float`,
          );
        }
        floats[i] = value;
      }
      array = floats;
      break;
    }
    case "FLOAT64": {
      const floats = new Float64Array(length);
      for (let i = 0; i < length; i++) floats[i] = vectorFloat(values[i]!);
      array = floats;
      break;
    }
    default:
      throw new SyntaxError(
        `Invalid Vector value: unknown dtype ${
          JSON.stringify(dtype)
        } (expected INT8, INT16, INT32, INT64, FLOAT32 or FLOAT64)`,
      );
  }
  return vector(array);
}

function taggedFromJson(json: JsonObject): ScalarValue {
  const type = ownValue(json, "$type");
  switch (type) {
    case "Float":
      return floatFromJson(json);
    case "ByteArray":
      return byteArrayFromJson(json);
    case "Date": {
      const f = temporal(json, "Date").date().end().fields;
      return new Neo4jDate(f.year, f.month, f.day);
    }
    case "LocalTime": {
      const f = temporal(json, "LocalTime").time().end().fields;
      return new LocalTime(
        f.hour,
        f.minute,
        f.second,
        f.nanosecond,
      );
    }
    case "Time": {
      const f = temporal(json, "Time").time().offset().end().fields;
      return new Time(
        f.hour,
        f.minute,
        f.second,
        f.nanosecond,
        f.offsetSeconds!,
      );
    }
    case "LocalDateTime": {
      const f =
        temporal(json, "LocalDateTime").date().separator().time().end().fields;
      return new LocalDateTime(
        f.year,
        f.month,
        f.day,
        f.hour,
        f.minute,
        f.second,
        f.nanosecond,
      );
    }
    case "DateTime":
      return dateTimeFromJson(json);
    case "Duration":
      return durationFromJson(json);
    case "Point":
      return pointFromJson(json);
    case "Vector":
      return vectorFromJson(json) as ScalarValue;
  }
  if (typeof type === "string") {
    throw new TypeError(`Unknown value type ${JSON.stringify(type)}`);
  }
  throw new SyntaxError(
    type === undefined
      ? `Invalid property value: an object without "$type"`
      : `Invalid property value: "$type" must be a string, not ${
        describe(type)
      }`,
  );
}

function scalarFromJson(json: JsonValue): ScalarValue {
  switch (typeof json) {
    case "string":
    case "boolean":
      return json;
    case "bigint":
      return int64(json, "Integer");
    case "number":
      return finite(json, "Float");
    case "object":
      if (json === null) throw new SyntaxError("Invalid property value: null");
      if (Array.isArray(json)) {
        throw new SyntaxError("Invalid property value: a list inside a list");
      }
      return taggedFromJson(json);
    default:
      throw new TypeError(
        `Cannot decode a value of type ${typeof json}: it is not JSON`,
      );
  }
}

/**
 * Turns the JSON form of a Neo4j property value back into the value neo4j-driver would read
 * with `useBigInt: true`: the exact inverse of `valueToJson`. Integers come back as `bigint`,
 * floats as `number`, ByteArrays as `Int8Array`, Vectors through `neo4j.vector()`, the temporal
 * and spatial types as driver objects. Durations and Point SRIDs hold `bigint`s, as the driver
 * reads them; the fields of the temporal types (year to nanosecond, offset) hold JavaScript
 * numbers, which they all fit: the driver sends them exactly as it sends the `bigint` fields it
 * reads, and builds them ten times faster.
 *
 * Errors: a TypeError naming an unknown `$type`; a SyntaxError naming what is wrong for a
 * malformed value (bad text, a missing or mistyped field, month 13, an object without `$type`,
 * `null`, a list inside a list); a RangeError for a number outside what Neo4j holds (an integer
 * beyond signed 64-bit, a year beyond 999999999, an offset beyond 18 hours, a non-finite plain
 * float, an unknown SRID or time zone).
 *
 * @example Decode a date and an integer too large for a JavaScript number
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { jsonToValue } from "./json_to_value.ts";
 *
 * const date = jsonToValue({ $type: "Date", value: "2024-02-29" }); // a neo4j-driver Date
 * equal(date.toString(), "2024-02-29");
 * equal(jsonToValue(9007199254740993n), 9007199254740993n);
 * ```
 */
export function jsonToValue(json: JsonValue): PropertyValue {
  if (!Array.isArray(json)) return scalarFromJson(json);
  const length = json.length;
  const list: ScalarValue[] = new Array(length);
  for (let i = 0; i < length; i++) list[i] = scalarFromJson(json[i]!);
  return list;
}
