/**
 * The records and values of backups written by the Python package neo4j-backup 1.0.0 (and
 * 0.3/0.4, whose records have the same shape), decoded into the records and driver values of
 * this tool's own format.
 *
 * What the Python tool writes, and how it is read here:
 *
 * - Records: `{"node_id", "node_labels": "A:B", "node_props", "hash_props"}` and `{"rel_id",
 *   "start_node_id", "end_node_id", "rel_type", "rel_props", "hash_props"}` (no `hash_props`
 *   before 0.4.0). Labels are one string joined with `:` (`""` for none), so a label that itself
 *   contains `:` cannot be told from two labels; it is split, except where a uniqueness
 *   constraint of the backup names it (see {@linkcode splitLabels}).
 * - Integers and floats: JSON numbers told apart by how they are written (`1` and `1.0`); NaN
 *   and the infinities as the bare tokens `NaN`, `Infinity` and `-Infinity`.
 * - Spatial and temporal values: strings such as `$point({x: 1.0, y: 2.0, crs: 'cartesian'})`,
 *   `$date('1999-01-01')`, `$time('21:40:32.142000000+01:00')` (Time; without offset:
 *   LocalTime), `$datetime('...')` (DateTime with an offset; without: LocalDateTime) and
 *   `$duration('P1Y2M3DT4H5M6.5S')`.
 * - A top-level string property that starts like one of these was written as the SHA-256 of its
 *   text, the text itself going to `hash_props`; list elements are never hashed.
 * - Byte arrays were written as Python's repr (`"b'\\x01'"`), which a string can equal: they
 *   stay strings.
 *
 * The Python driver before 6.0 writes negative offsets that are not whole hours wrongly: it
 * floors the offset to minutes and formats `divmod(minutes, 60)`, so -03:30 (-210 minutes)
 * becomes `-04:30` (hours -4, minutes +30), for Time and DateTime values alike; 6.x does it for
 * DateTimes with a named time zone only. {@linkcode pythonOffsetSeconds} undoes it, which is
 * right for every backup except fixed negative half-hour offsets extracted with driver 6.x.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  Date as Neo4jDate,
  DateTime,
  Duration,
  LocalDateTime,
  LocalTime,
  Point,
  Time,
} from "../_driver.ts";
import { ownValue, setOwn } from "../codec/_own.ts";
import { TemporalParser } from "../codec/_temporal.ts";
import { parseJson } from "../codec/parse_json.ts";
import type {
  JsonObject,
  JsonValue,
  Properties,
  PropertyValue,
  ScalarValue,
} from "../codec/types.ts";
import { parseRecordBatch, type RecordCursor } from "./_parse_record_batch.ts";
import { isObject } from "./_validate.ts";
import type { RecordKind } from "./layout.ts";
import {
  type BackupRecord,
  NODE_FIELDS,
  type NodeRecord,
  recordKindOf,
  RELATIONSHIP_FIELDS,
  type RelationshipRecord,
} from "./record.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const NANOS_PER_SECOND = 1_000_000_000n;

/** The prefixes of the Python tool's encoded values (and of the strings it hashed). */
export const PYTHON_LITERAL_PREFIXES: readonly string[] = [
  "$point(",
  "$date(",
  "$time(",
  "$datetime(",
  "$duration(",
];

/** The key of the object that stands for a bare `NaN`, `Infinity` or `-Infinity`. */
const FLOAT_KEY = "$python-float";

/** The SRID and dimension of each coordinate reference system the Python tool names. */
const CRS: ReadonlyMap<string, { srid: bigint; is3d: boolean }> = new Map([
  ["cartesian", { srid: 7203n, is3d: false }],
  ["cartesian-3d", { srid: 9157n, is3d: true }],
  ["wgs-84", { srid: 4326n, is3d: false }],
  ["wgs-84-3d", { srid: 4979n, is3d: true }],
]);

const POINT_PATTERN =
  /^\$point\(\{\s*x:\s*([^,\s]+)\s*,\s*y:\s*([^,\s]+)\s*(?:,\s*z:\s*([^,\s]+)\s*)?,\s*crs:\s*'([^']*)'\s*\}\)$/;
const FLOAT_PATTERN = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const DURATION_PATTERN =
  /^P(?:([-+]?\d+)Y)?(?:([-+]?\d+)M)?(?:([-+]?\d+)W)?(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?)(\d+)(?:\.(\d{1,9}))?S)?)?$/;

const NODE_KEYS = new Set<string>([...NODE_FIELDS, "hash_props"]);
const RELATIONSHIP_KEYS = new Set<string>([
  ...RELATIONSHIP_FIELDS,
  "hash_props",
]);

/**
 * The text of a Python tool's record with its bare `NaN`, `Infinity` and `-Infinity` tokens
 * (outside strings) replaced by objects that JSON accepts, which {@linkcode decodePythonValue}
 * turns into floats. String contents are left exactly as they are.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { replaceBareFloats } from "./_python_record.ts";
 *
 * equal(replaceBareFloats('[NaN, "NaN"]'), '[{"$python-float":"NaN"}, "NaN"]');
 * ```
 */
export function replaceBareFloats(text: string): string {
  if (!text.includes("NaN") && !text.includes("Infinity")) return text;
  let out = "";
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    let token: string | undefined;
    if (c === 0x4e && text.startsWith("NaN", i)) token = "NaN";
    else if (c === 0x49 && text.startsWith("Infinity", i)) token = "Infinity";
    else if (c === 0x2d && text.startsWith("-Infinity", i)) token = "-Infinity";
    if (token === undefined) continue;
    out += text.slice(from, i) + `{"${FLOAT_KEY}":"${token}"}`;
    i += token.length - 1;
    from = i + 1;
  }
  return out + text.slice(from);
}

/**
 * The offset, in seconds, that an offset the Python tool wrote stands for. Python drivers before
 * 6.0 format `divmod(floor(offset / 60 s), 60)` with a sign on the hours only, so a negative
 * offset that is not a whole number of hours is written with the hours one too many and the
 * complement of its minutes: -03:30 as `-04:30`, -00:30 as `-01:30`. That is undone here: a
 * written `-HH:MM` with HH at least 1 and MM not 0 means `-(HH * 60 - MM)` minutes. (`-00:MM`
 * is never written that way, and is read as it stands.)
 */
export function pythonOffsetSeconds(written: number): number {
  if (written >= 0) return written;
  const total = -written;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor(total / 60) % 60;
  if (hours === 0 || minutes === 0 || total % 60 !== 0) return written;
  return -(hours * 3600 - minutes * 60);
}

function temporalText(text: string, prefix: string): string {
  const inner = text.slice(prefix.length);
  if (!inner.startsWith("'") || !inner.endsWith("')") || inner.length < 3) {
    throw new SyntaxError(
      `Invalid value ${JSON.stringify(text)}: expected ${prefix}'...')`,
    );
  }
  return inner.slice(1, -2);
}

/** A coordinate as Python's float repr writes it (`1.0`, `1e+16`; `nan` and `inf` are refused). */
function coordinate(text: string, name: string, value: string): number {
  const finite = FLOAT_PATTERN.test(text);
  if (!finite && !/^[-+]?(?:inf|nan)$/.test(text)) {
    throw new SyntaxError(
      `Invalid Point value ${JSON.stringify(value)}: ${name} is not a number`,
    );
  }
  const number = finite ? Number(text) : NaN;
  if (!Number.isFinite(number)) {
    throw new RangeError(
      `Point value ${
        JSON.stringify(value)
      } is out of range: ${name} is not a finite 64-bit float`,
    );
  }
  return number;
}

function decodePoint(text: string): Point<bigint> {
  const match = POINT_PATTERN.exec(text);
  if (!match) {
    throw new SyntaxError(
      `Invalid Point value ${
        JSON.stringify(text)
      }: expected $point({x: X, y: Y[, z: Z], crs: '...'})`,
    );
  }
  const crs = CRS.get(match[4]!);
  if (!crs) {
    throw new RangeError(
      `Point value ${JSON.stringify(text)} is out of range: unknown crs ${
        JSON.stringify(match[4])
      } (expected cartesian, cartesian-3d, wgs-84 or wgs-84-3d)`,
    );
  }
  if (crs.is3d !== (match[3] !== undefined)) {
    throw new SyntaxError(
      `Invalid Point value ${JSON.stringify(text)}: crs '${match[4]}' has ${
        crs.is3d ? "3" : "2"
      } coordinates`,
    );
  }
  return new Point(
    crs.srid,
    coordinate(match[1]!, "x", text),
    coordinate(match[2]!, "y", text),
    crs.is3d ? coordinate(match[3]!, "z", text) : undefined,
  );
}

function decodeTime(text: string): Time<number> | LocalTime<number> {
  const parser = new TemporalParser("Time", temporalText(text, "$time("))
    .time();
  if (!parser.atOffset()) {
    const f = parser.end().fields;
    return new LocalTime(f.hour, f.minute, f.second, f.nanosecond);
  }
  const f = parser.offset().end().fields;
  return new Time(
    f.hour,
    f.minute,
    f.second,
    f.nanosecond,
    pythonOffsetSeconds(f.offsetSeconds!),
  );
}

function decodeDateTime(
  text: string,
): DateTime<number> | LocalDateTime<number> {
  const parser = new TemporalParser(
    "DateTime",
    temporalText(text, "$datetime("),
  ).date().separator().time();
  if (!parser.atOffset()) {
    const f = parser.end().fields;
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
  const f = parser.offset().end().fields;
  return new DateTime(
    f.year,
    f.month,
    f.day,
    f.hour,
    f.minute,
    f.second,
    f.nanosecond,
    pythonOffsetSeconds(f.offsetSeconds!),
    undefined,
  );
}

function int64(value: bigint, what: string, text: string): bigint {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new RangeError(
      `Duration value ${
        JSON.stringify(text)
      } is out of range: its ${what} exceed signed 64-bit`,
    );
  }
  return value;
}

/**
 * A Duration from the ISO 8601 text the Python driver (and Neo4j) write: `P`, then years,
 * months, weeks and days, then `T` and hours, minutes and seconds (with up to 9 fraction
 * digits), each optional and signed on its own (`P-1Y-2M3DT-1H-1M-0.5S`). Months and days are
 * kept apart as Neo4j keeps them; the time part becomes seconds and nanoseconds from 0 to
 * 999999999, as the server returns them.
 */
function decodeDuration(text: string): Duration<bigint> {
  const inner = temporalText(text, "$duration(");
  const match = DURATION_PATTERN.exec(inner);
  if (!match || inner === "P" || inner.endsWith("T")) {
    throw new SyntaxError(
      `Invalid Duration value ${
        JSON.stringify(inner)
      }: expected ISO 8601 such as P1Y2M3DT4H5M6.5S`,
    );
  }
  const n = (i: number): bigint => BigInt(match[i] ?? "0");
  const months = n(1) * 12n + n(2);
  const days = n(3) * 7n + n(4);
  let nanos = (BigInt(match[8] ?? "0") * NANOS_PER_SECOND) +
    BigInt((match[9] ?? "").padEnd(9, "0"));
  if (match[7] === "-") nanos = -nanos;
  nanos += (n(5) * 3600n + n(6) * 60n) * NANOS_PER_SECOND;
  let seconds = nanos / NANOS_PER_SECOND;
  let nanoseconds = nanos % NANOS_PER_SECOND;
  if (nanoseconds < 0n) {
    seconds -= 1n;
    nanoseconds += NANOS_PER_SECOND;
  }
  return new Duration(
    int64(months, "months", inner),
    int64(days, "days", inner),
    int64(seconds, "seconds", inner),
    nanoseconds,
  );
}

/** What a decoded literal is, so that a list's elements can be checked to agree. */
type LiteralType =
  | "Point"
  | "Date"
  | "Time"
  | "LocalTime"
  | "DateTime"
  | "LocalDateTime"
  | "Duration";

/**
 * Decodes one of the Python tool's encoded strings (`$point(...)`, `$date('...')`,
 * `$time('...')`, `$datetime('...')`, `$duration('...')`) into the driver value this tool's codec
 * produces for it. Returns undefined for a string that does not start with one of those
 * prefixes.
 *
 * Errors: a SyntaxError for a string that starts like an encoded value but is malformed; a
 * RangeError for a value outside what Neo4j holds (year, offset, non-finite coordinate, unknown
 * crs, a Duration field beyond 64 bits).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { decodePythonLiteral } from "./_python_record.ts";
 *
 * equal(String(decodePythonLiteral("$time('12:50:35.556000000')")), "12:50:35.556000000");
 * // -04:30 as Python drivers before 6.0 write -03:30 (see above)
 * equal(
 *   String(decodePythonLiteral("$time('12:50:35.556000000-04:30')")),
 *   "12:50:35.556000000-03:30",
 * );
 * ```
 */
export function decodePythonLiteral(text: string): ScalarValue | undefined {
  return decodeLiteral(text)?.value;
}

function decodeLiteral(
  text: string,
): { type: LiteralType; value: ScalarValue } | undefined {
  if (text.charCodeAt(0) !== 0x24) return undefined; // "$"
  if (text.startsWith("$point(")) {
    return { type: "Point", value: decodePoint(text) };
  }
  if (text.startsWith("$date(")) {
    const f = new TemporalParser("Date", temporalText(text, "$date("))
      .date().end().fields;
    return { type: "Date", value: new Neo4jDate(f.year, f.month, f.day) };
  }
  if (text.startsWith("$time(")) {
    const value = decodeTime(text);
    return { type: value instanceof Time ? "Time" : "LocalTime", value };
  }
  if (text.startsWith("$datetime(")) {
    const value = decodeDateTime(text);
    return {
      type: value instanceof DateTime ? "DateTime" : "LocalDateTime",
      value,
    };
  }
  if (text.startsWith("$duration(")) {
    return { type: "Duration", value: decodeDuration(text) };
  }
  return undefined;
}

function isLiteral(text: string): boolean {
  return text.charCodeAt(0) === 0x24 &&
    PYTHON_LITERAL_PREFIXES.some((prefix) => text.startsWith(prefix));
}

function describe(json: JsonValue): string {
  if (json === null) return "null";
  if (Array.isArray(json)) return "a list";
  if (typeof json === "object") return "a map";
  return typeof json;
}

function scalar(json: JsonValue): ScalarValue {
  switch (typeof json) {
    case "string":
    case "boolean":
    case "number":
      return json;
    case "bigint":
      if (json < INT64_MIN || json > INT64_MAX) {
        throw new RangeError(
          `Integer ${json} is out of range: integers are signed 64-bit`,
        );
      }
      return json;
  }
  if (isObject(json)) {
    const keys = Object.keys(json);
    const token = ownValue(json, FLOAT_KEY);
    if (keys.length === 1 && typeof token === "string") {
      if (token === "NaN") return NaN;
      if (token === "Infinity") return Infinity;
      if (token === "-Infinity") return -Infinity;
    }
  }
  throw new SyntaxError(
    `Invalid property value: ${describe(json)} is not a property value here`,
  );
}

/**
 * Decodes a property value of a Python backup into the value neo4j-driver would read (with
 * `useBigInt: true`).
 *
 * - A top-level string that starts with an encoded-value prefix is decoded; when `strict`
 *   (records of 0.4.0 and later, which hash real strings of that form) a malformed one is an
 *   error, otherwise (older records) it stays a string.
 * - A list whose elements are all encoded values of one type becomes a list of that type; any
 *   other list keeps its strings as strings (the Python tool never hashes list elements, so a
 *   list of strings that all happen to be well-formed encoded values of one type cannot be told
 *   from a list of such values).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { decodePythonValue } from "./_python_record.ts";
 *
 * deepEqual(String(decodePythonValue(["$date('2020-01-01')"], true)), "2020-01-01");
 * deepEqual(decodePythonValue(["a", "$date(x)"], true), ["a", "$date(x)"]);
 * ```
 */
export function decodePythonValue(
  json: JsonValue,
  strict: boolean,
): PropertyValue {
  if (typeof json === "string") {
    if (!isLiteral(json)) return json;
    if (strict) return decodeLiteral(json)!.value;
    try {
      return decodeLiteral(json)!.value;
    } catch {
      return json;
    }
  }
  if (!Array.isArray(json)) return scalar(json);
  const length = json.length;
  if (
    length > 0 && json.every((e) => typeof e === "string" && isLiteral(e))
  ) {
    const decoded: ScalarValue[] = new Array(length);
    let type: LiteralType | undefined;
    let typed = true;
    for (let i = 0; i < length && typed; i++) {
      try {
        const literal = decodeLiteral(json[i] as string)!;
        if (type !== undefined && literal.type !== type) typed = false;
        type = literal.type;
        decoded[i] = literal.value;
      } catch {
        typed = false;
      }
    }
    if (typed) return decoded;
    return json as string[];
  }
  const list: ScalarValue[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const element = json[i]!;
    if (Array.isArray(element)) {
      throw new SyntaxError("Invalid property value: a list inside a list");
    }
    list[i] = scalar(element);
  }
  return list;
}

/**
 * The labels of a `node_labels` string: `""` is none, `"A:B"` is A and B. A label that contains
 * `:` is written the same as the labels around its colons; it is kept whole where it is one of
 * `colonLabels` (the labels of the backup's uniqueness constraints that contain `:`), and split
 * otherwise.
 */
export function splitLabels(
  text: string,
  colonLabels: readonly string[] = [],
): string[] {
  if (text === "") return [];
  const pieces = text.split(":");
  if (pieces.length === 1) return pieces;
  const known = colonLabels.map((label) => label.split(":"))
    .sort((a, b) => b.length - a.length);
  const labels: string[] = [];
  for (let i = 0; i < pieces.length;) {
    const whole = known.find((parts) =>
      parts.every((part, j) => pieces[i + j] === part)
    );
    const label = whole ? whole.join(":") : pieces[i]!;
    i += whole ? whole.length : 1;
    if (label === "") {
      throw new SyntaxError(
        `field "node_labels" ${
          JSON.stringify(text)
        } holds an empty label (a label that starts or ends with ":" cannot be read back)`,
      );
    }
    if (!labels.includes(label)) labels.push(label);
  }
  return labels;
}

function field<T>(
  json: JsonObject,
  key: string,
  check: (value: JsonValue) => value is T & JsonValue,
  expected: string,
): T {
  const value = ownValue(json, key);
  if (value === undefined) throw new SyntaxError(`field "${key}" is missing`);
  if (!check(value)) throw new SyntaxError(`field "${key}" is not ${expected}`);
  return value;
}

const isBigint = (v: JsonValue): v is bigint => typeof v === "bigint";
const isString = (v: JsonValue): v is string => typeof v === "string";

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * The properties of a record, hashed strings restored. Property keys are data (`constructor`
 * and `__proto__` are keys like any other): `props` and `hash_props` are read by their own
 * keys only, and the result gets its keys as own properties (see lib/codec/_own.ts).
 */
function properties(json: JsonObject, key: string): Properties {
  const props = field(json, key, isObject, "an object");
  const hashed = ownValue(json, "hash_props");
  if (hashed !== undefined && !isObject(hashed)) {
    throw new SyntaxError(`field "hash_props" is not an object`);
  }
  const strict = hashed !== undefined;
  const result: Properties = {};
  for (const name of Object.keys(props)) {
    const value = props[name]!;
    const original = hashed === undefined ? undefined : ownValue(hashed, name);
    if (original !== undefined) {
      if (typeof original !== "string") {
        throw new SyntaxError(`hash_props "${name}" is not a string`);
      }
      if (value !== sha256(original)) {
        throw new SyntaxError(
          `property "${name}" is not the SHA-256 of its text in hash_props`,
        );
      }
      setOwn(result, name, original);
      continue;
    }
    try {
      setOwn(result, name, decodePythonValue(value, strict));
    } catch (error) {
      const Kind = error instanceof RangeError ? RangeError : SyntaxError;
      throw new Kind(`property "${name}": ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (hashed) {
    for (const name of Object.keys(hashed)) {
      if (!Object.hasOwn(props, name)) {
        throw new SyntaxError(
          `hash_props holds "${name}", which ${key} does not`,
        );
      }
    }
  }
  return result;
}

/**
 * The record of one element of a Python backup's data file (its JSON text, bare float tokens
 * and all). Throws a SyntaxError naming the field for a record of the wrong shape, and what
 * {@linkcode decodePythonValue} throws (prefixed with the property's name) for a bad value.
 */
export function parsePythonRecord(
  text: string,
  kind: BackupRecord["kind"],
  colonLabels: readonly string[] = [],
): BackupRecord {
  const json = parseJson(replaceBareFloats(text));
  if (!isObject(json)) throw new SyntaxError("the record is not a JSON object");
  const keys = kind === "node" ? NODE_KEYS : RELATIONSHIP_KEYS;
  for (const key of Object.keys(json)) {
    if (!keys.has(key)) throw new SyntaxError(`unknown field "${key}"`);
  }
  if (kind === "node") {
    const node: NodeRecord = {
      kind,
      id: field(json, "node_id", isBigint, "an integer"),
      labels: splitLabels(
        field(json, "node_labels", isString, "a string"),
        colonLabels,
      ),
      properties: properties(json, "node_props"),
    };
    return node;
  }
  const type = field(json, "rel_type", isString, "a string");
  if (type === "") throw new SyntaxError(`field "rel_type" is empty`);
  const relationship: RelationshipRecord = {
    kind,
    id: field(json, "rel_id", isBigint, "an integer"),
    type,
    startId: field(json, "start_node_id", isBigint, "an integer"),
    endId: field(json, "end_node_id", isBigint, "an integer"),
    properties: properties(json, "rel_props"),
  };
  return relationship;
}

/** Options for {@linkcode PythonRecordParseStream}. */
export interface PythonRecordParseStreamOptions {
  /** What the file holds, as its name says (`nodes` or `relationships`). */
  kind: RecordKind;
  /** The file's path within the backup, for error messages. */
  file: string;
  /** Labels containing `:` that the backup names elsewhere (see {@linkcode splitLabels}). */
  colonLabels?: readonly string[];
  /**
   * How the error message starts.
   * @default {"Invalid backup"}
   */
  context?: string;
}

/**
 * Turns batches of record texts of a Python backup's data file (from `JsonArrayParseStream`)
 * into batches of records. A bad record fails the stream with a {@linkcode BackupError}
 * (`INVALID_BACKUP`) that names the file and the record's 1-based number, and keeps the cause.
 */
export class PythonRecordParseStream
  extends TransformStream<string[], BackupRecord[]> {
  #cursor: RecordCursor;

  /** Makes a stream for one data file. */
  constructor(options: PythonRecordParseStreamOptions) {
    const kind = recordKindOf(options.kind);
    const colonLabels = options.colonLabels ?? [];
    const cursor: RecordCursor = {
      context: options.context ?? "Invalid backup",
      file: options.file,
      count: 0,
    };
    super({
      transform: (batch, controller) => {
        controller.enqueue(parseRecordBatch(
          batch,
          (text) => parsePythonRecord(text, kind, colonLabels),
          cursor,
        ));
      },
    });
    this.#cursor = cursor;
  }

  /** Records read so far. */
  get count(): number {
    return this.#cursor.count;
  }
}
