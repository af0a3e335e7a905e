import { equal, ok, rejects } from "node:assert/strict";
import neo4j from "../lib/_driver.ts";
import { rowBatches } from "../lib/extract/_row_stream.ts";
import { openDriver, testTarget } from "./_neo4j.ts";

const RANGE = "UNWIND range(1, $n) AS i RETURN i";

Deno.test("rowBatches() yields every row once, in order, in batches no larger than its limit", async (t) => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  for (
    const [rows, fetchSize, limit] of [
      [0, 100, 200],
      [1, 100, 200],
      [999, 100, 10],
      [25_000, 10_000, 20_000],
      [3_000, 100, 200],
    ]
  ) {
    await t.step(
      `${rows} rows, fetch size ${fetchSize}, limit ${limit}`,
      async () => {
        await using session = driver.session({ database, fetchSize });
        let next = 1;
        let largest = 0;
        const result = session.run(RANGE, { n: neo4j.int(rows) });
        for await (const batch of rowBatches(result, limit)) {
          largest = Math.max(largest, batch.length);
          for (const row of batch) equal(Number(row.get("i")), next++);
        }
        equal(next - 1, rows);
        // The driver's pull may overshoot the pause point by at most one fetch.
        ok(largest <= limit + fetchSize, `batch of ${largest}`);
      },
    );
  }
});

Deno.test("rowBatches() leaves the session usable when the consumer stops early", async (t) => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  for (
    const [fetchSize, limit] of [[100, 10], [1000, 2000], [10_000, 20_000]]
  ) {
    await t.step(`fetch size ${fetchSize}, limit ${limit}`, async () => {
      await using session = driver.session({ database, fetchSize });
      const result = session.run(RANGE, { n: neo4j.int(100_000) });
      for await (const _ of rowBatches(result, limit)) break;
      const { records } = await session.run("RETURN 42 AS x");
      equal(Number(records[0]!.get("x")), 42);
    });
  }
});

Deno.test("rowBatches() throws the server's error after the rows before it", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await using session = driver.session({ database, fetchSize: 500 });
  let seen = 0;
  await rejects(async () => {
    const result = session.run(
      "UNWIND range(1, 5000) AS i RETURN 1 / (i - 3000) AS x",
    );
    for await (const batch of rowBatches(result, 1000)) seen += batch.length;
  }, /by zero/);
  ok(seen <= 2999, `${seen} rows before the error`);
  const { records } = await session.run("RETURN 1 AS x");
  equal(Number(records[0]!.get("x")), 1);
});
