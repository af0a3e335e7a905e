/**
 * DateTimes with a named zone that Neo4j 4.4 stores wrong when sent as parameters, and others:
 * shared by the tests of the rebuilding of such values (tests/bolt4_zoned_*).
 *
 * @module
 */
import neo4j from "../lib/_driver.ts";

const { DateTime } = neo4j.types;

/** A DateTime from its fields, integers as bigint (as the driver reads them). */
export function dateTime(
  text: [number, number, number, number, number, number, number],
  offset: number,
  zone?: string,
): InstanceType<typeof DateTime<bigint>> {
  const [y, mo, d, h, mi, s, n] = text.map(BigInt) as bigint[];
  return new DateTime(y!, mo!, d!, h!, mi!, s!, n!, BigInt(offset), zone);
}

/** Named-zone DateTimes Neo4j 4.4 stores wrong when sent as parameters, and others. */
export const VALUES = {
  // Europe/Berlin repeats 02:00-03:00 on 2022-10-30: this is the second 02:30 (+01:00).
  repeatedHour: dateTime([2022, 10, 30, 2, 30, 0, 0], 3600, "Europe/Berlin"),
  // Zones keep their last rules forever: London's clocks still go back in year 999999999.
  farFuture: dateTime(
    [999999999, 10, 31, 1, 30, 0, 999999999],
    0,
    "Europe/London",
  ),
  // Local mean time, an offset with seconds, at the first year Neo4j allows.
  farPast: dateTime([-999999999, 1, 1, 0, 0, 0, 0], -17762, "America/New_York"),
  beforeZones: dateTime([1800, 1, 1, 0, 0, 0, 0], 3208, "Europe/Berlin"),
  mixed: [
    dateTime([2022, 10, 30, 2, 30, 0, 1], 3600, "Europe/Berlin"),
    dateTime([2022, 10, 30, 2, 30, 0, 2], 3600),
  ],
};
