// deno-lint-ignore-file no-console
import { deepEqual, equal, ok } from "node:assert/strict";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

Deno.test("neo4j-driver under Deno writes a node and reads it back", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  const info = await driver.getServerInfo({ database });
  const { records: [component] } = await driver.executeQuery(
    "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition",
    {},
    { database },
  );
  console.log(
    `Neo4j ${component!.get("version")} ${
      component!.get("edition")
    } at ${info.address} (Bolt ${info.protocolVersion})`,
  );

  await wipe(driver, database);
  await driver.executeQuery(
    "CREATE (:Probe {name: $name, n: $n, at: date('2024-02-29')})",
    { name: "h\u00e9llo \u{1F30D}", n: 9007199254740993n },
    { database },
  );
  const { records } = await driver.executeQuery(
    "MATCH (p:Probe) RETURN p.name AS name, p.n AS n, toString(p.at) AS at",
    {},
    { database },
  );
  equal(records.length, 1);
  deepEqual(records[0]!.toObject(), {
    name: "h\u00e9llo \u{1F30D}",
    n: 9007199254740993n,
    at: "2024-02-29",
  });
  await wipe(driver, database);
  const { records: [count] } = await driver.executeQuery(
    "MATCH (n) RETURN count(n) AS count",
    {},
    { database },
  );
  ok(count!.get("count") === 0n);
});
