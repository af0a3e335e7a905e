import { deepEqual, equal, ok } from "node:assert/strict";
import neo4j from "../lib/_driver.ts";
import type { Properties } from "../lib/codec/types.ts";
import { splitZoned, zonedSetClauses } from "../lib/import/_bolt4_zoned.ts";
import { openDriver, testTarget } from "./_neo4j.ts";

const { DateTime, LocalDateTime } = neo4j.types;

/** A DateTime from its fields, integers as bigint (as the driver reads them). */
function dateTime(
  text: [number, number, number, number, number, number, number],
  offset: number,
  zone?: string,
): InstanceType<typeof DateTime<bigint>> {
  const [y, mo, d, h, mi, s, n] = text.map(BigInt) as bigint[];
  return new DateTime(y!, mo!, d!, h!, mi!, s!, n!, BigInt(offset), zone);
}

/** Named-zone DateTimes Neo4j 4.4 stores wrong when sent as parameters, and others. */
const VALUES = {
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

Deno.test("splitZoned() leaves properties without a named-zone DateTime alone", () => {
  const properties: Properties = {
    name: "x",
    at: dateTime([2022, 10, 30, 2, 30, 0, 0], 3600),
    local: new LocalDateTime(2022, 10, 30, 2, 30, 0, 0),
    many: [dateTime([2022, 1, 1, 0, 0, 0, 0], 0)],
    none: [],
  };
  equal(splitZoned(properties), undefined);
});

Deno.test("splitZoned() moves named-zone DateTimes, alone and in lists, out of the properties", () => {
  const split = splitZoned({ name: "x", ...VALUES });
  ok(split);
  deepEqual(split.properties, { name: "x" });
  deepEqual(Object.keys(split.zoned).sort(), [
    "beforeZones",
    "farFuture",
    "farPast",
    "mixed",
    "repeatedHour",
  ]);
  deepEqual(split.zoned.farPast, {
    y: -999999999n,
    mo: 1n,
    d: 1n,
    h: 0n,
    mi: 0n,
    s: 0n,
    n: 0n,
    o: "-04:56:02",
    z: "America/New_York",
  });
  const mixed = split.zoned.mixed as { l: unknown[] };
  equal(mixed.l.length, 2);
  deepEqual(mixed.l[1], { v: VALUES.mixed[1] });
});

Deno.test("splitZoned() keeps properties named like members of Object.prototype", async (t) => {
  for (const name of Object.getOwnPropertyNames(Object.prototype)) {
    await t.step(name, () => {
      const properties: Properties = { at: VALUES.repeatedHour };
      Object.defineProperty(properties, name, {
        value: 1n,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      const split = splitZoned(properties);
      ok(split);
      deepEqual(Object.keys(split.properties), [name]);
      equal(Object.getOwnPropertyDescriptor(split.properties, name)?.value, 1n);
      deepEqual(Object.keys(split.zoned), ["at"]);
    });
  }
});

Deno.test("zonedSetClauses() escapes the property keys", () => {
  const cypher = zonedSetClauses("n", ["a`b"]);
  ok(cypher.includes("SET n.`a``b` = CASE WHEN row.z.`a``b` IS NULL"), cypher);
});

Deno.test("the rebuilding Cypher writes named-zone DateTimes exactly, in a repeated hour and at the extreme years", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  const split = splitZoned({ name: "zoned-rebuild-test", ...VALUES });
  ok(split);
  const session = driver.session({ database });
  try {
    const result = await session.executeWrite((tx) =>
      tx.run(
        `UNWIND $rows AS row CREATE (n) SET n = row.p${
          zonedSetClauses("n", Object.keys(split.zoned))
        } WITH n, properties(n) AS p DELETE n RETURN p`,
        { rows: [{ p: split.properties, z: split.zoned }] },
      )
    );
    const stored = result.records[0]!.get("p") as Record<string, unknown>;
    const fields = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(fields);
      const d = v as InstanceType<typeof DateTime>;
      return [
        d.year,
        d.month,
        d.day,
        d.hour,
        d.minute,
        d.second,
        d.nanosecond,
        d.timeZoneOffsetSeconds,
        d.timeZoneId ?? null,
      ].map((x) =>
        x === null ? null : typeof x === "string" ? x : BigInt(String(x))
      );
    };
    equal(stored.name, "zoned-rebuild-test");
    for (const [key, value] of Object.entries(VALUES)) {
      deepEqual(fields(stored[key]), fields(value), key);
    }
  } finally {
    await session.close();
  }
});
