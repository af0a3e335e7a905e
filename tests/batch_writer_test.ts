/**
 * The import's writers on a real server: one dynamic statement per batch writes what a
 * statement per label set writes; an import with several sessions at once gives the same
 * graph as one with a single session; writers that contend for the same nodes deadlock, retry,
 * and lose or double nothing; and an import stopped in the middle resumes exactly with any
 * number of writers.
 *
 * @module
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import type { Driver } from "neo4j-driver";
import { loadFaultGraph } from "../dev/fault_loop.ts";
import { DEFAULT_NEO4J_VERSION, Neo4jServer } from "../dev/neo4j_server.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { readServerInfo } from "../lib/_server_info.ts";
import type { BackupRecord } from "../lib/format/record.ts";
import { Importer } from "../lib/import/importer.ts";
import {
  createNodes,
  createRelationships,
  STATEMENTS_PER_BATCH,
  takesDynamicLabels,
} from "../lib/import/_write_batch.ts";
import { IdMap } from "../lib/verify/_id_map.ts";
import { diffSnapshots, type GraphSnapshot, snapshotGraph } from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

const TARGET = await testTarget();
const { database } = TARGET;

async function backUp(
  driver: Driver,
  load: (driver: Driver) => Promise<unknown>,
): Promise<{ dir: string; backup: string; expected: GraphSnapshot }> {
  await wipe(driver, database);
  await load(driver);
  const expected = await snapshotGraph(driver, database);
  const dir = await Deno.makeTempDir({ prefix: "parallel-" });
  const backup = join(dir, "backup");
  await new Extractor({ projectDir: backup, driver, database }).extractData();
  return { dir, backup, expected };
}

async function assertGraph(
  driver: Driver,
  expected: GraphSnapshot,
  what: string,
): Promise<void> {
  const differences = diffSnapshots(
    await snapshotGraph(driver, database),
    expected,
  );
  deepEqual(differences, [], `${what}: ${differences.slice(0, 5).join("\n")}`);
}

Deno.test("imports with 1, 2 and 4 writers give the same graph", async (t) => {
  await using driver = await openDriver();
  const { dir, backup, expected } = await backUp(
    driver,
    (d) => loadFaultGraph(d, 3_000, database),
  );
  try {
    for (const jobs of [1, 2, 4]) {
      await t.step(`--jobs ${jobs}`, async () => {
        await wipe(driver, database);
        const counts = await new Importer({
          projectDir: backup,
          driver,
          database,
          jobs,
          batchSize: 250,
        }).importData();
        equal(counts.nodes, expected.nodes.length);
        await assertGraph(driver, expected, `--jobs ${jobs}`);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writers on the same few nodes lose and double nothing", async () => {
  await using driver = await openDriver();
  const { dir, backup, expected } = await backUp(driver, loadHubs);
  try {
    await wipe(driver, database);
    // Every batch of every writer touches most of the 20 nodes. (Neo4j takes the locks of a
    // transaction's new relationships at commit, in order, so such writers wait on each other
    // but do not deadlock: measured, no retry with 6 writers.)
    const counts = await new Importer({
      projectDir: backup,
      driver,
      database,
      jobs: 6,
      batchSize: 100,
    }).importData();
    equal(counts.relationships, 6_000);
    await assertGraph(driver, expected, "contended import");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "writers that time out on a lock another transaction holds retry and lose or double nothing",
  ignore: !TARGET.localServers,
  async fn(): Promise<void> {
    const version = Deno.env.get("NEO4J_VERSION") ?? DEFAULT_NEO4J_VERSION;
    await using server = await Neo4jServer.start({
      heap: "512m",
      pageCache: "64m",
      settings: {
        [
          /^4\./.test(version)
            ? "dbms.lock.acquisition.timeout"
            : "db.lock.acquisition.timeout"
        ]: "500ms",
      },
    });
    await using source = await openDriver();
    const { dir, backup, expected } = await backUp(source, loadHubs);
    await using driver = await openDriver({
      ...server.info,
      database: undefined,
      localServers: true,
    });
    try {
      // Once the relationships start, another transaction takes every node's lock for 3 s.
      let holding: Promise<void> | undefined;
      const hold = async (): Promise<void> => {
        const session = driver.session();
        const tx = session.beginTransaction();
        try {
          await tx.run("MATCH (n) SET n.held = true");
          await new Promise((resolve) => setTimeout(resolve, 3_000));
        } finally {
          await tx.rollback();
          await session.close();
        }
      };
      const counts = await new Importer({
        projectDir: backup,
        driver,
        jobs: 4,
        batchSize: 20,
        onProgress: (p) => {
          if (p.phase === "relationships" && p.done >= 200) holding ??= hold();
        },
      }).importData();
      await holding;
      equal(counts.relationships, 6_000);
      ok(counts.retries > 0, "no writer waited for the lock");
      const differences = diffSnapshots(await snapshotGraph(driver), expected);
      deepEqual(differences, [], differences.slice(0, 5).join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** 20 nodes and 6,000 relationships between pairs of them. */
async function loadHubs(driver: Driver): Promise<void> {
  await driver.executeQuery(
    "UNWIND range(0, 19) AS i CREATE (:Hub {i: i})",
    {},
    { database },
  );
  await driver.executeQuery(
    `UNWIND range(0, 5999) AS k
     MATCH (a:Hub {i: (k * 7) % 20}), (b:Hub {i: (k * 13 + k / 20) % 20})
     CREATE (a)-[:LINK {k: k}]->(b)`,
    {},
    { database },
  );
}

Deno.test("a parallel import stopped in the middle resumes exactly with another number of writers", async (t) => {
  await using driver = await openDriver();
  const { dir, backup, expected } = await backUp(
    driver,
    (d) => loadFaultGraph(d, 2_000, database),
  );
  try {
    for (
      const [phase, before, after] of [
        ["nodes", 4, 1],
        ["relationships", 3, 2],
        ["relationships", 1, 4],
      ] as const
    ) {
      await t.step(
        `stopped in the ${phase} with --jobs ${before}, resumed with --jobs ${after}`,
        async () => {
          await wipe(driver, database);
          const journal = join(dir, `${phase}-${before}.journal`);
          const abort = new AbortController();
          await rejects(
            new Importer({
              projectDir: backup,
              driver,
              database,
              journal,
              jobs: before,
              batchSize: 50,
              signal: abort.signal,
              onProgress: (p) => {
                if (p.phase === phase && p.done >= 400) abort.abort();
              },
            }).importData(),
          );
          const resumed = await new Importer({
            projectDir: backup,
            driver,
            database,
            journal,
            jobs: after,
            batchSize: 50,
            resume: true,
          }).importData();
          ok(resumed.resumed);
          await assertGraph(driver, expected, "resumed import");
        },
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createNodes() and createRelationships() write the same with one dynamic statement and with a statement per label set", async (t) => {
  await using driver = await openDriver();
  const server = await readServerInfo(driver, database);
  const records: BackupRecord[] = [
    { kind: "node", id: 0n, labels: [], properties: { i: 0n } },
    { kind: "node", id: 1n, labels: ["A"], properties: { i: 1n } },
    { kind: "node", id: 2n, labels: ["B", "A"], properties: { i: 2n } },
    { kind: "node", id: 3n, labels: ["We`ird"], properties: { i: 3n } },
    // More label sets and types than a batch takes statements, so that the dynamic statement
    // writes them where the server has it.
    ...Array.from({ length: STATEMENTS_PER_BATCH }, (_, i): BackupRecord => ({
      kind: "node",
      id: BigInt(4 + i),
      labels: [`L${i}`],
      properties: { i: BigInt(4 + i) },
    })),
  ];
  const links: BackupRecord[] = [
    ...[
      [0n, 1n, "R"],
      [1n, 2n, "S"],
      [2n, 3n, "T`x"],
      [3n, 0n, "R"],
      ...Array.from(
        { length: STATEMENTS_PER_BATCH },
        (_, i) => [BigInt(4 + i), 0n, `T${i}`],
      ),
    ].map((
      [start, end, type],
      i,
    ) => ({
      kind: "relationship" as const,
      id: BigInt(i),
      type: type as string,
      startId: start as bigint,
      endId: end as bigint,
      properties: { i: BigInt(i) },
    })),
  ];
  const snapshots: GraphSnapshot[] = [];
  for (const dynamic of [false, true]) {
    if (dynamic && !takesDynamicLabels(server)) continue;
    await t.step(dynamic ? "dynamic" : "per label set", async () => {
      await wipe(driver, database);
      const ids = new IdMap();
      for (const r of records) ids.add(r.id);
      ids.freeze();
      const session = driver.session({ database });
      try {
        const tx = session.beginTransaction();
        const pairs = await createNodes(tx, records, {
          zonedFix: false,
          dynamic,
        });
        for (let i = 0; i < pairs.length; i += 2) {
          ids.set(BigInt(pairs[i]!), pairs[i + 1]!);
        }
        const created = await createRelationships(tx, links, ids, {
          zonedFix: false,
          dynamic,
        });
        equal(created.length, links.length);
        await tx.commit();
      } finally {
        await session.close();
      }
      snapshots.push(await snapshotGraph(driver, database));
    });
  }
  equal(snapshots[0]!.nodes.length, 4 + STATEMENTS_PER_BATCH);
  if (snapshots.length === 2) deepEqual(snapshots[1], snapshots[0]);
});
