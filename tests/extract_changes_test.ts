/**
 * The extract of a database written while it is read: relationships read after every node, and
 * the relationships that end at a node the backup lacks mended (the node read by id, or their
 * partition read again when the node is gone), so that the backup is whole.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { loadGeneratedGraph } from "../dev/generate_graph.ts";
import type { Driver } from "neo4j-driver";
import { type ExtractCounts, Extractor } from "../lib/extract/extractor.ts";
import type { DataFileEntry } from "../lib/format/manifest.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";
import { snapshotBackup } from "./_backup.ts";
import { diffSnapshots, snapshotGraph } from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

const TARGET = await testTarget();
const { database } = TARGET;

Deno.test("an extract reads relationships only once every node partition is written, at any --jobs", async (t) => {
  await using driver = await openDriver();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 2000, database });
  const dir = await Deno.makeTempDir({ prefix: "extract-order-" });
  try {
    for (const jobs of [1, 2, 4]) {
      await t.step(`${jobs} jobs`, async () => {
        // Each node partition's hook holds its session back a while: a relationship partition
        // that started before the last node partition was through would come in meanwhile.
        let nodePartitions = 0;
        let nodesFinished = 0;
        const seenByRelationships: number[] = [];
        const counts = await new Extractor({
          projectDir: join(dir, `jobs-${jobs}`),
          driver,
          database,
          jobs,
          partitionSize: 200,
          onPartition: async (files) => {
            if (files[0]?.kind === "nodes") {
              nodePartitions++;
              await new Promise((resolve) => setTimeout(resolve, 300));
              nodesFinished++;
            } else if (files.length > 0) {
              seenByRelationships.push(nodesFinished);
            }
          },
        }).extractData();
        ok(counts.partitions > 10, "many partitions");
        ok(nodePartitions > jobs && seenByRelationships.length > 0);
        deepEqual(
          [...new Set(seenByRelationships)],
          [nodePartitions],
          "every node partition was through before any relationship partition",
        );
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Extracts, with `--label A` and one job, a graph of two :A nodes and a :C node `x` outside the
 * selection, `(a1:A)-[:T]->(x:C)` and `(a2:A)-[:T]->(a1)`, running each query of `when` on the
 * first partition of its kind the extract finishes; then `check` gets the counts, the backup
 * directory and the driver.
 */
async function extractWhileWriting(
  when: { nodes?: string; relationships?: string },
  check: (
    counts: ExtractCounts,
    dir: string,
    driver: Driver,
  ) => Promise<void>,
): Promise<void> {
  await using driver = await openDriver();
  await wipe(driver, database);
  await driver.executeQuery(
    "CREATE (a1:A {name: 'a1'}), (a2:A {name: 'a2'}), (x:C {name: 'x'}), (a1)-[:T {n: 1}]->(x), (a2)-[:T {n: 2}]->(a1)",
    {},
    { database },
  );
  const dir = await Deno.makeTempDir({ prefix: "extract-changes-" });
  try {
    const ran = new Set<string>();
    const counts = await new Extractor({
      projectDir: dir,
      driver,
      database,
      labels: ["A"],
      jobs: 1,
      inputYes: true,
      onPartition: async (files: DataFileEntry[]) => {
        const kind = files[0]?.kind;
        const query = kind && when[kind];
        if (!kind || !query || ran.has(kind)) return;
        ran.add(kind);
        await driver.executeQuery(query, {}, { database });
      },
    }).extractData();
    await check(counts, dir, driver);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The backup in `dir` holds what the database holds now, and verifies. */
async function assertBackupOfNow(dir: string, driver: Driver): Promise<void> {
  deepEqual(
    diffSnapshots(
      await snapshotGraph(driver, database),
      await snapshotBackup(dir),
    ),
    [],
  );
  await verifyBackup(dir);
}

Deno.test("an extract mends each relationship that ends at a node its backup lacks", async (t) => {
  const cases = [{
    name:
      "a node that came into the selection after its partition was read is read by id",
    when: { nodes: "MATCH (x:C) SET x:A" },
    mended: { relationships: 1, nodesAdded: 1, partitionsReread: 0 },
    nodes: 3,
    relationships: 2,
  }, {
    name:
      "the partition of a relationship whose endpoint was deleted after it was read is read again",
    when: {
      nodes: "MATCH (x:C) SET x:A",
      relationships: "MATCH (x:C) DETACH DELETE x",
    },
    mended: { relationships: 1, nodesAdded: 0, partitionsReread: 1 },
    nodes: 2,
    relationships: 1,
  }];
  for (const c of cases) {
    await t.step(c.name, async () => {
      await extractWhileWriting(c.when, async (counts, dir, driver) => {
        equal(counts.writesDetected, true);
        deepEqual(counts.mended, c.mended);
        equal(counts.nodes, c.nodes);
        equal(counts.relationships, c.relationships);
        await assertBackupOfNow(dir, driver);
      });
    });
  }
});

Deno.test("an extract of a database that does not change mends nothing", async () => {
  await extractWhileWriting({}, async (counts, dir) => {
    equal(counts.writesDetected, false);
    deepEqual(counts.mended, {
      relationships: 0,
      nodesAdded: 0,
      partitionsReread: 0,
    });
    equal(counts.nodes, 2);
    equal(counts.relationships, 1);
    await verifyBackup(dir);
  });
});
