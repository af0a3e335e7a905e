// deno-lint-ignore-file no-console
/**
 * The extract in partitions: killed at random points and resumed, read with one or more sessions,
 * resumed with other options or after it finished, and planned over sparse ids.
 *
 * @module
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import type { Driver } from "neo4j-driver";
import { join } from "node:path";
import { main } from "../cli.ts";
import {
  describeExtractOutcome,
  extractKillLoop,
} from "../dev/extract_kill_loop.ts";
import { loadGeneratedGraph, random } from "../dev/generate_graph.ts";
import type { BackupError } from "../lib/errors.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { readManifest } from "../lib/format/manifest.ts";
import { type Selection, Selector } from "../lib/format/selection.ts";
import {
  nodePartitionQuery,
  relationshipPartitionQuery,
} from "../lib/extract/_selected_queries.ts";
import { snapshotBackup } from "./_backup.ts";
import {
  assertOneClearLine,
  connectionEnv,
  fakeTerminal,
  listBackup,
  runOk,
} from "./_cli.ts";
import { diffSnapshots, snapshotGraph } from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

const TARGET = await testTarget();
const { database } = TARGET;
/** Kill points in CI; `deno task faults` runs 20. */
const KILL_POINTS = Number(
  Deno.env.get("NEO4J_BACKUP_EXTRACT_KILL_POINTS") ?? 5,
);

/** Runs an extract into `dir` and cancels it once `after` partitions are written. */
async function stopExtract(
  driver: Driver,
  dir: string,
  options: { partitionSize: number; after: number },
): Promise<void> {
  const abort = new AbortController();
  await rejects(
    new Extractor({
      projectDir: dir,
      driver,
      database,
      partitionSize: options.partitionSize,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.partitions.done >= options.after) abort.abort();
      },
    }).extractData(),
    (e: BackupError) => e.code === "ABORTED",
  );
}

Deno.test(`an extract killed with SIGKILL at ${KILL_POINTS} random points and resumed gives a backup that imports exactly`, async () => {
  await using driver = await openDriver();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 4000, database });
  const expected = await snapshotGraph(driver, database);
  const workDir = await Deno.makeTempDir({ prefix: "extract-kill-" });
  try {
    const seed = Number(
      Deno.env.get("NEO4J_BACKUP_FAULT_SEED") ?? Date.now() % 1_000_000,
    );
    const lines: string[] = [];
    const outcomes = await extractKillLoop({
      ...TARGET,
      expected,
      points: KILL_POINTS,
      random: random(seed),
      workDir,
      args: ["--partition-size", "400", "-q"],
      onOutcome: (o) => lines.push(describeExtractOutcome(o)),
    });
    console.log(`seed ${seed}:\n${lines.join("\n")}`);
    for (const outcome of outcomes) {
      deepEqual(outcome.differences, [], describeExtractOutcome(outcome));
      deepEqual(outcome.leftovers, [], describeExtractOutcome(outcome));
    }
    ok(
      outcomes.some((o) => o.interrupted && o.partitionsDone > 0),
      "at least one kill came after some partitions were done",
    );

    // One killed and resumed backup, imported: the graph comes back exactly.
    const backup = join(workDir, "imported");
    const env = connectionEnv(TARGET);
    await stopExtract(driver, backup, { partitionSize: 400, after: 5 });
    ok(listBackup(backup).includes("checkpoint.jsonl"));
    const resumed = await runOk(
      ["extract", backup, "--resume", "--partition-size", "400"],
      env,
    );
    match(
      resumed.stdout,
      /resumed: \d+ of \d+ partitions were already written/,
    );
    await runOk(["import", backup, "--clean", "--yes", "-q"], env);
    deepEqual(
      diffSnapshots(expected, await snapshotGraph(driver, database)),
      [],
    );
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});

Deno.test("extracts with --jobs 1 and --jobs 2 import to identical graphs", async () => {
  await using driver = await openDriver();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 3000, database });
  const expected = await snapshotGraph(driver, database);
  const env = connectionEnv(TARGET);
  const dir = await Deno.makeTempDir({ prefix: "extract-jobs-" });
  try {
    const counts = [];
    for (const jobs of ["1", "2", "4"]) {
      const backup = join(dir, `jobs-${jobs}`);
      await runOk(
        ["extract", backup, "-q", "-j", jobs, "--partition-size", "250"],
        env,
      );
      deepEqual(diffSnapshots(expected, await snapshotBackup(backup)), []);
      const manifest = await readManifest(backup);
      ok(manifest.files.length > 10, "many partitions, a file each at least");
      counts.push(manifest.counts);
    }
    deepEqual(counts[1], counts[0]);
    deepEqual(counts[2], counts[0]);
    for (const jobs of ["1", "2"]) {
      await runOk(
        ["import", join(dir, `jobs-${jobs}`), "--clean", "--yes", "-q"],
        env,
      );
      deepEqual(
        diffSnapshots(expected, await snapshotGraph(driver, database)),
        [],
        `jobs ${jobs}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("extract --resume refuses other options, starts over without a checkpoint, and leaves a complete backup as it is", async (t) => {
  await using driver = await openDriver();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 1000, database });
  const expected = await snapshotGraph(driver, database);
  const env = connectionEnv(TARGET);
  const dir = await Deno.makeTempDir({ prefix: "extract-resume-" });
  const stopped = (backup: string): Promise<void> =>
    stopExtract(driver, backup, { partitionSize: 100, after: 2 });
  try {
    await t.step(
      "other options: one clear line, and the checkpoint kept",
      async () => {
        const backup = join(dir, "options");
        await stopped(backup);
        const terminal = fakeTerminal(env);
        const status = await main(
          ["extract", backup, "--resume", "--partition-size", "200"],
          terminal,
        );
        match(
          assertOneClearLine(status, terminal),
          /^error: Cannot resume the extract: the checkpoint in \S+ belongs to an extract with other options \(.*"partitionSize":100.*\): resume with the options it started with$/,
        );
        await runOk(
          ["extract", backup, "--resume", "--partition-size", "100", "-q"],
          env,
        );
        deepEqual(diffSnapshots(expected, await snapshotBackup(backup)), []);
      },
    );
    await t.step("without --resume: asks, and names --resume", async () => {
      const backup = join(dir, "ask");
      await stopped(backup);
      const terminal = fakeTerminal(env);
      const status = await main(["extract", backup], terminal);
      match(
        assertOneClearLine(status, terminal),
        /^error: Cannot extract: \S+ holds an extract that did not finish; continue it with --resume, or start over with --yes$/,
      );
    });
    await t.step("no checkpoint (killed before it): starts over", async () => {
      const backup = join(dir, "early");
      await stopped(backup);
      await Deno.remove(join(backup, "checkpoint.jsonl"));
      await runOk(["extract", backup, "--resume", "-q"], env);
      deepEqual(diffSnapshots(expected, await snapshotBackup(backup)), []);
    });
    await t.step("a complete backup: left as it is", async () => {
      const backup = join(dir, "complete");
      await runOk(["extract", backup, "-q"], env);
      const before = await Deno.readTextFile(join(backup, "manifest.json"));
      const terminal = await runOk(["extract", backup, "--resume"], env);
      match(terminal.stdout, /^Extracted 1,000 nodes/);
      equal(await Deno.readTextFile(join(backup, "manifest.json")), before);
    });
    await t.step("--resume with --yes is a usage error", async () => {
      const terminal = fakeTerminal(env);
      equal(await main(["extract", dir, "--resume", "--yes"], terminal), 2);
      match(terminal.stderr, /^error: --resume and --yes exclude each other/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an extract over sparse ids reads partitions of bounded size by seeks, never a scan", async () => {
  await using driver = await openDriver();
  await wipe(driver, database);
  // 20,000 nodes, then all but every 50th deleted: ids up to ~20,000, 400 in use.
  await driver.executeQuery(
    "UNWIND range(1, 20000) AS i CREATE (:S {i: i})",
    {},
    { database },
  );
  await driver.executeQuery(
    "MATCH (n:S) WHERE n.i % 50 <> 0 DELETE n",
    {},
    { database },
  );
  await driver.executeQuery(
    "MATCH (a:S), (b:S) WHERE b.i = a.i + 50 CREATE (a)-[:NEXT]->(b)",
    {},
    { database },
  );
  const expected = await snapshotGraph(driver, database);
  const dir = await Deno.makeTempDir({ prefix: "extract-sparse-" });
  try {
    const counts = await new Extractor({
      projectDir: dir,
      driver,
      database,
      partitionSize: 50,
    }).extractData();
    equal(counts.nodes, 400);
    deepEqual(diffSnapshots(expected, await snapshotBackup(dir)), []);
    // About 400 / 50 node partitions (a probe's estimate), not 20,000 / 50.
    const manifest = await readManifest(dir);
    const nodeFiles = manifest.files.filter((f) => f.kind === "nodes");
    ok(
      nodeFiles.length >= 4 && nodeFiles.length <= 40,
      `${nodeFiles.length} node partitions`,
    );
    ok(
      Math.max(...nodeFiles.map((f) => f.records)) <= 200,
      `partitions of at most 4 times the size: ${
        nodeFiles.map((f) => f.records).join(",")
      }`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the partitions' queries seek by id and never scan the store", async (t) => {
  await using driver = await openDriver();
  const operators = async (query: {
    text: string;
    parameters: Record<string, unknown>;
  }): Promise<string[]> => {
    const { summary } = await driver.executeQuery(
      `EXPLAIN ${query.text}`,
      query.parameters,
      { database },
    );
    const found: string[] = [];
    const walk = (plan: { operatorType: string; children: unknown[] }) => {
      found.push(plan.operatorType.replace(/@.*$/, ""));
      for (const child of plan.children) walk(child as typeof plan);
    };
    walk(summary.plan as never);
    return found;
  };
  const cases: [string, Selection][] = [
    ["everything", {}],
    ["excluded labels and types", {
      excludeLabels: ["A`b"],
      excludeTypes: ["T"],
    }],
    ["selected types", { types: ["T", "U V"] }],
  ];
  for (const [name, selection] of cases) {
    await t.step(name, async () => {
      const selector = new Selector(selection);
      const nodes = await operators(nodePartitionQuery(selector, 0, 1000));
      ok(nodes.includes("NodeByIdSeek"), nodes.join(" < "));
      ok(!nodes.some((o) => /Scan/.test(o)), nodes.join(" < "));
      const rels = await operators(
        relationshipPartitionQuery(selector, 0, 1000),
      );
      ok(
        rels.some((o) => /RelationshipByIdSeek/.test(o)),
        rels.join(" < "),
      );
      ok(!rels.some((o) => /Scan/.test(o)), rels.join(" < "));
    });
  }
});

Deno.test("a version 1 backup (data files named by record count) still verifies and imports exactly", async () => {
  const v1 = new URL("./testdata/small_backup", import.meta.url).pathname;
  const manifest = await readManifest(v1);
  equal(manifest.formatVersion, 1);
  ok(manifest.files.every((f) => /^data\/\w+_\d+\.json\.gz$/.test(f.path)));
  const env = connectionEnv(TARGET);
  await runOk(["verify", v1, "-q"], env);
  await using driver = await openDriver();
  await runOk(["import", v1, "--clean", "--yes", "-q"], env);
  deepEqual(
    diffSnapshots(
      await snapshotBackup(v1),
      await snapshotGraph(driver, database),
    ),
    [],
  );
});

Deno.test("an extract goes on with a new query after each huge record and loses or doubles nothing", async () => {
  await using driver = await openDriver();
  await wipe(driver, database);
  // 300 nodes, every 25th with a 1.5 MB string: each ends its query, the next starts after it.
  await driver.executeQuery(
    "UNWIND range(1, 300) AS i CREATE (:H {i: i, s: CASE WHEN i % 25 = 0 THEN reduce(s = '', k IN range(1, 1500) | s + $kb) ELSE 'small' END})",
    { kb: "x".repeat(1000) },
    { database },
  );
  await driver.executeQuery(
    "MATCH (a:H), (b:H) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT]->(b)",
    {},
    { database },
  );
  const expected = await snapshotGraph(driver, database);
  const dir = await Deno.makeTempDir({ prefix: "extract-huge-" });
  try {
    const counts = await new Extractor({
      projectDir: dir,
      driver,
      database,
      partitionSize: 100,
    }).extractData();
    equal(counts.nodes, 300);
    equal(counts.relationships, 299);
    deepEqual(diffSnapshots(expected, await snapshotBackup(dir)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
