import { deepEqual, equal, ok } from "node:assert/strict";
import { splitZoned, zonedSetClauses } from "../lib/import/_bolt4_zoned.ts";
import neo4j from "../lib/_driver.ts";
import { openDriver, testTarget } from "./_neo4j.ts";
import { VALUES } from "./_zoned_values.ts";

const { DateTime } = neo4j.types;

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
