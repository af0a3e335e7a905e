/**
 * The Importer against the suite's server: it honours a stop in every phase, refuses a non-empty
 * target before the long check of the backup, counts the schema the way the extract does, and
 * advises resuming only where resuming can succeed.
 *
 * @module
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { main } from "../cli.ts";
import { loadFaultGraph } from "../dev/fault_loop.ts";
import { DEFAULT_NEO4J_VERSION, Neo4jServer } from "../dev/neo4j_server.ts";
import { describeSchemaCounts } from "../lib/_schema_counts.ts";
import { BackupError } from "../lib/errors.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { Importer, type ImportProgress } from "../lib/import/importer.ts";
import {
  assertOneClearLine,
  connectionEnv,
  fakeTerminal,
  runOk,
} from "./_cli.ts";
import { diffSnapshots, snapshotGraph, snapshotSchema } from "./_graph.ts";
import { openDriver, type TestTarget, testTarget, wipe } from "./_neo4j.ts";

const TARGET = await testTarget();
const { database } = TARGET;
const db = database ? { database } : {};

/** Loads the fault graph (a uniqueness constraint, a text index) and backs it up. */
async function backupOfFaultGraph(nodes: number): Promise<{
  dir: string;
  backup: string;
  expected: Awaited<ReturnType<typeof snapshotGraph>>;
}> {
  await using driver = await openDriver();
  await wipe(driver, database);
  await loadFaultGraph(driver, nodes, database);
  const expected = await snapshotGraph(driver, database);
  const dir = await Deno.makeTempDir({ prefix: "importer-" });
  const backup = join(dir, "backup");
  await new Extractor({ projectDir: backup, driver, ...db }).extractData();
  return { dir, backup, expected };
}

Deno.test("Importer stops in the schema phase when its signal aborts, and a resume finishes exactly", async () => {
  const { dir, backup, expected } = await backupOfFaultGraph(300);
  try {
    await using driver = await openDriver();
    const schema = await snapshotSchema(driver, database);
    await wipe(driver, database);
    const abort = new AbortController();
    await rejects(
      new Importer({
        projectDir: backup,
        driver,
        ...db,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.phase === "schema") abort.abort();
        },
      }).importData(),
      (error: unknown) => {
        ok(error instanceof BackupError);
        equal(error.code, "ABORTED");
        equal(error.hint, "resume");
        return true;
      },
    );
    ok(
      diffSnapshots(schema, await snapshotSchema(driver, database)).length > 0,
      "the schema was not created",
    );
    const counts = await new Importer({
      projectDir: backup,
      driver,
      ...db,
      resume: true,
    }).importData();
    ok(counts.resumed);
    deepEqual(
      diffSnapshots(expected, await snapshotGraph(driver, database)),
      [],
    );
    deepEqual(
      diffSnapshots(schema, await snapshotSchema(driver, database)),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Importer refuses a non-empty target before it checks the backup", async () => {
  const { dir, backup } = await backupOfFaultGraph(200);
  try {
    await using driver = await openDriver();
    const phases = new Set<ImportProgress["phase"]>();
    await rejects(
      new Importer({
        projectDir: backup,
        driver,
        ...db,
        onProgress: (p) => phases.add(p.phase),
      }).importData(),
      (error: unknown) => {
        ok(error instanceof BackupError);
        equal(error.code, "TARGET_NOT_EMPTY");
        equal(error.hint, "confirm-or-clean");
        return true;
      },
    );
    deepEqual([...phases], [], "nothing was checked before the refusal");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the extract's summary, the refusal of a non-empty target and SHOW INDEXES count the schema one way", async () => {
  await using driver = await openDriver();
  await wipe(driver, database);
  await loadFaultGraph(driver, 100, database);
  // One more of each kind that a count could get wrong: a composite range index and a
  // uniqueness constraint (with its backing index).
  await driver.executeQuery(
    "CREATE INDEX person_names FOR (p:Person) ON (p.name1, p.name2)",
    {},
    db,
  );
  await driver.executeQuery(
    "CREATE CONSTRAINT tag_uid FOR (t:Tag) REQUIRE t.uid IS UNIQUE",
    {},
    db,
  );
  await driver.executeQuery("CALL db.awaitIndexes(300)", {}, db);
  const dir = await Deno.makeTempDir({ prefix: "importer-counts-" });
  try {
    const backup = join(dir, "backup");
    const env = connectionEnv(TARGET);
    const extracted = await runOk(["extract", backup], env);
    const { records } = await driver.executeQuery(
      "SHOW INDEXES YIELD name RETURN count(*) AS count",
      {},
      db,
    );
    const shown = Number(records[0]!.get("count"));
    const counts = await new Extractor({
      projectDir: join(dir, "again"),
      driver,
      ...db,
    }).extractData();
    equal(
      counts.indexes + counts.constraintIndexes + counts.lookupIndexes,
      shown,
    );
    equal(counts.constraintIndexes, 2);
    equal(counts.lookupIndexes, 2);
    const described = describeSchemaCounts(counts);
    equal(
      described,
      `2 constraints, ${counts.indexes} indexes (not counting the 2 that back constraints and 2 lookup indexes)`,
    );
    match(extracted.stdout, new RegExp(`\\(${escapeRegExp(described)}\\)`));

    const terminal = fakeTerminal(env);
    const line = assertOneClearLine(
      await main(["import", backup], terminal),
      terminal,
    );
    ok(line.includes(`relationships, ${described}); confirm with --yes`), line);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an import that a constraint of the target refuses does not advise a plain --resume", async () => {
  const { dir, backup } = await backupOfFaultGraph(200);
  try {
    await using driver = await openDriver();
    // The target holds a node that the backup's data collides with under its constraint.
    const { records } = await driver.executeQuery(
      "MATCH (p:Person) RETURN p.uid AS uid LIMIT 1",
      {},
      db,
    );
    await wipe(driver, database);
    await driver.executeQuery(
      "CREATE CONSTRAINT person_uid FOR (p:Person) REQUIRE p.uid IS UNIQUE",
      {},
      db,
    );
    await driver.executeQuery(
      "CREATE (:Person {uid: $uid})",
      { uid: records[0]!.get("uid") },
      db,
    );
    const env = connectionEnv(TARGET);
    for (const extra of [[], ["--resume"]]) {
      const terminal = fakeTerminal(env);
      const line = assertOneClearLine(
        await main(["import", backup, "--yes", "-q", ...extra], terminal),
        terminal,
      );
      match(line, /ConstraintValidationFailed/);
      match(
        line,
        /; --resume fails the same way until the cause is removed from the database \(--clean starts over in an emptied database instead\)$/,
      );
    }
    // Once the cause is gone (here: the target's constraint), the advice holds: --resume
    // finishes, and says that the backup's constraint could not be made.
    await driver.executeQuery("DROP CONSTRAINT person_uid", {}, db);
    const resumed = await runOk(["import", backup, "-q", "--resume"], env);
    match(
      resumed.stderr,
      /^warning: constraint "person_uid" .* was not created: /,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "an import into a server whose transactions are capped splits the batches it refuses and finishes exactly; a record larger than the cap fails in one clear line naming it",
  ignore: !TARGET.localServers,
  async fn(t): Promise<void> {
    const version = Deno.env.get("NEO4J_VERSION") ?? DEFAULT_NEO4J_VERSION;
    const setting = /^4\./.test(version)
      ? "dbms.memory.transaction.max_size"
      : "db.memory.transaction.max";
    await using server = await Neo4jServer.start({
      heap: "512m",
      pageCache: "64m",
      settings: { [setting]: "8m" },
    });
    const target: TestTarget = {
      ...server.info,
      database: undefined,
      localServers: true,
    };
    const dir = await Deno.makeTempDir({ prefix: "importer-memory-" });
    try {
      // The backups come from the suite's server: a read of the whole graph in one
      // transaction does not fit under the limit either.
      const text = "abcdefghij".repeat(4000);
      const backup = join(dir, "backup");
      const huge = join(dir, "huge");
      {
        await using source = await openDriver();
        await wipe(source, database);
        // 400 nodes of 40 KB each: 16 MB in one transaction of the default batch size, and
        // 8 MB in one of the default byte bound: both more than the server takes.
        await source.executeQuery(
          "UNWIND range(1, 400) AS i CREATE (:Doc {i: i, text: $text})",
          { text },
          db,
        );
        await source.executeQuery(
          "MATCH (a:Doc), (b:Doc) WHERE b.i = a.i % 400 + 1 CREATE (a)-[:NEXT {text: $text}]->(b)",
          { text },
          db,
        );
        await runOk(["extract", backup, "-q"], connectionEnv(TARGET));
        await source.executeQuery(
          "CREATE (:Doc {i: 0, text: $big})",
          { big: "x".repeat(12 << 20) },
          db,
        );
        await runOk(["extract", huge, "-q"], connectionEnv(TARGET));
      }
      await using driver = await openDriver(target);
      const env = connectionEnv(target);
      await t.step(
        "batches are split until the server takes them",
        async () => {
          const counts = await new Importer({ projectDir: backup, driver })
            .importData();
          equal(counts.nodes, 400);
          equal(counts.relationships, 400);
          // Every node exactly once, read back in transactions that fit.
          for (let i = 1; i <= 400; i += 20) {
            const { records } = await driver.executeQuery(
              "MATCH (n) WHERE n.i >= $from AND n.i < $from + 20 RETURN n.i AS i, labels(n) AS labels, keys(n) AS keys, n.text = $text AS same ORDER BY i",
              { from: BigInt(i), text },
            );
            deepEqual(
              records.map((r) => ({
                ...r.toObject(),
                keys: [...(r.get("keys") as string[])].sort(),
              })),
              Array.from({ length: 20 }, (_, k) => ({
                i: BigInt(i + k),
                labels: ["Doc"],
                keys: ["i", "text"],
                same: true,
              })),
            );
          }
          const { records } = await driver.executeQuery(
            "MATCH (n) WITH count(n) AS nodes MATCH (a)-[r:NEXT]->(b) WHERE b.i = a.i % 400 + 1 RETURN nodes, count(r) AS next",
          );
          deepEqual(records[0]!.toObject(), { nodes: 400n, next: 400n });
        },
      );
      await t.step("a record larger than the cap names itself", async () => {
        const terminal = fakeTerminal(env);
        const line = assertOneClearLine(
          await main(["import", huge, "-q", "--clean", "-y"], terminal),
          terminal,
        );
        match(
          line,
          /^error: Cannot import backup: record \d+ in data\/nodes_000001_1\.json\.gz \(node \d+, about 12\.0 MiB of values\) needs more memory than the server allows one transaction: raise (db\.memory\.transaction\.max|dbms\.memory\.transaction\.max_size) on the target server; the import can continue where it stopped: run it again with --resume$/,
        );
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
