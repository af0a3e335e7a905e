import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import neo4j from "neo4j-driver";
import { loadGeneratedGraph } from "../dev/generate_graph.ts";
import { BackupError } from "../lib/errors.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { HeapCollector } from "../lib/extract/_heap_collector.ts";
import { snapshotBackup } from "./_backup.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";
import { TcpProxy } from "./_proxy.ts";

/** Bytes of every file under `dir`, recursively. */
async function sizeOnDisk(dir: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    total += entry.isDirectory
      ? await sizeOnDisk(path)
      : (await Deno.stat(path)).size;
  }
  return total;
}

Deno.test("Extractor reports as progress the bytes its data files take on disk, never more", async (t) => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 3000, database });
  const dir = await Deno.makeTempDir({ prefix: "extractor-" });
  try {
    for (const compress of [true, false]) {
      await t.step(compress ? "compressed" : "uncompressed", async () => {
        const backup = join(dir, String(compress));
        const reported: number[] = [];
        const counts = await new Extractor({
          projectDir: backup,
          driver,
          ...(database ? { database } : {}),
          compress,
          fetchSize: 100,
          onProgress: (p) => reported.push(p.bytes),
        }).extractData();
        const data = await sizeOnDisk(join(backup, "data"));
        equal(counts.bytes, data);
        ok(reported.length > 10, `${reported.length} progress updates`);
        for (const [i, bytes] of reported.entries()) {
          ok(bytes <= data, `update ${i}: ${bytes} bytes of ${data} on disk`);
          if (i > 0) ok(bytes >= reported[i - 1]!, `update ${i} went back`);
        }
        equal(reported.at(-1), data);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "Extractor with driverSettings reads the partitions in workers through drivers of their own, into the same backup, and stops and resumes there",
  // Workers read only for jobs up to the cores.
  ignore: navigator.hardwareConcurrency < 2,
}, async (t) => {
  await using driver = await openDriver();
  const target = await testTarget();
  const { database } = target;
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 3000, database });
  // The workers' drivers go through the proxy, the extractor's own straight to the server: the
  // bytes the proxy forwards are the workers' reads.
  await using proxy = TcpProxy.start(target.uri);
  const driverSettings = {
    uri: proxy.uri(),
    auth: neo4j.auth.basic(target.username, target.password),
  };
  const dir = await Deno.makeTempDir({ prefix: "extractor-workers-" });
  const options = {
    driver,
    ...(database ? { database } : {}),
    partitionSize: 500,
    jobs: 2,
  };
  try {
    const here = join(dir, "here");
    await new Extractor({ ...options, projectDir: here }).extractData();
    equal(proxy.bytes, 0);
    const expected = await snapshotBackup(here);
    await t.step("the same backup", async () => {
      const backup = join(dir, "workers");
      const counts = await new Extractor({
        ...options,
        projectDir: backup,
        driverSettings,
      }).extractData();
      ok(
        proxy.bytes > counts.bytes,
        `${proxy.bytes} bytes through the workers' drivers, ${counts.bytes} written`,
      );
      deepEqual(await snapshotBackup(backup), expected);
    });
    await t.step("stopped, then resumed", async () => {
      const backup = join(dir, "stopped");
      const abort = new AbortController();
      await rejects(
        new Extractor({
          ...options,
          projectDir: backup,
          driverSettings,
          signal: abort.signal,
          onProgress: (p) => {
            if (p.phase === "nodes" && p.done > 0) abort.abort();
          },
        }).extractData(),
        (error) => error instanceof BackupError && error.code === "ABORTED",
      );
      const counts = await new Extractor({
        ...options,
        projectDir: backup,
        driverSettings,
        resume: true,
      }).extractData();
      ok(counts.resumedPartitions < counts.partitions);
      deepEqual(await snapshotBackup(backup), expected);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Extractor with collectGarbage collects the heap after each huge record and writes the same backup", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 500, database });
  // Three records of 1.5 MiB each among the small ones: each ends its query (HUGE_RECORD).
  await driver.executeQuery(
    "MATCH (n) WITH n ORDER BY id(n) SKIP 100 LIMIT 3 SET n.blob = $blob",
    { blob: "x".repeat(1536 * 1024) },
    database ? { database } : {},
  );
  const dir = await Deno.makeTempDir({ prefix: "extractor-gc-" });
  try {
    const options = {
      driver,
      ...(database ? { database } : {}),
      partitionSize: 200,
    };
    // Counted from here: collections are per isolate, whatever ran in it before.
    const before = HeapCollector.get()?.collections ?? 0;
    const plain = join(dir, "plain");
    await new Extractor({ ...options, projectDir: plain }).extractData();
    equal(
      HeapCollector.get()?.collections ?? 0,
      before,
      "collections without the option",
    );
    const collected = join(dir, "collected");
    await new Extractor({
      ...options,
      projectDir: collected,
      collectGarbage: true,
    }).extractData();
    const collector = HeapCollector.get();
    ok(collector, "this runtime gives gc to new contexts after --expose-gc");
    ok(
      collector.collections >= before + 3,
      `${collector.collections - before} collections`,
    );
    deepEqual(await snapshotBackup(collected), await snapshotBackup(plain));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
