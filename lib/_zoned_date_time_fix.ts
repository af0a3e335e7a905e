/**
 * Lets neo4j-driver read DateTimes with a named zone at any year Neo4j allows.
 *
 * Over Bolt 5 and later a zoned DateTime arrives as (UTC seconds, nanoseconds, zone id), and the
 * driver finds its local date and time with `Intl.DateTimeFormat`, which works only inside the
 * JavaScript Date range (about years -271821 to 275760). Beyond it the driver yields a "broken"
 * value that throws when read, so such a property could not be backed up.
 *
 * The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks), and
 * past the end of the time-zone tables both the server (java.time) and Intl (ICU) apply a zone's
 * last rules forever, while before its first entry both use its first offset. So the local time
 * of an instant equals that of the same instant moved by whole 400-year cycles into the range
 * `Intl` handles, with the year moved back. When the driver fails on a zoned DateTime, this
 * decodes it that way instead. Nothing else changes: values the driver reads today come out
 * exactly as before.
 *
 * The same patch sends Dates, times and DateTimes with an offset through lib/_fast_temporals.ts
 * first, which builds the driver's own objects for them with number arithmetic, faster; and
 * the driver's encoding (`toStructure`) too, which there returns plain objects and arrays at
 * once and encodes those temporal values with number arithmetic.
 *
 * It patches the driver's structure transformer once, when the library loads, and only if the
 * driver looks as expected; otherwise it does nothing and such values fail with the driver's
 * error as before. {@linkcode zonedDateTimeFixActive} tells which. Written against
 * neo4j-driver 6.3.0, whose DateTimeWithZoneId decoder (bolt-protocol-v5x0.utc.transformer.js,
 * `getTimeInZoneId`) still formats the instant as a JavaScript Date with `Intl`;
 * tests/driver_hooks_test.ts fails if the patch is not in place or values beyond that range do
 * not round-trip.
 *
 * @module
 */
import transformerModule from "npm:neo4j-driver-bolt-connection@6.3.0/lib/bolt/transformer.js";
import neo4j from "npm:neo4j-driver@6.3.0";
import { decodeStructure, encodeValue } from "./_fast_temporals.ts";

/** Bolt's DateTimeWithZoneId (UTC) structure. */
const DATE_TIME_WITH_ZONE_ID = 0x69;
/** Seconds in 400 Gregorian years. */
const CYCLE_SECONDS = 146097n * 86400n;
const CYCLE_YEARS = 400n;
/** Shift instants to within about 190,000 years of 1970, well inside Intl's range. */
const LIMIT_SECONDS = 6_000_000_000_000n;
const PATCHED = Symbol.for("neo4j-backup.zonedDateTimeFix");

interface Struct {
  signature: number;
  fields: unknown[];
}

type FromStructure = (this: unknown, struct: Struct) => unknown;

/** The driver's `Transformer.prototype` (neo4j-driver-bolt-connection), if it looks as expected. */
function transformerPrototype(): Record<PropertyKey, unknown> | undefined {
  // A CommonJS module: its default import is `module.exports`, the class is `.default`.
  const Transformer = (transformerModule as { default?: unknown })?.default as
    | { prototype?: Record<PropertyKey, unknown> }
    | undefined;
  const prototype = Transformer?.prototype;
  return typeof prototype?.fromStructure === "function" ? prototype : undefined;
}

function install(): void {
  const prototype = transformerPrototype();
  if (!prototype || prototype[PATCHED]) return;
  const original = prototype.fromStructure as FromStructure;
  const patched = function (this: object, struct: Struct): unknown {
    const value = decodeStructure(this, struct, original);
    if (struct?.signature !== DATE_TIME_WITH_ZONE_ID || !isBroken(value)) {
      return value;
    }
    return decodeShifted(this, original, struct) ?? value;
  };
  prototype.fromStructure = patched;
  prototype[PATCHED] = patched;
  const toStructure = prototype.toStructure;
  if (typeof toStructure === "function") {
    prototype.toStructure = function (this: object, value: unknown): unknown {
      return encodeValue(
        this,
        value,
        toStructure as (value: unknown) => unknown,
      );
    };
  }
}

/**
 * Whether the patch is in place: the driver's transformer decodes structures through it. False
 * when the driver did not look as expected (e.g. after an upgrade that moved or changed its
 * transformer), in which case zoned DateTimes outside the JavaScript Date range fail to decode
 * as they do without this module. Checked by tests/driver_hooks_test.ts.
 */
export function zonedDateTimeFixActive(): boolean {
  const prototype = transformerPrototype();
  return prototype !== undefined &&
    typeof prototype[PATCHED] === "function" &&
    prototype.fromStructure === prototype[PATCHED];
}

function decodeShifted(
  self: unknown,
  original: FromStructure,
  struct: Struct,
): unknown {
  try {
    const [epochSecond, nano, zoneId] = struct.fields;
    const seconds = toBigInt(epochSecond);
    let cycles = 0n;
    if (seconds > LIMIT_SECONDS) {
      cycles = (seconds - LIMIT_SECONDS) / CYCLE_SECONDS + 1n;
    } else if (seconds < -LIMIT_SECONDS) {
      cycles = -((-LIMIT_SECONDS - seconds) / CYCLE_SECONDS + 1n);
    }
    if (cycles === 0n) return undefined;
    const shifted: Struct = Object.create(Object.getPrototypeOf(struct));
    shifted.signature = struct.signature;
    shifted.fields = [
      neo4j.int(seconds - cycles * CYCLE_SECONDS),
      nano,
      zoneId,
    ];
    const value = original.call(self, shifted) as Record<string, unknown>;
    if (isBroken(value)) return undefined;
    const clone = Object.create(Object.getPrototypeOf(value));
    Object.assign(clone, value, {
      year: addYears(value.year, cycles * CYCLE_YEARS),
    });
    return Object.freeze(clone);
  } catch {
    return undefined;
  }
}

/** Whether the driver handed back its "broken object" (a proxy that throws when read). */
function isBroken(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  try {
    void (value as { year?: unknown }).year;
    return false;
  } catch {
    return true;
  }
}

function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(value);
  return BigInt(String(value));
}

/** `year + years`, in the year's own type (number, bigint or driver Integer). */
function addYears(year: unknown, years: bigint): unknown {
  if (typeof year === "bigint") return year + years;
  if (typeof year === "number") return year + Number(years);
  return neo4j.int(toBigInt(year) + years);
}

install();
