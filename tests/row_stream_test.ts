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

/** Rows of about 10 kB each: a 10,000-character string. */
const WIDE_ROWS =
  "WITH reduce(s = '', x IN range(1, 1000) | s + '0123456789') AS s " +
  "UNWIND range(1, $n) AS i RETURN i, s";

Deno.test("rowBatches() pauses the driver by bytes: wide rows come in batches near the byte bound, not the row limit", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await using session = driver.session({ database, fetchSize: 20 });
  const bytes = 100_000;
  const result = session.run(WIDE_ROWS, { n: neo4j.int(600) });
  let next = 1;
  let largest = 0;
  let batches = 0;
  for await (const batch of rowBatches(result, 10_000, { bytes })) {
    largest = Math.max(largest, batch.length);
    for (const row of batch) {
      equal(Number(row.get("i")), next++);
      equal((row.get("s") as string).length, 10_000);
    }
    // A slow consumer: without the byte bound the rows would pile up to the row limit.
    if (++batches <= 10) await new Promise((r) => setTimeout(r, 50));
  }
  equal(next - 1, 600);
  // 100 kB is 10 rows; plus what the pull in flight brings (the first fetch, 20 rows, at most).
  ok(largest <= 10 + 20, `a batch of ${largest} rows of 10 kB`);
});

Deno.test("rowBatches() asks the driver for fewer rows per pull when the rows are wide", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await using session = driver.session({ database, fetchSize: 1000 });
  const result = session.run(WIDE_ROWS, { n: neo4j.int(3000) });
  // The driver's stream, as rowBatches() gets it from the internal Result._subscribe.
  const target = result as unknown as {
    _subscribe(...args: unknown[]): Promise<{ _fetchSize?: unknown }>;
  };
  const subscribe = target._subscribe;
  let stream: { _fetchSize?: unknown } | undefined;
  target._subscribe = async function (
    this: unknown,
    ...args: unknown[]
  ): Promise<{ _fetchSize?: unknown }> {
    return stream = await subscribe.apply(this, args);
  };
  const pulls: unknown[] = [];
  let rows = 0;
  for await (const batch of rowBatches(result, 2000, { bytes: 1_000_000 })) {
    rows += batch.length;
    pulls.push(stream?._fetchSize);
  }
  equal(rows, 3000);
  equal(
    typeof pulls[0],
    "number",
    "the driver's stream has no _fetchSize: neo4j-driver changed, and rowBatches() can no " +
      "longer size its pulls by bytes",
  );
  // A quarter of 1 MB is 25 rows of 10 kB, far fewer than the session's 1000.
  ok(
    (pulls.at(-1) as number) <= 50,
    `pulls of ${pulls.at(-1)} rows of 10 kB`,
  );
});

Deno.test("rowBatches() keeps the row limit and the session's fetch size for narrow rows", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await using session = driver.session({ database, fetchSize: 500 });
  const result = session.run(RANGE, { n: neo4j.int(20_000) });
  let largest = 0;
  let rows = 0;
  for await (const batch of rowBatches(result, 1000)) {
    largest = Math.max(largest, batch.length);
    rows += batch.length;
    await new Promise((r) => setTimeout(r, 5));
  }
  equal(rows, 20_000);
  // Small integers weigh nothing near the 2 MiB default: the row limit holds them back.
  ok(largest > 500 && largest <= 1000 + 500, `batches of up to ${largest}`);
});

Deno.test("rowBatches() ends with a huge row, dropping the rows after it, calls onHuge, and leaves the session usable", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  const session = driver.session({ database, fetchSize: 10 });
  try {
    const result = session.run(
      "UNWIND range(1, 200) AS i RETURN i, CASE WHEN i = 50 THEN reduce(s = '', k IN range(1, 300) | s + $kb) ELSE '' END AS s",
      { kb: "y".repeat(1000) },
    );
    let huge = 0;
    const seen: number[] = [];
    for await (
      const batch of rowBatches(result, 40, {
        hugeBytes: 200_000,
        onHuge: () => huge++,
      })
    ) {
      for (const row of batch) seen.push(Number(row.get("i")));
    }
    equal(huge, 1);
    // In order, from 1, up to the huge row and no further: the rows of its fetch that came
    // after it are not held beside it (the caller reads them again).
    seen.forEach((i, k) => equal(i, k + 1));
    equal(seen.length, 50);
    const { records } = await session.run("RETURN 1 AS one");
    equal(Number(records[0]!.get("one")), 1);
  } finally {
    await session.close();
  }
});
