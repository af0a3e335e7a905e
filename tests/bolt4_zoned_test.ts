import { deepEqual, equal, ok } from "node:assert/strict";
import neo4j from "../lib/_driver.ts";
import type { Properties } from "../lib/codec/types.ts";
import { splitZoned, zonedSetClauses } from "../lib/import/_bolt4_zoned.ts";
import { dateTime, VALUES } from "./_zoned_values.ts";

const { LocalDateTime } = neo4j.types;

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
