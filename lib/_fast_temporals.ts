/**
 * Decodes Bolt's Date, LocalTime, Time, LocalDateTime and DateTime-with-offset structures into
 * the very objects neo4j-driver builds for them, and encodes those values into the very
 * structures it sends, with number arithmetic instead of the driver's.
 *
 * The driver finds a date from its epoch day (and a time from its nanosecond of the day) with
 * its `Integer` class, a 64-bit integer made of two 32-bit halves, at about twenty `Integer`
 * operations a value, then copies the result into an object with `bigint` fields. Measured with
 * the inspector's sampling profiler on the benchmark graph (200k nodes, 400k relationships, one
 * Date and one DateTime in five properties): `Integer` arithmetic took 35% of a bare driver loop's
 * time. For values within 2^52 (epoch seconds up to about 142 million years from 1970) the same
 * algorithm runs here on numbers, which are exact in that range; beyond it, and for anything
 * unexpected, the driver decodes.
 *
 * What comes out is checked against the driver: the first {@linkcode CHECKED_VALUES} values of
 * each structure a connection's transformer decodes are decoded both ways, and the fast way is
 * used from then on only if every one was the same object (prototype, own keys in order, values,
 * frozen); otherwise the driver decodes everything of that kind on that connection. Only drivers
 * made with `useBigInt: true` (the library's) take the fast way: for the others the first check
 * fails. tests/driver_hooks_test.ts compares both ways on thousands of values from a real server.
 *
 * Encoding goes the same way ({@linkcode encodeValue}: checked per connection and kind, years
 * within 100 million), and there plain objects and arrays (every query's parameters, rows,
 * property maps and lists) are returned at once: the driver offers each of them to every one of
 * its transformers in turn (is it a Node? a Point? a Date? ...), and none takes them.
 *
 * Measured (BENCHMARKS.md, "Decoding temporal values, and one sink worker for all partitions"):
 * the extract of the benchmark graph at 200k nodes 17.4 s instead of 25.5 s with the sink-worker
 * pool, and one-session imports of it with about 10% less CPU.
 *
 * @module
 */
import structureModule from "npm:neo4j-driver-bolt-connection@6.3.0/lib/packstream/structure.js";
import neo4j from "npm:neo4j-driver@6.3.0";

/** Bolt signatures decoded here, and the number of fields of each. */
const DATE = 0x44;
const LOCAL_TIME = 0x74;
const TIME = 0x54;
const LOCAL_DATE_TIME = 0x64;
/** DateTime with an offset, in UTC seconds (Bolt 5, and 4.4 with the `utc` patch). */
const DATE_TIME_UTC_OFFSET = 0x49;

/** Values of each structure decoded both ways, per connection, before the fast way is trusted. */
export const CHECKED_VALUES = 32;

/** Within this, integer arithmetic on numbers is exact through every step below. */
const LIMIT = 2 ** 52;
const DAYS_0000_TO_1970 = 719528;
const DAYS_PER_400_YEAR_CYCLE = 146097;
const SECONDS_PER_DAY = 86400;
const NANOS_PER_SECOND = 1e9;
const NANOS_PER_MINUTE = 60e9;
const NANOS_PER_HOUR = 3600e9;

interface Struct {
  signature: number;
  fields: unknown[];
}

type Decoder = (fields: unknown[]) => object | undefined;

/** An integer field (number, bigint or driver Integer) as a number, if within {@linkcode LIMIT}. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value < LIMIT && value > -LIMIT
      ? value
      : undefined;
  }
  if (typeof value === "bigint") {
    return value < LIMIT && value > -LIMIT ? Number(value) : undefined;
  }
  if (neo4j.isInt(value)) {
    const integer = value as unknown as {
      inSafeRange(): boolean;
      toNumber(): number;
    };
    if (!integer.inSafeRange()) return undefined;
    const number = integer.toNumber();
    return number < LIMIT && number > -LIMIT ? number : undefined;
  }
  return undefined;
}

/** `a / b` rounded toward zero, as the driver's `Integer.div` (exact for safe integers). */
function div(a: number, b: number): number {
  let q = Math.trunc(a / b);
  const r = a - q * b;
  // Rounded toward zero, the remainder has the sign of `a` and is smaller than `b`.
  const step = b > 0 ? 1 : -1;
  if (a >= 0) {
    if (r < 0) q -= step;
    else if (r >= b * step) q += step;
  } else if (r > 0) q += step;
  else if (r <= -b * step) q -= step;
  return q;
}

/** `a / b` rounded down (b > 0), as the driver's `floorDiv`. */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  const r = a - q * b;
  if (r < 0) q--;
  else if (r >= b) q++;
  return q;
}

/** The driver's `epochDayToDate`, step for step, on numbers. */
function civil(epochDay: number): [number, number, number] {
  let zeroDay = epochDay + DAYS_0000_TO_1970 - 60;
  let adjust = 0;
  if (zeroDay < 0) {
    const adjustCycles = div(zeroDay + 1, DAYS_PER_400_YEAR_CYCLE) - 1;
    adjust = adjustCycles * 400;
    zeroDay += adjustCycles * -DAYS_PER_400_YEAR_CYCLE;
  }
  let year = div(zeroDay * 400 + 591, DAYS_PER_400_YEAR_CYCLE);
  let dayOfYear = zeroDay -
    (year * 365 + div(year, 4) - div(year, 100) + div(year, 400));
  if (dayOfYear < 0) {
    year--;
    dayOfYear = zeroDay -
      (year * 365 + div(year, 4) - div(year, 100) + div(year, 400));
  }
  year += adjust;
  const marchMonth = div(dayOfYear * 5 + 2, 153);
  const month = ((marchMonth + 2) % 12) + 1;
  const day = dayOfYear - div(marchMonth * 306 + 5, 10) + 1;
  year += div(marchMonth, 10);
  return [year, month, day];
}

/** The driver's `nanoOfDayToLocalTime`, on numbers. */
function clock(nanoOfDay: number): [number, number, number, number] {
  const hour = div(nanoOfDay, NANOS_PER_HOUR);
  nanoOfDay -= hour * NANOS_PER_HOUR;
  const minute = div(nanoOfDay, NANOS_PER_MINUTE);
  nanoOfDay -= minute * NANOS_PER_MINUTE;
  const second = div(nanoOfDay, NANOS_PER_SECOND);
  return [hour, minute, second, nanoOfDay - second * NANOS_PER_SECOND];
}

/** A frozen object of `prototype` with the given own fields, as the driver's copies are. */
function frozen(prototype: object, fields: Record<string, unknown>): object {
  return Object.freeze(Object.assign(Object.create(prototype), fields));
}

/** The local date and time of an epoch second and nanosecond, or undefined out of range. */
function dateTimeFields(
  epochSecond: number,
  nano: number,
): Record<string, bigint> | undefined {
  if (!(nano >= 0 && nano < NANOS_PER_SECOND)) return undefined;
  const epochDay = floorDiv(epochSecond, SECONDS_PER_DAY);
  const [year, month, day] = civil(epochDay);
  const [hour, minute, second, nanosecond] = clock(
    (epochSecond - epochDay * SECONDS_PER_DAY) * NANOS_PER_SECOND + nano,
  );
  return {
    year: BigInt(year),
    month: BigInt(month),
    day: BigInt(day),
    hour: BigInt(hour),
    minute: BigInt(minute),
    second: BigInt(second),
    nanosecond: BigInt(nanosecond),
  };
}

/** The decoders by signature, each taking only structures of its number of fields. */
function decoders(
  list: [number, [size: number, Decoder]][],
): Map<number, (struct: Struct) => object | undefined> {
  return new Map(
    list.map(([signature, [size, decode]]) => [
      signature,
      (struct: Struct) =>
        struct.fields.length === size ? decode(struct.fields) : undefined,
    ]),
  );
}

const DECODERS = decoders([
  [DATE, [1, (fields) => {
    const epochDay = toNumber(fields[0]);
    if (epochDay === undefined) return undefined;
    const [year, month, day] = civil(epochDay);
    return frozen(neo4j.types.Date.prototype, {
      year: BigInt(year),
      month: BigInt(month),
      day: BigInt(day),
    });
  }]],
  [LOCAL_TIME, [1, (fields) => {
    const nanoOfDay = toNumber(fields[0]);
    if (nanoOfDay === undefined || nanoOfDay < 0) return undefined;
    const [hour, minute, second, nanosecond] = clock(nanoOfDay);
    return frozen(neo4j.types.LocalTime.prototype, {
      hour: BigInt(hour),
      minute: BigInt(minute),
      second: BigInt(second),
      nanosecond: BigInt(nanosecond),
    });
  }]],
  [TIME, [2, (fields) => {
    const nanoOfDay = toNumber(fields[0]);
    const offset = fields[1];
    if (
      nanoOfDay === undefined || nanoOfDay < 0 || typeof offset !== "bigint"
    ) return undefined;
    const [hour, minute, second, nanosecond] = clock(nanoOfDay);
    return frozen(neo4j.types.Time.prototype, {
      hour: BigInt(hour),
      minute: BigInt(minute),
      second: BigInt(second),
      nanosecond: BigInt(nanosecond),
      timeZoneOffsetSeconds: offset,
    });
  }]],
  [LOCAL_DATE_TIME, [2, (fields) => {
    const epochSecond = toNumber(fields[0]);
    const nano = toNumber(fields[1]);
    if (epochSecond === undefined || nano === undefined) return undefined;
    const local = dateTimeFields(epochSecond, nano);
    return local && frozen(neo4j.types.LocalDateTime.prototype, local);
  }]],
  [DATE_TIME_UTC_OFFSET, [3, (fields) => {
    const utcSecond = toNumber(fields[0]);
    const nano = toNumber(fields[1]);
    const offset = fields[2];
    if (
      utcSecond === undefined || nano === undefined ||
      typeof offset !== "bigint"
    ) return undefined;
    const offsetSeconds = toNumber(offset);
    if (offsetSeconds === undefined) return undefined;
    const local = dateTimeFields(utcSecond + offsetSeconds, nano);
    return local && frozen(neo4j.types.DateTime.prototype, {
      ...local,
      timeZoneOffsetSeconds: offset,
      timeZoneId: undefined,
    });
  }]],
]);

/** A kind's state on a transformer once no values are left to check: the fast way, or not. */
const TRUSTED = 0;
const REFUSED = -1;

/**
 * A fast way beside the driver's, for one direction: per transformer (one per connection) and
 * kind, the first {@linkcode CHECKED_VALUES} values go both ways and must come out the same
 * (`same`); then the fast way alone is taken, or, after one difference, the driver's alone.
 */
class CheckedFastPath<Kind, Input> {
  readonly #states = new WeakMap<object, Map<Kind, number>>();
  readonly #same: (fast: object, reference: unknown) => boolean;
  /** Values the fast way alone gave so far (for the tests). */
  taken = 0;

  constructor(same: (fast: object, reference: unknown) => boolean) {
    this.#same = same;
  }

  /**
   * `fast(input)` (undefined: not for the fast way) or `original` called on `transformer` with
   * `input`, as the checks of `kind` on `transformer` have it.
   */
  run(
    transformer: object,
    kind: Kind,
    fast: (input: Input) => object | undefined,
    input: Input,
    original: (this: unknown, input: Input) => unknown,
  ): unknown {
    let states = this.#states.get(transformer);
    if (!states) this.#states.set(transformer, states = new Map());
    const left = states.get(kind) ?? CHECKED_VALUES;
    if (left === REFUSED) return original.call(transformer, input);
    let value: object | undefined;
    try {
      value = fast(input);
    } catch {
      value = undefined;
    }
    if (left === TRUSTED) {
      if (value === undefined) return original.call(transformer, input);
      this.taken++;
      return value;
    }
    const reference = original.call(transformer, input);
    if (value !== undefined) {
      states.set(kind, this.#same(value, reference) ? left - 1 : REFUSED);
    }
    return reference;
  }
}

/** Whether two decoded values are the same object as far as anyone can tell. */
function same(a: unknown, b: unknown): boolean {
  if (
    typeof a !== "object" || a === null || typeof b !== "object" || b === null
  ) {
    return false;
  }
  if (
    Object.getPrototypeOf(a) !== Object.getPrototypeOf(b) ||
    Object.isFrozen(a) !== Object.isFrozen(b)
  ) return false;
  const keysA = Reflect.ownKeys(a);
  const keysB = Reflect.ownKeys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i]!;
    if (key !== keysB[i]) return false;
    if (
      !Object.is(
        (a as Record<PropertyKey, unknown>)[key],
        (b as Record<PropertyKey, unknown>)[key],
      )
    ) return false;
  }
  return true;
}

const decoding = new CheckedFastPath<number, Struct>(same);

/** How many values were decoded the fast way so far in this process (for the tests). */
export function fastTemporalsDecoded(): number {
  return decoding.taken;
}

/**
 * Decodes `struct` the fast way when it is one of the structures above and the fast way has
 * proved itself on this transformer; otherwise (and while it is being checked) with `original`,
 * the driver's own `fromStructure`.
 */
export function decodeStructure(
  transformer: object,
  struct: Struct,
  original: (this: unknown, struct: Struct) => unknown,
): unknown {
  const decoder = DECODERS.get(struct?.signature);
  if (!decoder) return original.call(transformer, struct);
  return decoding.run(transformer, struct.signature, decoder, struct, original);
}

/** The driver's packstream `Structure` class (a CommonJS module: its default import is `exports`). */
const Structure = (structureModule as unknown as {
  Structure?: new (signature: number, fields: unknown[]) => Struct;
}).Structure;

/** The driver's `dateToEpochDay`, step for step, on numbers. */
function epochDay(year: number, month: number, day: number): number {
  let days = year * 365;
  if (year >= 0) {
    days += div(year + 3, 4) - div(year + 99, 100) + div(year + 399, 400);
  } else {
    days -= div(year, -4) - div(year, -100) + div(year, -400);
  }
  days += div(month * 367 - 362, 12);
  days += day - 1;
  if (month > 2) {
    days--;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (!leap) days--;
  }
  return days - DAYS_0000_TO_1970;
}

/** The fields of a value as numbers, or undefined when one is not an integer within range. */
function numbers(
  value: Record<string, unknown>,
  keys: readonly string[],
): number[] | undefined {
  const result: number[] = [];
  for (const key of keys) {
    const number = toNumber(value[key]);
    if (number === undefined) return undefined;
    result.push(number);
  }
  return result;
}

const DATE_KEYS = ["year", "month", "day"] as const;
const CLOCK_KEYS = ["hour", "minute", "second", "nanosecond"] as const;
const DATE_TIME_KEYS = [...DATE_KEYS, ...CLOCK_KEYS] as const;
/** Years within this keep every step of the encodings below exact. */
const YEAR_LIMIT = 100_000_000;

function nanoOfDay([hour, minute, second, nanosecond]: number[]): number {
  return hour! * NANOS_PER_HOUR + minute! * NANOS_PER_MINUTE +
    second! * NANOS_PER_SECOND + nanosecond!;
}

function localEpochSecond(fields: number[]): number | undefined {
  const [year, month, day, hour, minute, second] = fields;
  if (!(year! < YEAR_LIMIT && year! > -YEAR_LIMIT)) return undefined;
  return epochDay(year!, month!, day!) * SECONDS_PER_DAY + hour! * 3600 +
    minute! * 60 + second!;
}

type Encoder = (value: Record<string, unknown>) => Struct | undefined;

const int = (value: number): unknown => neo4j.int(value);

/** Encoders by the prototype of the driver's value, with the signature each writes. */
const ENCODERS = new Map<object, Encoder>([
  [neo4j.types.Date.prototype, (value) => {
    const fields = numbers(value, DATE_KEYS);
    if (!fields || !(fields[0]! < YEAR_LIMIT && fields[0]! > -YEAR_LIMIT)) {
      return undefined;
    }
    return new Structure!(DATE, [
      int(epochDay(fields[0]!, fields[1]!, fields[2]!)),
    ]);
  }],
  [neo4j.types.LocalTime.prototype, (value) => {
    const fields = numbers(value, CLOCK_KEYS);
    return fields && new Structure!(LOCAL_TIME, [int(nanoOfDay(fields))]);
  }],
  [neo4j.types.Time.prototype, (value) => {
    const fields = numbers(value, CLOCK_KEYS);
    const offset = toNumber(value.timeZoneOffsetSeconds);
    return fields && offset !== undefined
      ? new Structure!(TIME, [int(nanoOfDay(fields)), int(offset)])
      : undefined;
  }],
  [neo4j.types.LocalDateTime.prototype, (value) => {
    const fields = numbers(value, DATE_TIME_KEYS);
    const seconds = fields && localEpochSecond(fields);
    return seconds === undefined ? undefined : new Structure!(LOCAL_DATE_TIME, [
      int(seconds),
      int(fields![6]!),
    ]);
  }],
  [neo4j.types.DateTime.prototype, (value) => {
    if (value.timeZoneId !== undefined && value.timeZoneId !== null) {
      return undefined;
    }
    const fields = numbers(value, DATE_TIME_KEYS);
    const offset = toNumber(value.timeZoneOffsetSeconds);
    const seconds = fields && localEpochSecond(fields);
    return seconds === undefined || offset === undefined
      ? undefined
      : new Structure!(DATE_TIME_UTC_OFFSET, [
        int(seconds - offset),
        int(fields![6]!),
        int(offset),
      ]);
  }],
]);

/** Whether two structures are the same: signature, and fields (Integers by value). */
function sameStructure(fast: object, b: unknown): boolean {
  const a = fast as Struct;
  if (
    typeof b !== "object" || b === null ||
    Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)
  ) return false;
  const other = b as Struct;
  if (
    a.signature !== other.signature || a.fields.length !== other.fields.length
  ) {
    return false;
  }
  for (let i = 0; i < a.fields.length; i++) {
    const [x, y] = [a.fields[i], other.fields[i]];
    if (neo4j.isInt(x) && neo4j.isInt(y)) {
      if (!(x as unknown as { equals(o: unknown): boolean }).equals(y)) {
        return false;
      }
    } else if (!Object.is(x, y)) return false;
  }
  return true;
}

const encoding = new CheckedFastPath<object, Record<string, unknown>>(
  sameStructure,
);

/** How many values were encoded the fast way so far in this process (for the tests). */
export function fastTemporalsEncoded(): number {
  return encoding.taken;
}

/**
 * What the driver's `toStructure` gives for `value`, faster: plain objects and arrays (a
 * query's parameters, rows, property maps, lists), which no transformer takes, are returned
 * at once instead of being offered to each transformer in turn; Dates, times and DateTimes
 * with an offset are encoded with number arithmetic once the fast way has proved itself on
 * this transformer (as for decoding); anything else goes to `original`.
 */
export function encodeValue(
  transformer: object,
  value: unknown,
  original: (this: unknown, value: unknown) => unknown,
): unknown {
  if (typeof value !== "object" || value === null) {
    return original.call(transformer, value);
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === Array.prototype) {
    return value;
  }
  const encoder = Structure && ENCODERS.get(prototype);
  if (!encoder) return original.call(transformer, value);
  return encoding.run(
    transformer,
    prototype,
    encoder,
    value as Record<string, unknown>,
    original,
  );
}
