// deno-lint-ignore-file no-console
import { journalNames } from "./_cli.ts";
import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadFaultGraph } from "../dev/fault_loop.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { Importer } from "../lib/import/importer.ts";
import type { JournalContents } from "../lib/import/_journal.ts";
import { resumePoint } from "../lib/import/_resume.ts";
import { Target } from "../lib/import/_target.ts";
import { IdMap } from "../lib/verify/_id_map.ts";
import { diffSnapshots, snapshotGraph, snapshotSchema } from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** How many kill points the test tries; `NEO4J_BACKUP_KILL_POINTS` raises it (e.g. to 20). */
const KILL_POINTS = Number(Deno.env.get("NEO4J_BACKUP_KILL_POINTS") ?? 5);

/** Runs `neo4j-backup import` in a child process and kills it (SIGKILL) after `ms`. */
async function importKilledAfter(
  dir: string,
  ms: number,
  env: Record<string, string>,
): Promise<{ killed: boolean; code: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      CLI,
      "import",
      dir,
      "--clean",
      "--yes",
      "--batch-size",
      "300",
      "-q",
    ],
    env,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      killed = false; // It had already ended.
    }
  }, ms);
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  clearTimeout(timer);
  if (!killed && status.code !== 0) throw new Error(`import failed: ${stderr}`);
  return { killed: killed && status.signal === "SIGKILL", code: status.code };
}

Deno.test("an import killed at any point resumes to exactly the uninterrupted result", async () => {
  await using driver = await openDriver();
  const target = await testTarget();
  const { database } = target;
  await wipe(driver, database);
  await loadFaultGraph(driver, 4000, database);
  const source = await snapshotGraph(driver, database);
  const schema = await snapshotSchema(driver, database);
  const dir = await Deno.makeTempDir();
  try {
    await new Extractor({ projectDir: dir, driver, database }).extractData();
    const env = {
      NEO4J_URI: target.uri,
      NEO4J_USERNAME: target.username,
      NEO4J_PASSWORD: target.password,
      ...(database ? { NEO4J_DATABASE: database } : {}),
    };
    // How long an uninterrupted import takes, child process included.
    const started = performance.now();
    await importKilledAfter(dir, 10 * 60_000, env);
    const full = performance.now() - started;
    deepEqual(diffSnapshots(source, await snapshotGraph(driver, database)), []);

    const journals = journalNames();
    const outcomes: string[] = [];
    for (let i = 0; i < KILL_POINTS; i++) {
      // Spread over the whole run: verification, clean, nodes, relationships, schema.
      const at = Math.round(
        full * (0.1 + (0.85 * i) / Math.max(1, KILL_POINTS - 1)),
      );
      const { killed } = await importKilledAfter(dir, at, env);
      let how: string;
      try {
        const counts = await new Importer({
          projectDir: dir,
          driver,
          database,
          resume: true,
        })
          .importData();
        how = `resumed (${counts.nodes} nodes)`;
      } catch (error) {
        // Killed before the journal existed (while verifying or emptying the database): there
        // is nothing to resume, and a user starts over.
        ok(
          /nothing to resume/.test((error as Error).message),
          (error as Error).message,
        );
        await new Importer({
          projectDir: dir,
          driver,
          database,
          clean: true,
          inputYes: true,
        })
          .importData();
        how = "started over";
      }
      outcomes.push(`${at} ms: ${killed ? "killed" : "finished"}, ${how}`);
      deepEqual(
        diffSnapshots(source, await snapshotGraph(driver, database)),
        [],
        `after a kill at ${at} ms`,
      );
      deepEqual(
        diffSnapshots(schema, await snapshotSchema(driver, database)),
        [],
      );
      deepEqual(journalNames(), journals, "no journal left");
    }
    console.log(`Full import ${Math.round(full)} ms; ${outcomes.join("; ")}`);
    ok(
      outcomes.some((o) => o.includes("killed, resumed")),
      outcomes.join("; "),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resumePoint() settles an uncertain transaction whose ids a committed one was given since as not committed", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  // Three nodes a committed transaction created, and one an uncertain transaction created.
  const { records } = await driver.executeQuery(
    "UNWIND range(1, 4) AS i CREATE (n:R {i: i}) RETURN id(n) AS id ORDER BY i",
    {},
    { database },
  );
  const [x, y, z, w] = records.map((r) => Number(r.get("id")));
  const missing = Math.max(x!, y!, z!, w!) + 1_000;
  const journal: JournalContents = {
    header: {
      journal: "neo4j-backup-import",
      version: 1,
      backup: "abc",
      target: { address: "", database: "neo4j", databaseId: "X" },
      createdAt: "2026-12-04T00:00:00.000Z",
      baseline: { labelSets: [], relationshipTypes: [] },
    },
    committed: [{ s: 0, k: "n", f: 0, a: 0, b: 3, ids: [0, x!, 1, y!, 2, z!] }],
    uncertain: [
      // Rolled back, and its first id given to the committed transaction's node: one of its
      // two ids exists, which alone would look like a database changed by something else.
      { s: 1, k: "n", f: 0, a: 3, b: 5, ids: [3, y!, 4, missing] },
      // Committed: its id exists and belongs to no other transaction.
      { s: 2, k: "n", f: 0, a: 3, b: 4, ids: [3, w!] },
    ],
    nextSequence: 3,
  };
  const ids = new IdMap();
  for (let id = 0; id < 5; id++) ids.add(id);
  ids.freeze();
  const point = await resumePoint(
    new Target(driver, database, undefined),
    journal,
    ids,
  );
  deepEqual(point.done.get(0), [[0, 4]]);
  equal(point.written.nodes, 4);
  equal(ids.get(3n), w);
  equal(ids.get(4n), undefined);
});
