// deno-lint-ignore-file no-console
/**
 * Writes tests/testdata/small_backup/: a small backup (24 nodes, 30 relationships, a constraint
 * and an index, values of several types) that tests/bad_input_test.ts corrupts in many ways.
 *
 *   NEO4J_URI=... NEO4J_PASSWORD=... deno run -A tests/testdata/make_small_backup.ts
 *
 * It EMPTIES the database at NEO4J_URI first.
 */
import { fileURLToPath } from "node:url";
import { main } from "../../cli.ts";
import { openDriver, wipe } from "../_neo4j.ts";

const out = fileURLToPath(new URL("./small_backup/", import.meta.url));
await using driver = await openDriver();
await wipe(driver);
await driver.executeQuery(
  `UNWIND range(0, 15) AS i
   CREATE (:Person {uid: i, name: 'person ' + i, born: date('1970-01-01') + duration({days: i * 400}),
                    score: i / 3.0, tags: ['t' + (i % 3), 't' + (i % 5)], home: point({x: i, y: -i}),
                    avatar: $bytes})`,
  { bytes: new Int8Array([1, -2, 3]) },
);
await driver.executeQuery(
  `UNWIND range(0, 7) AS i CREATE (:Movie:Film {title: 'movie ' + i, released: 1990 + i})`,
);
await driver.executeQuery(
  `MATCH (p:Person), (m:Movie) WHERE (p.uid + m.released) % 5 = 0
   CREATE (p)-[:ACTED_IN {roles: ['role ' + p.uid], since: datetime('2020-01-01T00:00:00Z')}]->(m)`,
);
await driver.executeQuery(
  `MATCH (a:Person), (b:Person) WHERE b.uid = a.uid + 1 AND a.uid < 10 CREATE (a)-[:KNOWS {w: a.uid}]->(b)`,
);
await driver.executeQuery(
  "CREATE CONSTRAINT person_uid FOR (p:Person) REQUIRE p.uid IS UNIQUE",
);
await driver.executeQuery("CREATE INDEX movie_title FOR (m:Movie) ON (m.title)");
await driver.executeQuery("CALL db.awaitIndexes(60)");
await Deno.remove(out, { recursive: true }).catch(() => {});
const status = await main(["extract", out]);
await wipe(driver);
console.log(`extract: ${status}`);
