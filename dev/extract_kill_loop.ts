/**
 * The extract's kill loop: runs `neo4j-backup extract` in a child process, kills it with SIGKILL
 * at random points, finishes each with `extract --resume`, and checks that the backup holds
 * exactly the source graph and nothing of the extract is left (no checkpoint, no partitions, no
 * marker). Used by tests/extract_resume_test.ts (a few points) and `deno task faults` (20).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { diffSnapshots, type GraphSnapshot } from "../tests/_graph.ts";
import { snapshotBackup } from "../tests/_backup.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** Where and how the loop extracts. */
export interface ExtractKillLoopOptions {
  uri: string;
  username: string;
  password: string;
  database?: string | undefined;
  /** What every backup must hold. */
  expected: GraphSnapshot;
  /** Kill points. */
  points: number;
  /** Random numbers in [0, 1), for the points. */
  random: () => number;
  /** A folder for the backups (one per point, removed after it). */
  workDir: string;
  /** Extra flags of every extract, e.g. `["--partition-size", "300"]`. */
  args?: string[];
  /** Called after each point. */
  onOutcome?: (outcome: ExtractKillOutcome) => void;
}

/** How one kill point ended. */
export interface ExtractKillOutcome {
  /** When the kill came, in ms after the extract started. */
  atMs: number;
  /** Whether the extract was still running when killed. */
  interrupted: boolean;
  /** Partitions its checkpoint recorded as done when it was killed. */
  partitionsDone: number;
  /** What the resume printed (its summary line). */
  resumed: string;
  /** Differences from the source (empty: exact). */
  differences: string[];
  /** Files of the extract left behind after the resume (checkpoint, partitions, marker). */
  leftovers: string[];
}

/** Runs the loop; returns one outcome per point. */
export async function extractKillLoop(
  options: ExtractKillLoopOptions,
): Promise<ExtractKillOutcome[]> {
  const fullMs = await timeExtract(options);
  const outcomes: ExtractKillOutcome[] = [];
  for (let point = 0; point < options.points; point++) {
    const dir = join(options.workDir, `kill-${point}`);
    const atMs = Math.round(fullMs * (0.05 + 0.9 * options.random()));
    const child = extract(options, [dir]).spawn();
    let running = true;
    const exited = child.status.then(() => {
      running = false;
    });
    await Promise.race([exited, sleep(atMs)]);
    const interrupted = running;
    if (running) child.kill("SIGKILL");
    await child.status;
    const partitionsDone = await countDone(dir);
    const resume = await extract(options, [dir, "--resume"]).output();
    const stderr = new TextDecoder().decode(resume.stderr);
    const stdout = new TextDecoder().decode(resume.stdout).trim();
    const outcome: ExtractKillOutcome = {
      atMs,
      interrupted,
      partitionsDone,
      resumed: resume.success ? stdout : `failed: ${stderr.trim()}`,
      differences: resume.success
        ? diffSnapshots(options.expected, await snapshotBackup(dir))
        : [`the resume failed: ${stderr.trim()}`],
      leftovers: await leftovers(dir),
    };
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
    await Deno.remove(dir, { recursive: true });
  }
  return outcomes;
}

/** One line about an outcome. */
export function describeExtractOutcome(outcome: ExtractKillOutcome): string {
  const exact = outcome.differences.length === 0 &&
    outcome.leftovers.length === 0;
  return `extract killed at ${outcome.atMs} ms (${
    outcome.interrupted ? "running" : "already finished"
  }, ${outcome.partitionsDone} partitions done): ${
    exact ? "exact" : "DIFFERENT"
  }: ${outcome.resumed}${
    outcome.differences.length > 0
      ? `\n  ${outcome.differences.slice(0, 5).join("\n  ")}`
      : ""
  }${
    outcome.leftovers.length > 0
      ? `\n  left: ${outcome.leftovers.join(", ")}`
      : ""
  }`;
}

/** How long an uninterrupted extract takes (a child process, from spawn to exit). */
async function timeExtract(options: ExtractKillLoopOptions): Promise<number> {
  const dir = join(options.workDir, "full");
  const started = performance.now();
  const { success, stderr } = await extract(options, [dir]).output();
  const ms = performance.now() - started;
  if (!success) throw new Error(new TextDecoder().decode(stderr));
  await Deno.remove(dir, { recursive: true });
  return ms;
}

function extract(
  options: ExtractKillLoopOptions,
  args: string[],
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      CLI,
      "extract",
      ...args,
      ...(options.args ?? []),
      ...(options.database ? ["-d", options.database] : []),
    ],
    env: {
      NEO4J_URI: options.uri,
      NEO4J_USERNAME: options.username,
      NEO4J_PASSWORD: options.password,
    },
    stdout: "piped",
    stderr: "piped",
  });
}

async function countDone(dir: string): Promise<number> {
  try {
    const text = await Deno.readTextFile(join(dir, "checkpoint.jsonl"));
    return text.split("\n").filter((line) => line.startsWith('{"done"'))
      .length;
  } catch {
    return 0;
  }
}

async function leftovers(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of ["checkpoint.jsonl", ".partitions", "INCOMPLETE"]) {
    try {
      await Deno.stat(join(dir, name));
      found.push(name);
    } catch {
      // Gone, as it should be.
    }
  }
  return found;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
