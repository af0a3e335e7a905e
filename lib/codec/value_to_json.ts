import {
  type Integer,
  isDate,
  isDateTime,
  isDuration,
  isInt,
  isLocalDateTime,
  isLocalTime,
  isPoint,
  isTime,
  isVector,
} from "../_driver.ts";
import type {
  Date as Neo4jDate,
  DateTime,
  Duration,
  LocalDateTime,
  LocalTime,
  Point,
  Time,
  Vector,
} from "../_driver.ts";
import { formatDate, formatLocalTime, formatOffset } from "./_temporal.ts";
import type {
  FloatJson,
  PropertyJson,
  PropertyValue,
  ScalarJson,
  TaggedJson,
  VectorArray,
  VectorJson,
} from "./types.ts";

/** An integer field of a driver object: its type depends on the driver's configuration. */
type IntegerLike = number | bigint | Integer;

function toNumber(value: IntegerLike): number {
  return typeof value === "number"
    ? value
    : typeof value === "bigint"
    ? Number(value)
    : value.toNumber();
}

function toBigInt(value: IntegerLike): bigint {
  return typeof value === "bigint"
    ? value
    : typeof value === "number"
    ? BigInt(value)
    : value.toBigInt();
}

function floatJson(value: number): FloatJson {
  return {
    $type: "Float",
    value: value > 0 ? "Infinity" : value < 0 ? "-Infinity" : "NaN",
  };
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor
    ?.name;
  return typeof name === "string" && name !== "" ? name : "Object";
}

function unsupported(value: unknown): never {
  throw new TypeError(
    `Cannot encode a value of type ${
      typeName(value)
    }: it is not a Neo4j property value`,
  );
}

function localTimeText(value: LocalTime<IntegerLike>): string {
  return formatLocalTime(
    toNumber(value.hour),
    toNumber(value.minute),
    toNumber(value.second),
    toNumber(value.nanosecond),
  );
}

function dateText(value: Neo4jDate<IntegerLike>): string {
  return formatDate(
    toNumber(value.year),
    toNumber(value.month),
    toNumber(value.day),
  );
}

function pointJson(value: Point<IntegerLike>): TaggedJson {
  const { x, y, z } = value;
  if (
    !Number.isFinite(x) || !Number.isFinite(y) ||
    (z !== undefined && z !== null && !Number.isFinite(z))
  ) {
    throw new RangeError(
      `Cannot encode a Point with a non-finite coordinate: ${value}`,
    );
  }
  return z === undefined || z === null
    ? { $type: "Point", srid: toBigInt(value.srid), x, y }
    : { $type: "Point", srid: toBigInt(value.srid), x, y, z };
}

function vectorJson(value: Vector<VectorArray>): VectorJson {
  const dtype = value.getType();
  const array = value.asTypedArray();
  const length = array.length;
  const values: (bigint | number | FloatJson)[] = new Array(length);
  switch (dtype) {
    case "INT64":
      for (let i = 0; i < length; i++) values[i] = (array as BigInt64Array)[i]!;
      break;
    case "INT8":
    case "INT16":
    case "INT32":
      for (let i = 0; i < length; i++) {
        values[i] = BigInt((array as Int32Array)[i]!);
      }
      break;
    case "FLOAT32":
    case "FLOAT64":
      for (let i = 0; i < length; i++) {
        const x = (array as Float64Array)[i]!;
        values[i] = Number.isFinite(x) ? x : floatJson(x);
      }
      break;
    default:
      throw new TypeError(
        `Cannot encode a Vector of type ${JSON.stringify(dtype)}`,
      );
  }
  return { $type: "Vector", dtype, values };
}

function objectToJson(value: object): ScalarJson {
  if (value instanceof Int8Array) {
    const bytes = new Uint8Array(
      value.buffer,
      value.byteOffset,
      value.byteLength,
    );
    return { $type: "ByteArray", value: bytes.toBase64() };
  }
  if (isDateTime(value)) {
    const dateTime = value as DateTime<IntegerLike>;
    let text = dateText(dateTime) + "T" + localTimeText(dateTime);
    const offset = dateTime.timeZoneOffsetSeconds;
    if (offset !== undefined && offset !== null) {
      text += formatOffset(toNumber(offset));
    }
    const zone = dateTime.timeZoneId;
    if (zone !== undefined && zone !== null && zone !== "") {
      text += "[" + zone + "]";
    }
    return { $type: "DateTime", value: text };
  }
  if (isDate(value)) {
    return { $type: "Date", value: dateText(value as Neo4jDate<IntegerLike>) };
  }
  if (isLocalDateTime(value)) {
    const localDateTime = value as LocalDateTime<IntegerLike>;
    return {
      $type: "LocalDateTime",
      value: dateText(localDateTime) + "T" + localTimeText(localDateTime),
    };
  }
  if (isTime(value)) {
    const time = value as Time<IntegerLike>;
    return {
      $type: "Time",
      value: localTimeText(time) +
        formatOffset(toNumber(time.timeZoneOffsetSeconds)),
    };
  }
  if (isLocalTime(value)) {
    return {
      $type: "LocalTime",
      value: localTimeText(value as LocalTime<IntegerLike>),
    };
  }
  if (isDuration(value)) {
    const duration = value as Duration<IntegerLike>;
    return {
      $type: "Duration",
      months: toBigInt(duration.months),
      days: toBigInt(duration.days),
      seconds: toBigInt(duration.seconds),
      nanoseconds: toBigInt(duration.nanoseconds),
    };
  }
  if (isPoint(value)) return pointJson(value as Point<IntegerLike>);
  if (isVector(value)) return vectorJson(value as Vector<VectorArray>);
  // A neo4j-driver Integer (from a driver without `useBigInt`) is an Integer all the same.
  if (isInt(value)) return (value as Integer).toBigInt();
  return unsupported(value);
}

function scalarToJson(value: unknown): ScalarJson {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
      return value;
    case "number":
      return Number.isFinite(value) ? value : floatJson(value);
    case "object":
      if (value === null) return unsupported(value);
      if (Array.isArray(value)) {
        throw new TypeError(
          "Cannot encode a list inside a list: it is not a Neo4j property value",
        );
      }
      return objectToJson(value);
    default:
      return unsupported(value);
  }
}

/**
 * Turns a Neo4j property value, as neo4j-driver returns it with `useBigInt: true`, into its JSON
 * form: strings, booleans, integers (`bigint`) and finite floats (`number`) stay as they are;
 * every other type becomes a tagged object (`{ $type: "Date", value: "2024-02-29" }`); a list
 * becomes an array of its elements' forms. Integer fields of driver objects may be `number`,
 * `bigint` or a driver `Integer`; a driver `Integer` is accepted as an Integer value too.
 *
 * Errors: a TypeError naming the JavaScript type for anything that is not a Neo4j property value
 * (`null`, a map, a JavaScript `Date`, a list inside a list), a RangeError for a Point with a
 * non-finite coordinate.
 *
 * @example Encode a date and a float that JSON cannot hold
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import neo4j from "npm:neo4j-driver@6.3.0";
 * import { valueToJson } from "./value_to_json.ts";
 *
 * deepEqual(valueToJson(new neo4j.types.Date(2024n, 2n, 29n)), {
 *   $type: "Date",
 *   value: "2024-02-29",
 * });
 * deepEqual(valueToJson([1.5, NaN]), [1.5, { $type: "Float", value: "NaN" }]);
 * ```
 */
export function valueToJson(value: PropertyValue): PropertyJson {
  if (typeof value !== "object" || !Array.isArray(value)) {
    return scalarToJson(value);
  }
  const length = value.length;
  const list: ScalarJson[] = new Array(length);
  for (let i = 0; i < length; i++) list[i] = scalarToJson(value[i]);
  return list;
}
