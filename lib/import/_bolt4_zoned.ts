/**
 * Writes DateTimes with a named zone exactly into Neo4j 4.4.
 *
 * Neo4j 4.4 stores a DateTime parameter with a named zone (Bolt's DateTimeWithZoneId, sent as UTC
 * seconds under the "utc" patch the driver and server agree on) at the right local time but
 * re-derives its offset from the zone's rules. In the hour a zone repeats when its clocks go back
 * (2022-10-30T02:30 in Europe/Berlin is both +02:00 and +01:00) it takes the earlier offset, so
 * the later instant came back one hour off (in the far future too: zones keep their last rules).
 * Built in Cypher from its local fields and its offset, then moved to its zone,
 * `datetime({datetime: datetime({year, ..., timezone: offset}), timezone: zone})`, the value
 * keeps its instant, which is exact at every year Neo4j allows. Neo4j 5 and later need none of
 * this.
 *
 * So, for a 4.x target, such values leave the properties map and travel as their fields (a list
 * as `{l: [...]}`, where elements without a named zone keep their value as `v`), and the write
 * query rebuilds them in the same statement.
 *
 * @module
 */
import { setOwn } from "../codec/_own.ts";
import { escapeName } from "../_cypher.ts";
import type { Properties, PropertyValue, ScalarValue } from "../codec/types.ts";
import type { ServerInfo } from "../_server_info.ts";
import { formatOffset } from "../codec/_temporal.ts";

/** A DateTime with a named zone as its fields, or (in a list) any other value as itself. */
type Fields =
  | {
    y: bigint;
    mo: bigint;
    d: bigint;
    h: bigint;
    mi: bigint;
    s: bigint;
    n: bigint;
    /** The offset, `+01:00`. */
    o: string;
    /** The zone id. */
    z: string;
  }
  | { v: ScalarValue };

/** What replaces a property: one DateTime's fields, or a list. */
type Zoned = Fields | { l: Fields[] };

type Integer = number | bigint;

/** Whether the target needs named-zone DateTimes written from their instants. */
export function needsZonedFix(server: ServerInfo): boolean {
  return server.major < 5;
}

/**
 * Moves the named-zone DateTimes (alone or in lists) out of `properties`. Returns undefined when
 * there are none, which is the common case: then nothing changes.
 */
export function splitZoned(
  properties: Properties,
): { properties: Properties; zoned: Record<string, Zoned> } | undefined {
  let zoned: Record<string, Zoned> | undefined;
  for (const [key, value] of Object.entries(properties)) {
    let replacement: Zoned | undefined;
    if (Array.isArray(value)) {
      if (value.some(hasNamedZone)) {
        replacement = {
          l: value.map((v) => hasNamedZone(v) ? fields(v) : { v }),
        };
      }
    } else if (hasNamedZone(value)) {
      replacement = fields(value);
    }
    if (replacement) setOwn(zoned ??= {}, key, replacement);
  }
  if (!zoned) return undefined;
  const rest: Properties = {};
  for (const [key, value] of Object.entries(properties)) {
    if (!Object.hasOwn(zoned, key)) setOwn(rest, key, value);
  }
  return { properties: rest, zoned };
}

/**
 * The `SET` clauses that write the moved values of `keys` onto `variable`, reading them from
 * `row.z`; rows without a moved value for a key keep what `SET ... = row.p` wrote.
 */
export function zonedSetClauses(
  variable: string,
  keys: Iterable<string>,
): string {
  const rebuild = (x: string): string =>
    `datetime({datetime: datetime({year: ${x}.y, month: ${x}.mo, day: ${x}.d, hour: ${x}.h, ` +
    `minute: ${x}.mi, second: ${x}.s, nanosecond: ${x}.n, timezone: ${x}.o}), timezone: ${x}.z})`;
  let cypher = "";
  for (const key of keys) {
    const name = escapeName(key);
    const z = `row.z.${name}`;
    cypher +=
      ` SET ${variable}.${name} = CASE WHEN ${z} IS NULL THEN ${variable}.${name}` +
      ` WHEN ${z}.l IS NULL THEN ${rebuild(z)}` +
      ` ELSE [x IN ${z}.l | CASE WHEN x.z IS NULL THEN x.v ELSE ${
        rebuild("x")
      } END] END`;
  }
  return cypher;
}

/** A DateTime with a named zone, as the driver gives it. */
interface NamedZoneDateTime {
  year: Integer;
  month: Integer;
  day: Integer;
  hour: Integer;
  minute: Integer;
  second: Integer;
  nanosecond: Integer;
  timeZoneOffsetSeconds: Integer;
  timeZoneId: string;
}

function hasNamedZone(
  value: PropertyValue,
): value is ScalarValue & NamedZoneDateTime {
  return typeof value === "object" && value !== null &&
    "timeZoneId" in value && typeof value.timeZoneId === "string" &&
    "timeZoneOffsetSeconds" in value &&
    value.timeZoneOffsetSeconds !== null &&
    value.timeZoneOffsetSeconds !== undefined;
}

/** Integers as `bigint`, which the driver sends as Cypher integers (a `number` is a float). */
function fields(value: NamedZoneDateTime): Fields {
  const int = (x: Integer): bigint => BigInt(String(x));
  return {
    y: int(value.year),
    mo: int(value.month),
    d: int(value.day),
    h: int(value.hour),
    mi: int(value.minute),
    s: int(value.second),
    n: int(value.nanosecond),
    o: formatOffset(Number(value.timeZoneOffsetSeconds)),
    z: value.timeZoneId,
  };
}
