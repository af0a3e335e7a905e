/**
 * The types of the backup codec: Neo4j property values as neo4j-driver gives them (with
 * `useBigInt: true`), and their JSON form.
 *
 * Plain JSON carries strings, booleans, integers and floats: an integer is a JSON number without
 * fraction or exponent (of any size, held as a `bigint`), a float is a JSON number with a decimal
 * point or an exponent (held as a `number`). Every other type is a tagged JSON object whose
 * `$type` names it. Neo4j property values are never maps, so in a property position a JSON object
 * is always a tagged value.
 *
 * @module
 */

import type {
  Date,
  DateTime,
  Duration,
  LocalDateTime,
  LocalTime,
  Point,
  Time,
  Vector,
} from "../_driver.ts";

/**
 * A JSON value as the backup format reads and writes it. Integers are `bigint` (any size) and
 * floats are `number`, so `1` and `1.0` stay apart.
 */
export type JsonValue =
  | null
  | boolean
  | string
  | bigint
  | number
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON object, as a record or a tagged value is. */
export type JsonObject = { [key: string]: JsonValue };

/** A typed array a Neo4j vector can hold. */
export type VectorArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/**
 * A scalar Neo4j property value as neo4j-driver returns it with `useBigInt: true`: Integer is
 * `bigint`, Float is `number`, ByteArray is `Int8Array`.
 */
export type ScalarValue =
  | string
  | boolean
  | bigint
  | number
  | Int8Array
  | Point<bigint | number>
  | Date<bigint | number>
  | LocalTime<bigint | number>
  | Time<bigint | number>
  | LocalDateTime<bigint | number>
  | DateTime<bigint | number>
  | Duration<bigint | number>
  | Vector<VectorArray>;

/** A Neo4j property value: a scalar, or a homogeneous list of scalars (maybe empty). */
export type PropertyValue = ScalarValue | ScalarValue[];

/** The properties of a node or relationship. */
export type Properties = Record<string, PropertyValue>;

/** A Float that JSON cannot write as a number: `NaN`, `Infinity` or `-Infinity`. */
export type FloatJson = {
  $type: "Float";
  /** `"NaN"`, `"Infinity"` or `"-Infinity"`. */
  value: "NaN" | "Infinity" | "-Infinity";
};

/** A ByteArray. */
export type ByteArrayJson = {
  $type: "ByteArray";
  /** The bytes in standard base64 with padding (RFC 4648, section 4). */
  value: string;
};

/** A Date: `2024-02-29`, `-0044-03-15`, `+999999999-12-31`. */
export type DateJson = {
  $type: "Date";
  /** ISO 8601 date; years outside 0000..9999 carry a sign. */
  value: string;
};

/** A LocalTime: `12:50:35.556000001`. */
export type LocalTimeJson = {
  $type: "LocalTime";
  /** `HH:MM:SS` with the nanoseconds as a fraction (no trailing zeros; none when zero). */
  value: string;
};

/** A Time with an offset: `12:50:35.5+05:45`. */
export type TimeJson = {
  $type: "Time";
  /** A LocalTime followed by the offset `+HH:MM` or `+HH:MM:SS` (never `Z`). */
  value: string;
};

/** A LocalDateTime: `2015-07-04T19:32:24.000000001`. */
export type LocalDateTimeJson = {
  $type: "LocalDateTime";
  /** A Date, `T`, a LocalTime. */
  value: string;
};

/**
 * A DateTime, with an offset (`2015-06-24T12:50:35.556-03:30`) or with a named time zone
 * (`2015-06-24T12:50:35.556+01:00[Europe/London]`; the offset in front of the zone tells apart
 * the two instants of an ambiguous local time, and may be absent).
 */
export type DateTimeJson = {
  $type: "DateTime";
  /** A LocalDateTime, the offset, and the zone id in brackets when the value has one. */
  value: string;
};

/** A Duration, component by component (Neo4j keeps them apart; signs may differ). */
export type DurationJson = {
  $type: "Duration";
  months: bigint;
  days: bigint;
  seconds: bigint;
  nanoseconds: bigint;
};

/** A Point: SRID 7203 (cartesian), 9157 (cartesian-3d), 4326 (wgs-84) or 4979 (wgs-84-3d). */
export type PointJson = {
  $type: "Point";
  srid: bigint;
  x: number;
  y: number;
  /** Only for the 3D SRIDs 9157 and 4979. */
  z?: number;
};

/** A Vector (Neo4j 2025.10 and later). */
export type VectorJson = {
  $type: "Vector";
  /** The element type. */
  dtype: "INT8" | "INT16" | "INT32" | "INT64" | "FLOAT32" | "FLOAT64";
  /** The elements: integers for the INT types, floats (or FloatJson) for the FLOAT types. */
  values: (bigint | number | FloatJson)[];
};

/** Any tagged value. */
export type TaggedJson =
  | FloatJson
  | ByteArrayJson
  | DateJson
  | LocalTimeJson
  | TimeJson
  | LocalDateTimeJson
  | DateTimeJson
  | DurationJson
  | PointJson
  | VectorJson;

/** The JSON form of a scalar property value. */
export type ScalarJson = string | boolean | bigint | number | TaggedJson;

/** The JSON form of a property value. */
export type PropertyJson = ScalarJson | ScalarJson[];
