// deno-lint-ignore-file no-console
import { journalNames } from "./_cli.ts";
import { deepEqual, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadFaultGraph } from "../dev/fault_loop.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { Importer } from "../lib/import/importer.ts";
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
