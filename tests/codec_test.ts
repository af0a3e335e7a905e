import { deepEqual, equal, ok, throws } from "node:assert/strict";
import fc from "fast-check";
import neo4j, { type Integer, isInt } from "neo4j-driver";
// The driver's own Bolt layer, to check values the way the driver sends and reads them.
import { BoltProtocol, channel } from "npm:neo4j-driver-bolt-connection@6.3.0";
import { jsonToValue } from "../lib/codec/json_to_value.ts";
import { parseJson } from "../lib/codec/parse_json.ts";
import { stringifyJson } from "../lib/codec/stringify_json.ts";
import type {
  JsonValue,
  PropertyValue,
  ScalarValue,
} from "../lib/codec/types.ts";
import { valueToJson } from "../lib/codec/value_to_json.ts";

const { Date, DateTime, Duration, LocalDateTime, LocalTime, Point, Time } =
  neo4j.types;
const { vector } = neo4j;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MIN_YEAR = -999_999_999;
const MAX_YEAR = 999_999_999;
const ZONES = [
  "Europe/London",
  "America/St_Johns",
  "Asia/Kathmandu",
  "Pacific/Chatham",
  "UTC",
  "America/New_York",
  "Australia/Lord_Howe",
] as const;

// ---------------------------------------------------------------------------------------------
// Helpers

/** A field of a driver object that holds an integer, as a bigint whatever its JS type. */
function integerField(value: unknown): unknown {
  if (typeof value === "number" && Number.isInteger(value)) {
    return BigInt(value);
  }
  if (isInt(value)) return (value as Integer).toBigInt();
  return value;
}

function constructorName(value: object): string {
  return (value as { constructor?: { name?: string } }).constructor?.name ?? "";
}

/**
 * Structural equality of property values: driver classes by constructor name and every field,
 * floats with Object.is semantics (NaN equals NaN, 0 differs from -0), integer fields of driver
 * objects compared as bigints whatever their JS type.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (
    typeof a !== "object" || a === null || typeof b !== "object" || b === null
  ) {
    return Object.is(a, b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
      return false;
    }
    return a.every((element, i) => sameValue(element, b[i]));
  }
  if (constructorName(a) !== constructorName(b)) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (neo4j.isVector(a)) {
    return neo4j.isVector(b) && a.getType() === b.getType() &&
      sameValue(a.asTypedArray(), b.asTypedArray());
  }
  const isPoint = neo4j.isPoint(a);
  const isPlain = constructorName(a) === "Object";
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (isPlain) {
      // A JSON object: its members compare as JSON values (1n differs from 1).
      if (!(key in a) || !(key in b) || !sameValue(x, y)) return false;
      continue;
    }
    const floatField = isPoint && (key === "x" || key === "y" || key === "z");
    if (
      floatField
        ? !Object.is(x, y)
        : !Object.is(integerField(x), integerField(y))
    ) return false;
  }
  return true;
}

function show(value: unknown): string {
  return Deno.inspect(value, {
    depth: 4,
    strAbbreviateSize: 200,
    iterableLimit: 20,
  });
}

function assertSame(actual: unknown, expected: unknown, message = ""): void {
  ok(
    sameValue(actual, expected),
    `${message}\nactual:   ${show(actual)}\nexpected: ${show(expected)}`,
  );
}

interface Packer {
  packable(value: unknown, dehydrate: (value: unknown) => unknown): () => void;
}
interface Unpacker {
  unpack(buffer: unknown, hydrate: (value: unknown) => unknown): unknown;
}
interface Protocol {
  _packer: Packer;
  _unpacker: Unpacker;
  transformer: {
    toStructure(value: unknown): unknown;
    fromStructure(value: unknown): unknown;
  };
}
const silentLogger = {
  warn(): void {},
  isDebugEnabled: (): boolean => false,
  isWarnEnabled: (): boolean => false,
};

/** Checks that neo4j-driver read `value` back as a value of the same classes. */
function checkReadable(sent: unknown, read: unknown): void {
  if (Array.isArray(sent)) {
    ok(Array.isArray(read) && read.length === sent.length);
    sent.forEach((element, i) => checkReadable(element, read[i]));
  } else if (typeof sent === "object" && sent !== null) {
    // A value the driver cannot read is a "broken object" that throws on every access.
    equal(constructorName(read as object), constructorName(sent));
  }
}

/**
 * Sends `value` through neo4j-driver's Bolt 6 packing as a query parameter and reads the bytes
 * back as a result value with `useBigInt: true`: what the driver would send, and what it reads
 * from a server that echoes it.
 */
function throughDriver(value: unknown, size = 1 << 12): unknown {
  const buffer =
    (channel as unknown as { alloc(size: number): { reset(): void } }).alloc(
      size,
    );
  const Protocol = BoltProtocol as unknown as new (
    server: object,
    chunker: unknown,
    config: { useBigInt: boolean },
    createResponseHandler: undefined,
    log: object,
  ) => Protocol;
  const protocol = new Protocol(
    {},
    buffer,
    { useBigInt: true },
    undefined,
    silentLogger,
  );
  protocol._packer.packable(value, protocol.transformer.toStructure)();
  buffer.reset();
  const read = protocol._unpacker.unpack(
    buffer,
    protocol.transformer.fromStructure,
  );
  checkReadable(value, read);
  return read;
}

/** Encodes, writes, parses and decodes `value`; returns the text and the decoded value. */
function roundTrip(
  value: PropertyValue,
): { text: string; decoded: PropertyValue } {
  const text = stringifyJson(valueToJson(value));
  const decoded = jsonToValue(parseJson(text));
  assertSame(decoded, value, `round trip through ${text}`);
  equal(
    stringifyJson(valueToJson(decoded)),
    text,
    "the decoded value encodes to the same text",
  );
  return { text, decoded };
}

/** Checks that the driver sends the decoded value as it sends the original. */
function checkDriverRoundTrip(
  value: PropertyValue,
  decoded: PropertyValue,
  size?: number,
): void {
  assertSame(
    throughDriver(decoded, size),
    throughDriver(value, size),
    "the driver sends and reads the decoded value as the original",
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const B = BigInt;

Deno.test("sameValue() tells apart what the codec must keep apart", () => {
  ok(sameValue(1n, 1n) && sameValue(NaN, NaN) && sameValue([1, "a"], [1, "a"]));
  ok(
    !sameValue(1n, 1) && !sameValue(0, -0) && !sameValue([1n], [1n, 2n]) &&
      !sameValue(1n, "1"),
  );
  ok(
    sameValue(new Date(2024n, 1n, 2n), new Date(2024, 1, 2)),
    "integer fields by value",
  );
  ok(!sameValue(new Date(2024n, 1n, 2n), new Date(2024n, 1n, 3n)));
  ok(
    !sameValue(
      new Date(2024n, 1n, 2n),
      new LocalDateTime(2024n, 1n, 2n, 0n, 0n, 0n, 0n),
    ),
  );
  ok(
    !sameValue(new Point(7203n, 0, 1), new Point(7203n, -0, 1)),
    "coordinates by Object.is",
  );
  ok(!sameValue(new Point(7203n, 1, 1), new Point(4326n, 1, 1)));
  ok(
    !sameValue(
      new DateTime(2024n, 1n, 1n, 0n, 0n, 0n, 0n, 0n, "UTC"),
      new DateTime(2024n, 1n, 1n, 0n, 0n, 0n, 0n, undefined, "UTC"),
    ),
  );
  ok(!sameValue(new Int8Array([1]), new Uint8Array([1])));
  ok(!sameValue(vector(new Int8Array([1])), vector(new Int16Array([1]))));
  ok(
    !sameValue(vector(new Float32Array([NaN])), vector(new Float32Array([0]))),
  );
  ok(!sameValue({ a: 1n }, { a: 1 }) && !sameValue({ a: 1n }, { b: 1n }));
});

// ---------------------------------------------------------------------------------------------
// Every type, with its exact text

interface Case {
  name: string;
  value: PropertyValue;
  /** The exact text of `stringifyJson(valueToJson(value))`. */
  text: string;
  /** Whether neo4j-driver can send and read the value (zoned DateTimes need a JS Date). */
  driver?: boolean;
}

const f = (value: string): string => `{"$type":"Float","value":"${value}"}`;
const tagged = (type: string, value: string): string =>
  `{"$type":"${type}","value":"${value}"}`;

/** What the driver reads for a zoned DateTime it sends without an offset. */
function zoned(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  nanosecond: number,
  zone: string,
): ScalarValue {
  return throughDriver(
    new DateTime(
      B(year),
      B(month),
      B(day),
      B(hour),
      B(minute),
      B(second),
      B(nanosecond),
      undefined,
      zone,
    ),
  ) as ScalarValue;
}

const CASES: Case[] = [
  // Integer
  { name: "Integer 0", value: 0n, text: "0" },
  { name: "Integer -2^63", value: INT64_MIN, text: "-9223372036854775808" },
  { name: "Integer 2^63-1", value: INT64_MAX, text: "9223372036854775807" },
  { name: "Integer 2^53+1", value: 2n ** 53n + 1n, text: "9007199254740993" },
  { name: "Integer -1", value: -1n, text: "-1" },
  // Float
  { name: "Float 1.0 stays a float", value: 1, text: "1.0" },
  { name: "Float -0.0", value: -0, text: "-0.0" },
  { name: "Float 0.0", value: 0, text: "0.0" },
  { name: "Float 0.1", value: 0.1, text: "0.1" },
  { name: "Float -1.5", value: -1.5, text: "-1.5" },
  { name: "Float NaN", value: NaN, text: f("NaN") },
  { name: "Float Infinity", value: Infinity, text: f("Infinity") },
  { name: "Float -Infinity", value: -Infinity, text: f("-Infinity") },
  {
    name: "Float Number.MAX_VALUE",
    value: Number.MAX_VALUE,
    text: "1.7976931348623157e+308",
  },
  { name: "Float Number.MIN_VALUE", value: Number.MIN_VALUE, text: "5e-324" },
  { name: "Float 2^53+2", value: 2 ** 53 + 2, text: "9007199254740994.0" },
  { name: "Float 1e20", value: 1e20, text: "100000000000000000000.0" },
  { name: "Float 1e21", value: 1e21, text: "1e+21" },
  { name: "Float -1e-7", value: -1e-7, text: "-1e-7" },
  // Boolean
  { name: "Boolean true", value: true, text: "true" },
  { name: "Boolean false", value: false, text: "false" },
  // String
  { name: "String empty", value: "", text: '""' },
  { name: "String astral", value: "\u{1F600}", text: '"\u{1F600}"' },
  {
    name: "String Unicode",
    value:
      "h\u00e9llo w\u00f6rld \u4e16\u754c \u0645\u0631\u062d\u0628\u0627 \u{1D11E}",
    text:
      '"h\u00e9llo w\u00f6rld \u4e16\u754c \u0645\u0631\u062d\u0628\u0627 \u{1D11E}"',
  },
  {
    name: "String quotes, backslashes, newlines",
    value: 'say "hi"\\\n\r\t\u0000\u001f',
    text: '"say \\"hi\\"\\\\\\n\\r\\t\\u0000\\u001f"',
  },
  {
    name: "String like $date()",
    value: "$date('2024-01-01')",
    text: `"$date('2024-01-01')"`,
  },
  {
    name: "String like a tagged value",
    value: '{"$type":"Date","value":"2024-01-01"}',
    text: '"{\\"$type\\":\\"Date\\",\\"value\\":\\"2024-01-01\\"}"',
  },
  // ByteArray
  {
    name: "ByteArray empty",
    value: new Int8Array(0),
    text: tagged("ByteArray", ""),
  },
  {
    name: "ByteArray signed bytes",
    value: new Int8Array([0, 1, -1, 127, -128]),
    text: tagged("ByteArray", "AAH/f4A="),
  },
  // Date
  {
    name: "Date leap day",
    value: new Date(2024n, 2n, 29n),
    text: tagged("Date", "2024-02-29"),
  },
  {
    name: "Date year 0",
    value: new Date(0n, 1n, 1n),
    text: tagged("Date", "0000-01-01"),
  },
  {
    name: "Date year -1",
    value: new Date(-1n, 12n, 31n),
    text: tagged("Date", "-0001-12-31"),
  },
  {
    name: "Date year -44",
    value: new Date(-44n, 3n, 15n),
    text: tagged("Date", "-0044-03-15"),
  },
  {
    name: "Date year 9999",
    value: new Date(9999n, 12n, 31n),
    text: tagged("Date", "9999-12-31"),
  },
  {
    name: "Date year 10000",
    value: new Date(10000n, 1n, 1n),
    text: tagged("Date", "+10000-01-01"),
  },
  {
    name: "Date year -10000",
    value: new Date(-10000n, 2n, 29n),
    text: tagged("Date", "-10000-02-29"),
  },
  {
    name: "Date year -999999999",
    value: new Date(B(MIN_YEAR), 1n, 1n),
    text: tagged("Date", "-999999999-01-01"),
  },
  {
    name: "Date year +999999999",
    value: new Date(B(MAX_YEAR), 12n, 31n),
    text: tagged("Date", "+999999999-12-31"),
  },
  // LocalTime
  {
    name: "LocalTime midnight",
    value: new LocalTime(0n, 0n, 0n, 0n),
    text: tagged("LocalTime", "00:00:00"),
  },
  {
    name: "LocalTime 1 nanosecond",
    value: new LocalTime(0n, 0n, 0n, 1n),
    text: tagged("LocalTime", "00:00:00.000000001"),
  },
  {
    name: "LocalTime 999999999 nanoseconds",
    value: new LocalTime(23n, 59n, 59n, 999_999_999n),
    text: tagged("LocalTime", "23:59:59.999999999"),
  },
  {
    name: "LocalTime milliseconds",
    value: new LocalTime(12n, 50n, 35n, 556_000_000n),
    text: tagged("LocalTime", "12:50:35.556"),
  },
  {
    name: "LocalTime half a second",
    value: new LocalTime(7n, 5n, 3n, 500_000_000n),
    text: tagged("LocalTime", "07:05:03.5"),
  },
  // Time
  {
    name: "Time offset 0",
    value: new Time(12n, 50n, 35n, 556_000_000n, 0n),
    text: tagged("Time", "12:50:35.556+00:00"),
  },
  {
    name: "Time offset -03:30",
    value: new Time(1n, 2n, 3n, 0n, -12_600n),
    text: tagged("Time", "01:02:03-03:30"),
  },
  {
    name: "Time offset +05:45",
    value: new Time(1n, 2n, 3n, 1n, 20_700n),
    text: tagged("Time", "01:02:03.000000001+05:45"),
  },
  {
    name: "Time offset +14:00",
    value: new Time(23n, 59n, 59n, 999_999_999n, 50_400n),
    text: tagged("Time", "23:59:59.999999999+14:00"),
  },
  {
    name: "Time offset -18:00",
    value: new Time(0n, 0n, 0n, 0n, -64_800n),
    text: tagged("Time", "00:00:00-18:00"),
  },
  {
    name: "Time offset +18:00",
    value: new Time(0n, 0n, 0n, 0n, 64_800n),
    text: tagged("Time", "00:00:00+18:00"),
  },
  {
    name: "Time offset with seconds",
    value: new Time(10n, 0n, 0n, 0n, 3723n),
    text: tagged("Time", "10:00:00+01:02:03"),
  },
  {
    name: "Time offset of -30 seconds",
    value: new Time(10n, 0n, 0n, 0n, -30n),
    text: tagged("Time", "10:00:00-00:00:30"),
  },
  // LocalDateTime
  {
    name: "LocalDateTime year -999999999",
    value: new LocalDateTime(B(MIN_YEAR), 1n, 1n, 0n, 0n, 0n, 0n),
    text: tagged("LocalDateTime", "-999999999-01-01T00:00:00"),
  },
  {
    name: "LocalDateTime year +999999999",
    value: new LocalDateTime(
      B(MAX_YEAR),
      12n,
      31n,
      23n,
      59n,
      59n,
      999_999_999n,
    ),
    text: tagged("LocalDateTime", "+999999999-12-31T23:59:59.999999999"),
  },
  {
    name: "LocalDateTime year 0",
    value: new LocalDateTime(0n, 2n, 29n, 12n, 0n, 0n, 1n),
    text: tagged("LocalDateTime", "0000-02-29T12:00:00.000000001"),
  },
  {
    name: "LocalDateTime year -1",
    value: new LocalDateTime(-1n, 12n, 31n, 23n, 59n, 59n, 0n),
    text: tagged("LocalDateTime", "-0001-12-31T23:59:59"),
  },
  {
    name: "LocalDateTime 2015-07-04",
    value: new LocalDateTime(2015n, 7n, 4n, 19n, 32n, 24n, 1n),
    text: tagged("LocalDateTime", "2015-07-04T19:32:24.000000001"),
  },
  // DateTime with an offset
  {
    name: "DateTime offset -03:30",
    value: new DateTime(2015n, 6n, 24n, 12n, 50n, 35n, 556_000_000n, -12_600n),
    text: tagged("DateTime", "2015-06-24T12:50:35.556-03:30"),
  },
  {
    name: "DateTime offset 0",
    value: new DateTime(2015n, 6n, 24n, 12n, 50n, 35n, 0n, 0n),
    text: tagged("DateTime", "2015-06-24T12:50:35+00:00"),
  },
  {
    name: "DateTime offset +14:00",
    value: new DateTime(2024n, 1n, 1n, 0n, 0n, 0n, 0n, 50_400n),
    text: tagged("DateTime", "2024-01-01T00:00:00+14:00"),
  },
  {
    name: "DateTime offset -18:00 with seconds",
    value: new DateTime(2024n, 1n, 1n, 0n, 0n, 0n, 0n, -64_799n),
    text: tagged("DateTime", "2024-01-01T00:00:00-17:59:59"),
  },
  {
    name: "DateTime year -999999999",
    value: new DateTime(B(MIN_YEAR), 1n, 1n, 0n, 0n, 0n, 0n, -64_800n),
    text: tagged("DateTime", "-999999999-01-01T00:00:00-18:00"),
  },
  {
    name: "DateTime year +999999999",
    value: new DateTime(
      B(MAX_YEAR),
      12n,
      31n,
      23n,
      59n,
      59n,
      999_999_999n,
      64_800n,
    ),
    text: tagged("DateTime", "+999999999-12-31T23:59:59.999999999+18:00"),
  },
  {
    name: "DateTime year 0",
    value: new DateTime(0n, 1n, 1n, 0n, 0n, 0n, 1n, 20_700n),
    text: tagged("DateTime", "0000-01-01T00:00:00.000000001+05:45"),
  },
  {
    name: "DateTime year -1",
    value: new DateTime(-1n, 1n, 1n, 0n, 0n, 0n, 0n, 3600n),
    text: tagged("DateTime", "-0001-01-01T00:00:00+01:00"),
  },
  // DateTime with a zone, as the driver reads it (with the offset it computes)
  {
    name: "DateTime zone Europe/London",
    value: zoned(2015, 6, 24, 12, 50, 35, 556_000_000, "Europe/London"),
    text: tagged("DateTime", "2015-06-24T12:50:35.556+01:00[Europe/London]"),
  },
  {
    name: "DateTime zone Europe/London in winter",
    value: zoned(2015, 1, 24, 12, 50, 35, 0, "Europe/London"),
    text: tagged("DateTime", "2015-01-24T12:50:35+00:00[Europe/London]"),
  },
  {
    name:
      "DateTime zone Europe/London before railway time (offset with seconds)",
    value: zoned(1800, 1, 1, 0, 0, 0, 0, "Europe/London"),
    text: tagged("DateTime", "1800-01-01T00:00:00-00:01:15[Europe/London]"),
  },
  {
    name: "DateTime zone America/St_Johns",
    value: zoned(2024, 1, 15, 8, 0, 0, 0, "America/St_Johns"),
    text: tagged("DateTime", "2024-01-15T08:00:00-03:30[America/St_Johns]"),
  },
  {
    name: "DateTime zone America/St_Johns in summer",
    value: zoned(2024, 7, 15, 8, 0, 0, 0, "America/St_Johns"),
    text: tagged("DateTime", "2024-07-15T08:00:00-02:30[America/St_Johns]"),
  },
  {
    name: "DateTime zone Asia/Kathmandu",
    value: zoned(2024, 7, 15, 12, 0, 0, 1, "Asia/Kathmandu"),
    text: tagged(
      "DateTime",
      "2024-07-15T12:00:00.000000001+05:45[Asia/Kathmandu]",
    ),
  },
  {
    name: "DateTime zone Pacific/Chatham",
    value: zoned(2024, 1, 15, 12, 0, 0, 999_999_999, "Pacific/Chatham"),
    text: tagged(
      "DateTime",
      "2024-01-15T12:00:00.999999999+13:45[Pacific/Chatham]",
    ),
  },
  {
    name: "DateTime zone Pacific/Chatham in winter",
    value: zoned(2024, 7, 15, 12, 0, 0, 0, "Pacific/Chatham"),
    text: tagged("DateTime", "2024-07-15T12:00:00+12:45[Pacific/Chatham]"),
  },
  {
    name: "DateTime zone without an offset",
    value: new DateTime(
      2015n,
      6n,
      24n,
      12n,
      50n,
      35n,
      0n,
      undefined,
      "Europe/London",
    ),
    text: tagged("DateTime", "2015-06-24T12:50:35[Europe/London]"),
  },
  {
    name: "DateTime zone at year +999999999 (the driver cannot read it)",
    value: new DateTime(
      B(MAX_YEAR),
      12n,
      31n,
      23n,
      59n,
      59n,
      0n,
      0n,
      "Europe/London",
    ),
    text: tagged("DateTime", "+999999999-12-31T23:59:59+00:00[Europe/London]"),
    driver: false,
  },
  {
    name: "DateTime zone at year -999999999 (the driver cannot read it)",
    value: new DateTime(
      B(MIN_YEAR),
      1n,
      1n,
      0n,
      0n,
      0n,
      0n,
      -75n,
      "Europe/London",
    ),
    text: tagged(
      "DateTime",
      "-999999999-01-01T00:00:00-00:01:15[Europe/London]",
    ),
    driver: false,
  },
  // Duration
  {
    name: "Duration zero",
    value: new Duration(0n, 0n, 0n, 0n),
    text:
      '{"$type":"Duration","months":0,"days":0,"seconds":0,"nanoseconds":0}',
  },
  {
    name: "Duration negative",
    value: new Duration(-14n, -3n, -3723n, 500_000_000n),
    text:
      '{"$type":"Duration","months":-14,"days":-3,"seconds":-3723,"nanoseconds":500000000}',
  },
  {
    name: "Duration mixed signs",
    value: new Duration(1n, -2n, 3n, 999_999_999n),
    text:
      '{"$type":"Duration","months":1,"days":-2,"seconds":3,"nanoseconds":999999999}',
  },
  {
    name: "Duration huge seconds",
    value: new Duration(INT64_MAX, INT64_MIN, INT64_MAX, 1n),
    text:
      '{"$type":"Duration","months":9223372036854775807,"days":-9223372036854775808,' +
      '"seconds":9223372036854775807,"nanoseconds":1}',
  },
  {
    name: "Duration most negative seconds",
    value: new Duration(0n, 0n, INT64_MIN, 0n),
    text:
      '{"$type":"Duration","months":0,"days":0,"seconds":-9223372036854775808,"nanoseconds":0}',
  },
  // Point
  {
    name: "Point cartesian (7203)",
    value: new Point(7203n, 1, -2.5),
    text: '{"$type":"Point","srid":7203,"x":1.0,"y":-2.5}',
  },
  {
    name: "Point cartesian-3d (9157)",
    value: new Point(9157n, -0, Number.MAX_VALUE, Number.MIN_VALUE),
    text:
      '{"$type":"Point","srid":9157,"x":-0.0,"y":1.7976931348623157e+308,"z":5e-324}',
  },
  {
    name: "Point wgs-84 (4326)",
    value: new Point(4326n, 12.994823, 55.612191),
    text: '{"$type":"Point","srid":4326,"x":12.994823,"y":55.612191}',
  },
  {
    name: "Point wgs-84-3d (4979)",
    value: new Point(4979n, -180, 90, 1e21),
    text: '{"$type":"Point","srid":4979,"x":-180.0,"y":90.0,"z":1e+21}',
  },
  // Vector
  {
    name: "Vector INT8",
    value: vector(new Int8Array([-128, 0, 127])),
    text: '{"$type":"Vector","dtype":"INT8","values":[-128,0,127]}',
  },
  {
    name: "Vector INT16",
    value: vector(new Int16Array([-32768, 1, 32767])),
    text: '{"$type":"Vector","dtype":"INT16","values":[-32768,1,32767]}',
  },
  {
    name: "Vector INT32",
    value: vector(new Int32Array([-2147483648, 2147483647])),
    text:
      '{"$type":"Vector","dtype":"INT32","values":[-2147483648,2147483647]}',
  },
  {
    name: "Vector INT64",
    value: vector(new BigInt64Array([INT64_MIN, 0n, INT64_MAX])),
    text:
      '{"$type":"Vector","dtype":"INT64","values":[-9223372036854775808,0,9223372036854775807]}',
  },
  {
    name: "Vector FLOAT32",
    value: vector(
      new Float32Array([1, -0, 0.5, 3.4028234663852886e38, NaN, -Infinity]),
    ),
    text:
      '{"$type":"Vector","dtype":"FLOAT32","values":[1.0,-0.0,0.5,3.4028234663852886e+38,' +
      `${f("NaN")},${f("-Infinity")}]}`,
  },
  {
    name: "Vector FLOAT64",
    value: vector(new Float64Array([0.1, Number.MIN_VALUE, Infinity])),
    text: `{"$type":"Vector","dtype":"FLOAT64","values":[0.1,5e-324,${
      f("Infinity")
    }]}`,
  },
  // Lists
  { name: "List empty", value: [], text: "[]" },
  {
    name: "List of Integer",
    value: [1n, INT64_MIN, INT64_MAX],
    text: "[1,-9223372036854775808,9223372036854775807]",
  },
  {
    name: "List of Float",
    value: [1, -0, NaN, 0.25],
    text: `[1.0,-0.0,${f("NaN")},0.25]`,
  },
  { name: "List of Boolean", value: [true, false], text: "[true,false]" },
  {
    name: "List of String",
    value: ["", "a", "\u{1F600}"],
    text: '["","a","\u{1F600}"]',
  },
  {
    name: "List of Date",
    value: [new Date(2024n, 2n, 29n), new Date(-1n, 1n, 1n)],
    text: `[${tagged("Date", "2024-02-29")},${tagged("Date", "-0001-01-01")}]`,
  },
  {
    name: "List of LocalTime",
    value: [new LocalTime(1n, 2n, 3n, 4n)],
    text: `[${tagged("LocalTime", "01:02:03.000000004")}]`,
  },
  {
    name: "List of Time",
    value: [new Time(1n, 2n, 3n, 0n, 0n), new Time(1n, 2n, 3n, 0n, -3600n)],
    text: `[${tagged("Time", "01:02:03+00:00")},${
      tagged("Time", "01:02:03-01:00")
    }]`,
  },
  {
    name: "List of LocalDateTime",
    value: [new LocalDateTime(2024n, 1n, 1n, 0n, 0n, 0n, 0n)],
    text: `[${tagged("LocalDateTime", "2024-01-01T00:00:00")}]`,
  },
  {
    name: "List of DateTime",
    value: [
      new DateTime(2024n, 1n, 1n, 0n, 0n, 0n, 0n, 0n),
      zoned(2024, 1, 15, 8, 0, 0, 0, "America/St_Johns"),
    ],
    text: `[${tagged("DateTime", "2024-01-01T00:00:00+00:00")},${
      tagged("DateTime", "2024-01-15T08:00:00-03:30[America/St_Johns]")
    }]`,
  },
  {
    name: "List of Duration",
    value: [new Duration(1n, 2n, 3n, 4n)],
    text:
      '[{"$type":"Duration","months":1,"days":2,"seconds":3,"nanoseconds":4}]',
  },
  {
    name: "List of Point",
    value: [new Point(7203n, 1, 2), new Point(7203n, 3, 4)],
    text:
      '[{"$type":"Point","srid":7203,"x":1.0,"y":2.0},{"$type":"Point","srid":7203,"x":3.0,"y":4.0}]',
  },
];

Deno.test("valueToJson() writes every type as its exact text and jsonToValue() reads it back", async (t) => {
  for (const c of CASES) {
    await t.step(c.name, () => {
      const { text, decoded } = roundTrip(c.value);
      equal(text, c.text);
      if (c.driver !== false) checkDriverRoundTrip(c.value, decoded);
    });
  }
});

Deno.test("valueToJson() and jsonToValue() round-trip a 1 MiB ByteArray", () => {
  const bytes = new Int8Array(1 << 20);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + (i >> 8)) & 0xff;
  const { text, decoded } = roundTrip(bytes);
  ok(text.startsWith('{"$type":"ByteArray","value":"'));
  equal(text.length, 30 + Math.ceil(bytes.length / 3) * 4 + 2);
  checkDriverRoundTrip(bytes, decoded, (1 << 20) + 64);
});

Deno.test("valueToJson() encodes a ByteArray view of a larger buffer by its own bytes", () => {
  const buffer = new Int8Array([9, 9, 1, 2, 3, 9]).buffer;
  const json = valueToJson(new Int8Array(buffer, 2, 3));
  equal(stringifyJson(json), tagged("ByteArray", "AQID"));
});

Deno.test("jsonToValue() returns bigint for integers, number for floats, Int8Array for bytes and driver objects", () => {
  equal(jsonToValue(5n), 5n);
  equal(jsonToValue(5), 5);
  ok(jsonToValue({ $type: "ByteArray", value: "AQID" }) instanceof Int8Array);
  const date = jsonToValue({
    $type: "Date",
    value: "2024-02-29",
  }) as unknown as Record<string, unknown>;
  equal(date.year, 2024);
  equal(constructorName(date), "Date");
  ok(neo4j.isDate(date));
  const dateTime = jsonToValue({
    $type: "DateTime",
    value: "2015-06-24T12:50:35.5+01:00[Europe/London]",
  }) as unknown as Record<string, unknown>;
  deepEqual(
    [dateTime.nanosecond, dateTime.timeZoneOffsetSeconds, dateTime.timeZoneId],
    [500_000_000, 3600, "Europe/London"],
  );
  const duration = jsonToValue({
    $type: "Duration",
    months: 1n,
    days: 2n,
    seconds: 3n,
    nanoseconds: 4n,
  }) as unknown as Record<string, unknown>;
  deepEqual([duration.months, duration.seconds, duration.nanoseconds], [
    1n,
    3n,
    4n,
  ]);
  const point = jsonToValue({ $type: "Point", srid: 7203n, x: 1.0, y: 2.0 });
  deepEqual({ ...(point as object) }, {
    srid: 7203n,
    x: 1,
    y: 2,
    z: undefined,
  });
});

Deno.test("valueToJson() accepts driver objects with number, bigint or Integer fields", () => {
  const int = neo4j.int;
  const expected = [
    tagged("Date", "2024-02-29"),
    tagged("LocalTime", "01:02:03.000000004"),
    tagged("Time", "01:02:03.000000004-03:30"),
    tagged("LocalDateTime", "2024-02-29T01:02:03.000000004"),
    tagged("DateTime", "2024-02-29T01:02:03.000000004+05:45[Asia/Kathmandu]"),
    '{"$type":"Duration","months":1,"days":2,"seconds":3,"nanoseconds":4}',
    '{"$type":"Point","srid":4326,"x":1.0,"y":2.0}',
  ];
  const make = (n: (value: number) => number | bigint | Integer): unknown[] => [
    new Date(n(2024), n(2), n(29)),
    new LocalTime(n(1), n(2), n(3), n(4)),
    new Time(n(1), n(2), n(3), n(4), n(-12_600)),
    new LocalDateTime(n(2024), n(2), n(29), n(1), n(2), n(3), n(4)),
    new DateTime(
      n(2024),
      n(2),
      n(29),
      n(1),
      n(2),
      n(3),
      n(4),
      n(20_700),
      "Asia/Kathmandu",
    ),
    new Duration(n(1), n(2), n(3), n(4)),
    new Point(n(4326), 1, 2),
  ];
  for (const values of [make((n) => n), make(BigInt), make((n) => int(n))]) {
    const texts = values.map((value) =>
      stringifyJson(valueToJson(value as PropertyValue))
    );
    equal(JSON.stringify(texts), JSON.stringify(expected));
  }
  // A driver Integer (a driver without useBigInt) is an Integer value.
  equal(
    valueToJson(int("9223372036854775807") as unknown as PropertyValue),
    INT64_MAX,
  );
});

// ---------------------------------------------------------------------------------------------
// Text level

Deno.test("stringifyJson() writes integers as integers and floats with a point or an exponent", async (t) => {
  const table: [JsonValue, string][] = [
    [1n, "1"],
    [1, "1.0"],
    [-0, "-0.0"],
    [0n, "0"],
    [1e21, "1e+21"],
    [-1e21, "-1e+21"],
    [1.5e-7, "1.5e-7"],
    [123456789n ** 3n, "1881676371789154860897069"],
    [{ a: [1n, 2.5, null, true, "x"] }, '{"a":[1,2.5,null,true,"x"]}'],
  ];
  for (const [value, text] of table) {
    await t.step(text, () => equal(stringifyJson(value), text));
  }
});

Deno.test("stringifyJson() indents when asked and writes compact JSON by default", () => {
  const value = { a: [1n, 2.0], b: {} };
  equal(stringifyJson(value), '{"a":[1,2.0],"b":{}}');
  equal(stringifyJson(value, { indent: 0 }), '{"a":[1,2.0],"b":{}}');
  equal(
    stringifyJson(value, { indent: 2 }),
    '{\n  "a": [\n    1,\n    2.0\n  ],\n  "b": {}\n}',
  );
});

Deno.test("stringifyJson() rejects non-finite floats with RangeError", async (t) => {
  for (const value of [NaN, Infinity, -Infinity]) {
    await t.step(String(value), () => {
      throws(() => stringifyJson([value]), RangeError);
    });
  }
});

Deno.test("parseJson() tells integer literals from float literals", async (t) => {
  const table: [string, JsonValue][] = [
    ["1", 1n],
    ["1.0", 1],
    ["-0", 0n],
    ["-0.0", -0],
    ["1e2", 100],
    ["1E2", 100],
    ["1e-400", 0],
    ["-9223372036854775808", INT64_MIN],
    ["9007199254740993", 9007199254740993n],
  ];
  for (const [text, value] of table) {
    await t.step(
      text,
      () =>
        ok(
          Object.is(parseJson(text), value),
          `${text} -> ${show(parseJson(text))}`,
        ),
    );
  }
  const list = parseJson("[1, 1.0, 2.5]") as JsonValue[];
  equal(typeof list[0], "bigint");
  equal(typeof list[1], "number");
});

Deno.test("parseJson() reads integers beyond 2^64 as bigint and jsonToValue() rejects them with RangeError", () => {
  const big = 2n ** 64n + 1n;
  equal(parseJson(String(big)), big);
  equal(
    parseJson(`{"n":[${-big}]}`) &&
      (parseJson(`{"n":[${-big}]}`) as { n: bigint[] }).n[0],
    -big,
  );
  throws(() => jsonToValue(parseJson(String(big))), RangeError);
  throws(() => jsonToValue(parseJson(String(INT64_MAX + 1n))), RangeError);
  throws(() => jsonToValue(parseJson(String(INT64_MIN - 1n))), RangeError);
  equal(jsonToValue(parseJson(String(INT64_MIN))), INT64_MIN);
});

Deno.test("parseJson() throws SyntaxError for text that is not JSON", async (t) => {
  for (const text of ["", "{", "[1,]", "NaN", "01", "'a'", "1.", '{"a":1}x']) {
    await t.step(
      JSON.stringify(text),
      () => throws(() => parseJson(text), SyntaxError),
    );
  }
});

// ---------------------------------------------------------------------------------------------
// Errors

Deno.test("jsonToValue() rejects an unknown tag with a TypeError naming it", () => {
  throws(() => jsonToValue({ $type: "Foo", value: "x" }), {
    name: "TypeError",
    message: 'Unknown value type "Foo"',
  });
  throws(() => jsonToValue([{ $type: "Map" }]), {
    name: "TypeError",
    message: 'Unknown value type "Map"',
  });
});

Deno.test("jsonToValue() rejects malformed values with a SyntaxError saying what is wrong", async (t) => {
  const v = (type: string, value: JsonValue): JsonValue => ({
    $type: type,
    value,
  });
  const table: [string, JsonValue, string][] = [
    ["month 13", v("Date", "2024-13-01"), 'Invalid Date value "2024-13-01"'],
    ["month 0", v("Date", "2024-00-01"), "no month 0"],
    ["day 0", v("Date", "2024-01-00"), "no day 0"],
    [
      "February 29 in a common year",
      v("Date", "2023-02-29"),
      "no day 29 in month 2 of year 2023",
    ],
    ["February 29 in 1900", v("Date", "1900-02-29"), "no day 29"],
    ["April 31", v("Date", "2024-04-31"), "no day 31"],
    [
      "a date without dashes",
      v("Date", "20240101"),
      'Invalid Date value "20240101"',
    ],
    ["a two-digit year", v("Date", "24-01-01"), "Invalid Date value"],
    [
      "a five-digit year without a sign",
      v("Date", "10000-01-01"),
      "Invalid Date value",
    ],
    ["a signed three-digit year", v("Date", "-044-01-01"), "at least 4 digits"],
    ["a date with a time", v("Date", "2024-01-01T00:00:00"), 'unexpected "T"'],
    ["a date with trailing space", v("Date", "2024-01-01 "), "unexpected"],
    ["an empty date", v("Date", ""), "Invalid Date value"],
    ["hour 24", v("LocalTime", "24:00:00"), "no hour 24"],
    ["minute 60", v("LocalTime", "12:60:00"), "no minute 60"],
    ["second 60", v("LocalTime", "12:00:60"), "no second 60"],
    [
      "a time without seconds",
      v("LocalTime", "12:00"),
      "Invalid LocalTime value",
    ],
    [
      "ten digits of fraction",
      v("LocalTime", "12:00:00.0000000001"),
      "more than 9 digits",
    ],
    ["an empty fraction", v("LocalTime", "12:00:00."), 'after "."'],
    [
      "a local time with an offset",
      v("LocalTime", "12:00:00+01:00"),
      "unexpected",
    ],
    ["a time without an offset", v("Time", "12:00:00"), "expected an offset"],
    ["a time with a bad offset", v("Time", "12:00:00+1:00"), "offset hours"],
    ["offset minute 60", v("Time", "12:00:00+01:60"), "no offset minute 60"],
    [
      "a time with a zone",
      v("Time", "12:00:00+01:00[Europe/London]"),
      "unexpected",
    ],
    [
      "a local date-time with a space",
      v("LocalDateTime", "2024-01-01 00:00:00"),
      'expected "T"',
    ],
    [
      "a local date-time with an offset",
      v("LocalDateTime", "2024-01-01T00:00:00Z"),
      "unexpected",
    ],
    [
      "a date-time without offset or zone",
      v("DateTime", "2024-01-01T00:00:00"),
      "an offset or a time zone id",
    ],
    [
      "a date-time with an empty zone",
      v("DateTime", "2024-01-01T00:00:00Z[]"),
      "empty time zone id",
    ],
    [
      "a date-time with an unclosed zone",
      v("DateTime", "2024-01-01T00:00:00Z[UTC"),
      'expected "]"',
    ],
    [
      "a date-time with text after the zone",
      v("DateTime", "2024-01-01T00:00:00Z[UTC]x"),
      "unexpected",
    ],
    [
      "a temporal value that is not a string",
      v("Date", 20240101n),
      'field "value" must be a string',
    ],
    [
      "a missing value",
      { $type: "Date" },
      'Invalid Date value: missing field "value"',
    ],
    [
      "an unexpected field",
      { $type: "Date", value: "2024-01-01", zone: "UTC" },
      'unexpected field "zone"',
    ],
    [
      "an object without $type",
      { value: "2024-01-01" },
      'an object without "$type"',
    ],
    ["an empty object", {}, 'an object without "$type"'],
    ["a $type that is not a string", { $type: 1n }, '"$type" must be a string'],
    ["null", null, "Invalid property value: null"],
    ["null in a list", [1n, null], "Invalid property value: null"],
    ["a list inside a list", [[1n]], "a list inside a list"],
    [
      "a Float that is not NaN or infinite",
      v("Float", "1.5"),
      'Invalid Float value "1.5"',
    ],
    ["a Float spelled nan", v("Float", "nan"), 'Invalid Float value "nan"'],
    ["bad base64", v("ByteArray", "AQI*"), "Invalid ByteArray value"],
    [
      "base64 without padding",
      v("ByteArray", "AQI"),
      "Invalid ByteArray value",
    ],
    [
      "a Duration field that is a float",
      { $type: "Duration", months: 1, days: 0n, seconds: 0n, nanoseconds: 0n },
      'field "months" must be an integer, not the float 1',
    ],
    [
      "a Duration without nanoseconds",
      { $type: "Duration", months: 1n, days: 0n, seconds: 0n },
      'missing field "nanoseconds"',
    ],
    [
      "a Point coordinate that is an integer",
      { $type: "Point", srid: 7203n, x: 1n, y: 2.0 },
      'field "x" must be a float',
    ],
    [
      "a 3D Point without z",
      { $type: "Point", srid: 4979n, x: 1.5, y: 2.5 },
      'missing field "z"',
    ],
    [
      "a 2D Point with z",
      { $type: "Point", srid: 4326n, x: 1.5, y: 2.5, z: 3.5 },
      'unexpected field "z"',
    ],
    ["a Vector of an unknown dtype", {
      $type: "Vector",
      dtype: "INT4",
      values: [],
    }, 'unknown dtype "INT4"'],
    [
      "a Vector without values",
      { $type: "Vector", dtype: "INT8" },
      'missing field "values"',
    ],
    ["a float in an INT Vector", {
      $type: "Vector",
      dtype: "INT8",
      values: [1.5],
    }, "is not an integer"],
    ["an integer in a FLOAT Vector", {
      $type: "Vector",
      dtype: "FLOAT64",
      values: [1n],
    }, "is not a float"],
  ];
  for (const [name, json, message] of table) {
    await t.step(name, () => {
      throws(() => jsonToValue(json), (error: unknown) => {
        ok(
          error instanceof SyntaxError,
          `expected a SyntaxError, got ${error}`,
        );
        ok(
          error.message.includes(message),
          `"${error.message}" should include "${message}"`,
        );
        ok(!error.message.endsWith("."), "no trailing period");
        return true;
      });
    });
  }
});

Deno.test("jsonToValue() rejects numbers outside what Neo4j holds with a RangeError", async (t) => {
  const v = (type: string, value: JsonValue): JsonValue => ({
    $type: type,
    value,
  });
  const duration = (nanoseconds: bigint, months = 0n): JsonValue => ({
    $type: "Duration",
    months,
    days: 0n,
    seconds: 0n,
    nanoseconds,
  });
  const table: [string, JsonValue, string][] = [
    [
      "Integer 2^63",
      INT64_MAX + 1n,
      "Integer 9223372036854775808 is out of range",
    ],
    [
      "Integer -2^63-1",
      INT64_MIN - 1n,
      "Integer -9223372036854775809 is out of range",
    ],
    ["Integer 2^64 in a list", [1n, 2n ** 64n], "is out of range"],
    ["a float that is infinite", Infinity, "Float Infinity is out of range"],
    ["a float that is NaN", NaN, "Float NaN is out of range"],
    [
      "year 1000000000",
      v("Date", "+1000000000-01-01"),
      'Date value "+1000000000-01-01" is out of range',
    ],
    [
      "year -1000000000",
      v("LocalDateTime", "-1000000000-01-01T00:00:00"),
      "years run from",
    ],
    [
      "a year of 20 digits",
      v("Date", "+00000000000000000001-01-01"),
      "is out of range",
    ],
    [
      "offset +18:00:01",
      v("Time", "00:00:00+18:00:01"),
      "offsets run from -18:00 to +18:00",
    ],
    [
      "offset -19:00",
      v("DateTime", "2024-01-01T00:00:00-19:00"),
      "offsets run from",
    ],
    [
      "an unknown time zone",
      v("DateTime", "2024-01-01T00:00:00Z[Mars/Olympus]"),
      'Unknown time zone "Mars/Olympus"',
    ],
    [
      "Duration nanoseconds 10^9",
      duration(1_000_000_000n),
      'Duration field "nanoseconds" 1000000000',
    ],
    ["Duration nanoseconds -1", duration(-1n), "it runs from 0 to 999999999"],
    [
      "Duration months 2^63",
      duration(0n, 2n ** 63n),
      'Duration field "months" 9223372036854775808',
    ],
    [
      "an unknown SRID",
      { $type: "Point", srid: 1234n, x: 1.0, y: 2.0 },
      'Point field "srid" 1234',
    ],
    ["an infinite Point coordinate", {
      $type: "Point",
      srid: 7203n,
      x: Infinity,
      y: 2.0,
    }, 'field "x" Infinity'],
    [
      "INT8 128",
      { $type: "Vector", dtype: "INT8", values: [128n] },
      "Vector element 128 is out of range for INT8",
    ],
    [
      "INT16 -32769",
      { $type: "Vector", dtype: "INT16", values: [-32769n] },
      "out of range for INT16",
    ],
    [
      "INT32 2^31",
      { $type: "Vector", dtype: "INT32", values: [2n ** 31n] },
      "out of range for INT32",
    ],
    [
      "INT64 2^63",
      { $type: "Vector", dtype: "INT64", values: [2n ** 63n] },
      "out of range for INT64",
    ],
    [
      "an infinite number in a FLOAT64 Vector",
      parseJson('{"$type":"Vector","dtype":"FLOAT64","values":[-1e400]}'),
      "Vector element -Infinity is out of range",
    ],
    [
      "FLOAT32 0.1",
      { $type: "Vector", dtype: "FLOAT32", values: [0.1] },
      "not a 32-bit float",
    ],
    [
      "FLOAT32 1e39",
      { $type: "Vector", dtype: "FLOAT32", values: [1e39] },
      "out of range for FLOAT32",
    ],
  ];
  for (const [name, json, message] of table) {
    await t.step(name, () => {
      throws(() => jsonToValue(json), (error: unknown) => {
        ok(error instanceof RangeError, `expected a RangeError, got ${error}`);
        ok(
          error.message.includes(message),
          `"${error.message}" should include "${message}"`,
        );
        return true;
      });
    });
  }
});

Deno.test("valueToJson() rejects what is not a Neo4j property value with a TypeError naming its type", async (t) => {
  const table: [string, unknown, string][] = [
    ["null", null, "null"],
    ["undefined", undefined, "undefined"],
    ["a map", { a: 1n }, "Object"],
    ["an object without prototype", Object.create(null), "Object"],
    ["a JavaScript Date", new globalThis.Date(0), "Date"],
    ["a Map", new Map(), "Map"],
    ["a Uint8Array", new Uint8Array(1), "Uint8Array"],
    ["a symbol", Symbol("s"), "symbol"],
    ["a function", () => 1, "function"],
    ["a list inside a list", [[1n]], "list inside a list"],
    ["null in a list", [1n, null], "null"],
    ["a driver Node", new neo4j.types.Node(1n, ["A"], {}, "1"), "Node"],
  ];
  for (const [name, value, message] of table) {
    await t.step(name, () => {
      throws(() => valueToJson(value as PropertyValue), (error: unknown) => {
        ok(error instanceof TypeError, `expected a TypeError, got ${error}`);
        ok(
          error.message.includes(message),
          `"${error.message}" should include "${message}"`,
        );
        return true;
      });
    });
  }
});

Deno.test("valueToJson() rejects a Point with a non-finite coordinate with a RangeError", () => {
  throws(() => valueToJson(new Point(7203n, NaN, 1)), RangeError);
  throws(() => valueToJson(new Point(9157n, 1, 1, Infinity)), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Property-based tests

const int64Arb = fc.oneof(
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.constantFrom(INT64_MIN, INT64_MAX, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 0n),
);
const floatArb = fc.oneof(
  fc.double(),
  fc.integer().map((n) => n / 1),
  fc.constantFrom(
    -0,
    NaN,
    Infinity,
    -Infinity,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e21,
    0.1,
  ),
);
const finiteFloatArb = fc.double({ noNaN: true, noDefaultInfinity: true });
const stringArb = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom(
    "$date('2024-01-01')",
    '{"$type":"Date","value":"2024-01-01"}',
    "NaN",
    "1.0",
  ),
).filter((s) => s.isWellFormed());
const byteArrayArb = fc.int8Array({ maxLength: 200 });

const yearArb = fc.oneof(
  fc.integer({ min: MIN_YEAR, max: MAX_YEAR }),
  fc.integer({ min: -10_001, max: 10_001 }),
  fc.constantFrom(
    MIN_YEAR,
    MAX_YEAR,
    0,
    -1,
    9999,
    10_000,
    -9999,
    -10_000,
    1970,
    2000,
    1900,
  ),
);
const dateFieldsArb = fc
  .record({
    year: yearArb,
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ year, month, day }) => ({
    year,
    month,
    day: Math.min(day, daysInMonth(year, month)),
  }));
const nanosecondArb = fc.oneof(
  fc.integer({ min: 0, max: 999_999_999 }),
  fc.integer({ min: 0, max: 999 }).map((ms) => ms * 1_000_000),
  fc.constantFrom(0, 1, 999_999_999, 500_000_000, 10),
);
const timeFieldsArb = fc.record({
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.integer({ min: 0, max: 59 }),
  second: fc.integer({ min: 0, max: 59 }),
  nanosecond: nanosecondArb,
});
const offsetArb = fc.oneof(
  fc.integer({ min: -64_800, max: 64_800 }),
  fc.integer({ min: -72, max: 72 }).map((quarters) => quarters * 900),
  fc.constantFrom(0, -64_800, 64_800, -12_600, 20_700, 50_400, 45_900, -75),
);
const zoneArb = fc.constantFrom(...ZONES);

const dateArb = dateFieldsArb.map((d) =>
  new Date(B(d.year), B(d.month), B(d.day))
);
const localTimeArb = timeFieldsArb.map((t) =>
  new LocalTime(B(t.hour), B(t.minute), B(t.second), B(t.nanosecond))
);
const timeArb = fc.tuple(timeFieldsArb, offsetArb).map(([t, offset]) =>
  new Time(B(t.hour), B(t.minute), B(t.second), B(t.nanosecond), B(offset))
);
const localDateTimeArb = fc.tuple(dateFieldsArb, timeFieldsArb).map(([d, t]) =>
  new LocalDateTime(
    B(d.year),
    B(d.month),
    B(d.day),
    B(t.hour),
    B(t.minute),
    B(t.second),
    B(t.nanosecond),
  )
);
const offsetDateTimeArb = fc.tuple(dateFieldsArb, timeFieldsArb, offsetArb).map(
  ([d, t, offset]) =>
    new DateTime(
      B(d.year),
      B(d.month),
      B(d.day),
      B(t.hour),
      B(t.minute),
      B(t.second),
      B(t.nanosecond),
      B(offset),
    ),
);
/** Zoned DateTimes as the driver reads them (within the JS Date range the driver needs). */
const zonedDateTimeArb = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: -200_000, max: 200_000 }),
      fc.integer({ min: 1800, max: 2100 }),
    ),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 31 }),
    timeFieldsArb,
    offsetArb,
    zoneArb,
  )
  .map(([year, month, day, t, offset, zone]) =>
    throughDriver(
      new DateTime(
        B(year),
        B(month),
        B(Math.min(day, daysInMonth(year, month))),
        B(t.hour),
        B(t.minute),
        B(t.second),
        B(t.nanosecond),
        B(offset),
        zone,
      ),
    ) as ScalarValue
  );
/** Zoned DateTimes without an offset (as a Bolt 4 server sends them), over all years. */
const zoneOnlyDateTimeArb = fc.tuple(dateFieldsArb, timeFieldsArb, zoneArb).map(
  ([d, t, zone]) =>
    new DateTime(
      B(d.year),
      B(d.month),
      B(d.day),
      B(t.hour),
      B(t.minute),
      B(t.second),
      B(t.nanosecond),
      undefined,
      zone,
    ),
);
const durationArb = fc
  .tuple(int64Arb, int64Arb, int64Arb, nanosecondArb)
  .map(([months, days, seconds, nanoseconds]) =>
    new Duration(months, days, seconds, B(nanoseconds))
  );
const pointArb = fc.oneof(
  fc.tuple(fc.constantFrom(7203n, 4326n), finiteFloatArb, finiteFloatArb).map((
    [srid, x, y],
  ) => new Point(srid, x, y)),
  fc.tuple(
    fc.constantFrom(9157n, 4979n),
    finiteFloatArb,
    finiteFloatArb,
    finiteFloatArb,
  ).map((
    [srid, x, y, z],
  ) => new Point(srid, x, y, z)),
);
const vectorArb = fc.oneof(
  fc.int8Array({ minLength: 1, maxLength: 50 }),
  fc.int16Array({ minLength: 1, maxLength: 50 }),
  fc.int32Array({ minLength: 1, maxLength: 50 }),
  fc.bigInt64Array({ minLength: 1, maxLength: 50 }),
  fc.float32Array({ minLength: 1, maxLength: 50 }),
  fc.float64Array({ minLength: 1, maxLength: 50 }),
).map((array) => vector(array) as ScalarValue);

const SCALARS: [string, fc.Arbitrary<ScalarValue>, { driver: boolean }][] = [
  ["Integer", int64Arb, { driver: true }],
  ["Float", floatArb, { driver: true }],
  ["String", stringArb, { driver: true }],
  ["Boolean", fc.boolean(), { driver: true }],
  ["ByteArray", byteArrayArb, { driver: true }],
  ["Date", dateArb, { driver: true }],
  ["LocalTime", localTimeArb, { driver: true }],
  ["Time", timeArb, { driver: true }],
  ["LocalDateTime", localDateTimeArb, { driver: true }],
  ["DateTime with an offset", offsetDateTimeArb, { driver: true }],
  ["DateTime with a zone", zonedDateTimeArb, { driver: true }],
  // The driver computes an offset for these, and cannot for years beyond the JS Date range.
  ["DateTime with a zone and no offset", zoneOnlyDateTimeArb, {
    driver: false,
  }],
  ["Duration", durationArb, { driver: true }],
  ["Point", pointArb, { driver: true }],
  ["Vector", vectorArb, { driver: true }],
];

Deno.test("jsonToValue(parseJson(stringifyJson(valueToJson(v)))) equals v for every type", async (t) => {
  for (const [name, arb, { driver }] of SCALARS) {
    await t.step(name, () => {
      fc.assert(
        fc.property(arb, (value) => {
          const { decoded } = roundTrip(value);
          if (driver) checkDriverRoundTrip(value, decoded);
        }),
        { numRuns: 400 },
      );
    });
    await t.step(`List of ${name}`, () => {
      fc.assert(
        fc.property(fc.array(arb, { maxLength: 6 }), (list) => {
          const { decoded } = roundTrip(list);
          if (driver) checkDriverRoundTrip(list, decoded, 1 << 16);
        }),
        { numRuns: 100 },
      );
    });
  }
});

Deno.test("stringifyJson() and parseJson() round-trip any JSON value exactly", () => {
  const jsonArb: fc.Arbitrary<JsonValue> =
    fc.letrec<{ value: JsonValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        stringArb,
        fc.bigInt(),
        finiteFloatArb,
        fc.array(tie("value"), { maxLength: 5 }),
        fc.dictionary(stringArb, tie("value"), {
          maxKeys: 5,
          noNullPrototype: true,
        }),
      ),
    })).value;
  fc.assert(
    fc.property(jsonArb, fc.constantFrom(0, 2), (value, indent) => {
      const text = stringifyJson(value, { indent });
      const back = parseJson(text);
      equal(stringifyJson(back, { indent }), text);
      assertSame(back, value);
    }),
    { numRuns: 500 },
  );
});

// ---------------------------------------------------------------------------------------------
// Fuzzing

const TAGS = [
  "Float",
  "ByteArray",
  "Date",
  "LocalTime",
  "Time",
  "LocalDateTime",
  "DateTime",
  "Duration",
  "Point",
  "Vector",
] as const;

/** Valid encodings of every type. */
const validTextArb = fc
  .oneof(...SCALARS.map(([, arb]) => arb), fc.array(dateArb, { maxLength: 3 }))
  .map((value) => stringifyJson(valueToJson(value as PropertyValue)));

/** Valid encodings with one character replaced, inserted or deleted. */
const mutatedTextArb = fc
  .tuple(
    validTextArb,
    fc.nat(),
    fc.constantFrom(...'0123456789-+:.TZ[]{}",eE nx\u00e9/'),
    fc.constantFrom("replace", "insert", "delete"),
  )
  .map(([text, position, char, how]) => {
    const i = position % (text.length + 1);
    if (how === "insert") return text.slice(0, i) + char + text.slice(i);
    if (how === "delete") return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + char + text.slice(i + 1);
  });

const anyFieldArb: fc.Arbitrary<JsonValue> = fc.oneof(
  stringArb,
  fc.constantFrom(
    "2024-02-29",
    "12:00:00",
    "12:00:00+01:00",
    "2024-02-29T12:00:00",
    "2024-02-29T12:00:00Z[Europe/London]",
    "NaN",
    "INT8",
    "FLOAT32",
    "AQID",
  ),
  fc.bigInt(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.bigInt(), fc.double(), fc.constant(null)), {
    maxLength: 3,
  }),
);

/** Tagged-looking objects with random fields. */
const taggedishTextArb = fc
  .record(
    {
      $type: fc.oneof(fc.constantFrom(...TAGS, "Foo", ""), anyFieldArb),
      value: anyFieldArb,
      months: anyFieldArb,
      days: anyFieldArb,
      seconds: anyFieldArb,
      nanoseconds: anyFieldArb,
      srid: fc.oneof(fc.constantFrom(7203n, 9157n, 4326n, 4979n), anyFieldArb),
      x: anyFieldArb,
      y: anyFieldArb,
      z: anyFieldArb,
      dtype: fc.oneof(
        fc.constantFrom(
          "INT8",
          "INT16",
          "INT32",
          "INT64",
          "FLOAT32",
          "FLOAT64",
        ),
        anyFieldArb,
      ),
      values: anyFieldArb,
    },
    { requiredKeys: [] },
  )
  .map((object) => {
    try {
      return stringifyJson(object);
    } catch {
      return JSON.stringify(
        object,
        (_key, value) => typeof value === "bigint" ? Number(value) : value,
      );
    }
  });

Deno.test("jsonToValue(parseJson(text)) returns or throws only TypeError, SyntaxError or RangeError", () => {
  const textArb = fc.oneof(
    fc.json(),
    fc.string(),
    validTextArb,
    mutatedTextArb,
    mutatedTextArb,
    taggedishTextArb,
    taggedishTextArb,
  );
  fc.assert(
    fc.property(textArb, (text) => {
      let json: JsonValue;
      try {
        json = parseJson(text);
      } catch (error) {
        ok(
          error instanceof SyntaxError,
          `parseJson(${JSON.stringify(text)}) threw ${error}`,
        );
        return;
      }
      try {
        const value = jsonToValue(json);
        // What decodes encodes again.
        valueToJson(value);
      } catch (error) {
        const expected = error instanceof SyntaxError ||
          error instanceof RangeError ||
          (error instanceof TypeError &&
            error.message.startsWith("Unknown value type "));
        ok(
          expected,
          `jsonToValue(parseJson(${JSON.stringify(text)})) threw ${
            show(error)
          }`,
        );
      }
    }),
    { numRuns: 5000 },
  );
});
