// deno-lint-ignore-file no-console
/**
 * `deno task faults [--points N] [--nodes N] [--seed S]`: the import's kill loop, in full.
 *
 * Starts a Neo4j server of its own (files kept, so that it can be killed and restarted), loads a
 * generated graph with a constraint and an index, backs it up, then imports the backup over and
 * over in a child process (`neo4j-backup import`) and, at random points:
 *
 * - **client**: kills the import with SIGKILL, then finishes with `import --resume`;
 * - **server**: kills Neo4j with SIGKILL (as a crash would), sometimes kills the import too while
 *   the server is down, restarts the server, lets a surviving import ride it out (its retries),
 *   and finishes a failed or killed one with `import --resume`.
 *
 * After each point the database must hold exactly the source graph and schema, and no journal may
 * be left. Then the extract's loop (dev/extract_kill_loop.ts): an extract killed with SIGKILL at
 * `--extract-points` random points, each finished with `extract --resume`, must give a backup
 * that holds exactly the source graph. A summary line per point, then a total, are printed; the exit status is 1 when any
 * point ended differently. The functions are also used by tests/faults_test.ts with fewer points.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import neo4j, { type Driver } from "neo4j-driver";
import { journalNames } from "../tests/_cli.ts";
import {
  describeExtractOutcome,
  extractKillLoop,
} from "./extract_kill_loop.ts";
import { loadGeneratedGraph, random } from "./generate_graph.ts";
import { Neo4jServer } from "./neo4j_server.ts";
import {
  diffSnapshots,
  type GraphSnapshot,
  type SchemaSnapshot,
  snapshotGraph,
  snapshotSchema,
} from "../tests/_graph.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** Where and what the kill loop imports. */
export interface KillLoopTarget {
  /** The backup to import. */
  dir: string;
  uri: string;
  username: string;
  password: string;
  database?: string | undefined;
  /** What the database must hold after every point. */
  expected: { graph: GraphSnapshot; schema: SchemaSnapshot };
}

/** How one kill point ended. */
export interface KillPointOutcome {
  /** `client` or `server`. */
  kind: "client" | "server";
  /** When the kill came, in ms after the import started. */
  atMs: number;
  /** The last phase the import had finished before the kill (from its progress lines). */
  phase: string;
  /** What happened, e.g. `killed, resumed`. */
  how: string;
  /** Whether the kill came while the import ran (not after it had finished). */
  interrupted: boolean;
  /** Differences from the source (empty: exact). */
  differences: string[];
  /** Import journals left in the state folder. */
  journalsLeft: number;
}

/**
 * Awaits `promise` with a timer running: the server's process is unref'd, so awaiting its exit
 * alone would leave the event loop with nothing to wait for (Deno then fails the promise).
 */
export async function stayAwake<T>(promise: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 1000);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
  }
}

/** A running `neo4j-backup import` child process. */
interface ImportProcess {
  child: Deno.ChildProcess;
  done: Promise<{ code: number; signal: string | null; stderr: string }>;
  /** What it wrote on stderr so far. */
  stderr(): string;
  kill(): void;
}

function startImport(
  target: KillLoopTarget,
  args: string[],
  uri = target.uri,
): ImportProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "import", target.dir, ...args],
    env: {
      NEO4J_URI: uri,
      NEO4J_USERNAME: target.username,
      NEO4J_PASSWORD: target.password,
      ...(target.database ? { NEO4J_DATABASE: target.database } : {}),
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const read = (async () => {
    for await (
      const text of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      stderr += text;
    }
  })();
  const done = Promise.all([child.status, read]).then(([status]) => ({
    code: status.code,
    signal: status.signal,
    stderr,
  }));
  return {
    child,
    done,
    stderr: () => stderr,
    kill: () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // It had already ended.
      }
    },
  };
}

/** The last phase an import's progress lines (stderr, not a terminal) say it finished. */
function lastPhase(stderr: string): string {
  const phases = stderr.split("\n").map((line) => /^([a-z]+) {2,}/.exec(line))
    .filter((m) => m !== null).map((m) => m![1]!);
  return phases.at(-1) ?? "start";
}

/**
 * Checks that a failed import said why in one line, without a stack trace; throws otherwise.
 */
export function assertClearFailure(stderr: string): string {
  const errors = stderr.split("\n").filter((line) => line.startsWith("error:"));
  if (
    errors.length !== 1 || /This is a bug|\bat .*\.ts:\d+/.test(stderr)
  ) {
    throw new Error(`The import did not fail with one clear line:\n${stderr}`);
  }
  return errors[0]!;
}

/** Runs one import to its end; returns how it ended. */
async function runImport(
  target: KillLoopTarget,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  return await startImport(target, args).done;
}

/**
 * Finishes an interrupted import: `import --resume`, or, when the kill came before the journal
 * existed (nothing to resume), `import --clean --yes` from the start.
 */
async function finish(target: KillLoopTarget): Promise<string> {
  const resumed = await runImport(target, ["--resume", "-q"]);
  if (resumed.code === 0) return "resumed";
  if (!/nothing to resume/.test(resumed.stderr)) {
    throw new Error(`import --resume failed:\n${resumed.stderr}`);
  }
  const again = await runImport(target, ["--clean", "--yes", "-q"]);
  if (again.code !== 0) {
    throw new Error(`import --clean failed:\n${again.stderr}`);
  }
  return "started over";
}

async function compare(
  target: KillLoopTarget,
  journalsBefore: ReadonlySet<string>,
): Promise<{ differences: string[]; journalsLeft: number }> {
  const driver = neo4j.driver(
    target.uri,
    neo4j.auth.basic(target.username, target.password),
    { useBigInt: true, logging: { level: "error", logger: () => {} } },
  );
  try {
    const differences = [
      ...diffSnapshots(
        target.expected.graph,
        await snapshotGraph(driver, target.database),
      ),
      ...diffSnapshots(
        target.expected.schema,
        await snapshotSchema(driver, target.database),
      ),
    ];
    // Only this loop's: the state folder may hold other imports' journals.
    const journalsLeft = journalNames().filter((name) =>
      !journalsBefore.has(name)
    ).length;
    return { differences, journalsLeft };
  } finally {
    await driver.close();
  }
}

/**
 * The import that is killed: three writers at once, so that a kill lands with transactions of
 * several sessions in flight; the `--resume` that finishes it takes the default (two).
 */
const IMPORT_ARGS = ["--clean", "--yes", "--batch-size", "300", "--jobs", "3"];

/** How long an uninterrupted import takes (child process included, warm), in ms. */
export async function timeImport(target: KillLoopTarget): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    const { code, stderr } = await runImport(target, IMPORT_ARGS);
    if (code !== 0) throw new Error(`The import failed:\n${stderr}`);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** Options of {@linkcode clientKillLoop} and {@linkcode serverKillLoop}. */
export interface KillLoopOptions {
  /** Kill points that hit a running import. */
  points: number;
  /** How long an uninterrupted import takes ({@linkcode timeImport}), in ms. */
  fullMs: number;
  /** Where the kill times come from (seeded, so that a run can be repeated). */
  random: () => number;
  /** Called with each outcome as it comes. */
  onOutcome?: (outcome: KillPointOutcome) => void;
}

/**
 * What both kill loops share: an import per point, the kill time drawn within the import's time;
 * when it comes while the import runs, `interrupt` does the kill and finishes the import. An
 * import that ends first is not counted, and its time tightens the aim (imports get faster once
 * everything is compiled and warm). At most 3 x `points` attempts.
 */
async function killLoop(
  kind: KillPointOutcome["kind"],
  target: KillLoopTarget,
  options: KillLoopOptions,
  interrupt: (
    run: ImportProcess,
    hit: number,
  ) => Promise<{ interrupted: boolean; how: string }>,
): Promise<KillPointOutcome[]> {
  const outcomes: KillPointOutcome[] = [];
  const journalsBefore = new Set(journalNames());
  let fullMs = options.fullMs;
  let hits = 0;
  for (
    let attempt = 0;
    hits < options.points && attempt < 3 * options.points;
    attempt++
  ) {
    const atMs = Math.round(fullMs * (0.02 + 0.98 * options.random()));
    const started = performance.now();
    const run = startImport(target, IMPORT_ARGS);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const endedFirst = await Promise.race([
      run.done,
      new Promise<undefined>((resolve) =>
        timer = setTimeout(() => resolve(undefined), atMs)
      ),
    ]);
    clearTimeout(timer);
    let phase = "the end";
    let outcome = { interrupted: false, how: "" };
    if (!endedFirst) {
      phase = lastPhase(run.stderr());
      outcome = await interrupt(run, hits);
    }
    if (outcome.interrupted) {
      hits++;
    } else {
      const ended = await run.done;
      if (ended.code !== 0) {
        throw new Error(`The import failed:\n${ended.stderr}`);
      }
      fullMs = Math.min(fullMs, performance.now() - started);
      phase = "the end";
      outcome.how = "finished before the kill (not counted)";
    }
    const result: KillPointOutcome = {
      kind,
      atMs,
      phase,
      ...outcome,
      ...await compare(target, journalsBefore),
    };
    outcomes.push(result);
    options.onOutcome?.(result);
  }
  return outcomes;
}

/**
 * Kills the import (SIGKILL) at `points` random times within `fullMs`, resuming each time.
 */
export function clientKillLoop(
  target: KillLoopTarget,
  options: KillLoopOptions,
): Promise<KillPointOutcome[]> {
  return killLoop("client", target, options, async (run) => {
    run.kill();
    // It may have ended on its own just before the kill.
    if ((await run.done).signal !== "SIGKILL") {
      return { interrupted: false, how: "" };
    }
    return { interrupted: true, how: `killed, ${await finish(target)}` };
  });
}

/**
 * Kills the server (SIGKILL) at `points` random times within `fullMs` of an import; at every other
 * point (odd ones) the import is killed too while the server is down. Then the server restarts;
 * a surviving import must finish exactly by its own retries or fail in one clear line, and a
 * failed or killed one is finished with `--resume`.
 */
export function serverKillLoop(
  target: KillLoopTarget,
  server: Neo4jServer,
  options: KillLoopOptions,
): Promise<KillPointOutcome[]> {
  return killLoop("server", target, options, async (run, hit) => {
    await stayAwake(server.kill());
    if (hit % 2 === 1) {
      // The import retries meanwhile; kill it while the server is down.
      await new Promise((resolve) => setTimeout(resolve, 500));
      run.kill();
    }
    await stayAwake(server.restart());
    const ended = await run.done;
    let how: string;
    if (ended.signal === "SIGKILL") {
      how = `server and import killed, ${await finish(target)}`;
    } else if (ended.code === 0) {
      how = "server killed, the import rode it out";
    } else {
      const line = assertClearFailure(ended.stderr);
      how = `server killed, the import failed (${
        line.slice(0, 80)
      }...), ${await finish(target)}`;
    }
    return { interrupted: true, how };
  });
}

/** Loads the kill loop's graph: generated nodes and relationships, a constraint, an index. */
export async function loadFaultGraph(
  driver: Driver,
  nodes: number,
  database?: string,
): Promise<void> {
  await loadGeneratedGraph(driver, { nodes, database });
  await driver.executeQuery(
    "CREATE CONSTRAINT person_uid IF NOT EXISTS FOR (p:Person) REQUIRE p.uid IS UNIQUE",
    {},
    { database },
  );
  await driver.executeQuery(
    "CREATE TEXT INDEX tag_names IF NOT EXISTS FOR (t:Tag) ON (t.name1)",
    {},
    { database },
  );
  await driver.executeQuery("CALL db.awaitIndexes(300)", {}, { database });
}

/** One line per outcome. */
export function describeOutcome(outcome: KillPointOutcome): string {
  const exact = outcome.differences.length === 0 && outcome.journalsLeft === 0;
  return `${outcome.kind} kill at ${outcome.atMs} ms (after ${outcome.phase}): ${outcome.how}; ${
    exact
      ? "exact"
      : `NOT EXACT: ${outcome.differences.slice(0, 3).join("; ")}${
        outcome.journalsLeft ? `; ${outcome.journalsLeft} journal(s) left` : ""
      }`
  }`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      points: { type: "string", default: "10" },
      "extract-points": { type: "string", default: "20" },
      nodes: { type: "string", default: "4000" },
      seed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno task faults [--points N] [--extract-points N] [--nodes N] [--seed S]\n\n" +
        "Kills an import (client) and the server at N random points each (default 10), resumes,\n" +
        "and checks that the database holds exactly the source graph every time; then kills an\n" +
        "extract at --extract-points random points (default 20), resumes, and checks the backups.",
    );
    Deno.exit(0);
  }
  const points = Number(values.points);
  // Journals go to a state folder of this run's own, where the loop counts those left.
  const state = await Deno.makeTempDir({ prefix: "neo4j-backup-state-" });
  Deno.env.set("NEO4J_BACKUP_STATE_DIR", state);
  const seed = values.seed ? Number(values.seed) : Date.now() % 1_000_000;
  const next = random(seed);
  console.error(`Seed ${seed} (repeat with --seed ${seed})`);
  const server = await Neo4jServer.start({
    keepData: true,
    pageCache: "256m",
    heap: "1g",
    onStatus: (message) => console.error(message),
  });
  const dir = await Deno.makeTempDir({ prefix: "neo4j-backup-faults-" });
  let failures = 0;
  try {
    const { uri, username, password } = server.info;
    const driver = neo4j.driver(uri, neo4j.auth.basic(username, password), {
      useBigInt: true,
      logging: { level: "error", logger: () => {} },
    });
    let expected: KillLoopTarget["expected"];
    try {
      await loadFaultGraph(driver, Number(values.nodes));
      expected = {
        graph: await snapshotGraph(driver),
        schema: await snapshotSchema(driver),
      };
    } finally {
      await driver.close();
    }
    const extract = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "extract", dir, "--yes", "-q"],
      env: {
        NEO4J_URI: uri,
        NEO4J_USERNAME: username,
        NEO4J_PASSWORD: password,
      },
    }).output();
    if (!extract.success) {
      throw new Error(new TextDecoder().decode(extract.stderr));
    }
    const target: KillLoopTarget = { dir, uri, username, password, expected };
    const fullMs = await timeImport(target);
    console.log(
      `Backup of ${expected.graph.nodes.length} nodes and ${expected.graph.relationships.length} relationships; an uninterrupted import takes ${
        Math.round(fullMs)
      } ms`,
    );
    const report = (outcome: KillPointOutcome): void => {
      if (outcome.differences.length > 0 || outcome.journalsLeft > 0) {
        failures++;
      }
      console.log(describeOutcome(outcome));
    };
    const started = performance.now();
    const client = await clientKillLoop(target, {
      points,
      fullMs,
      random: next,
      onOutcome: report,
    });
    const crashes = await serverKillLoop(target, server, {
      points,
      fullMs,
      random: next,
      onOutcome: report,
    });
    const all = [...client, ...crashes];
    const count = (kind: string, pattern: RegExp): number =>
      all.filter((o) => o.kind === kind && pattern.test(o.how)).length;
    const kills = (kind: string): number =>
      all.filter((o) => o.kind === kind && o.interrupted).length;
    console.log(
      `\nSummary (seed ${seed}, ${
        Math.round((performance.now() - started) / 1000)
      } s): ${kills("client")} client kills mid-import (${
        count("client", /resumed/)
      } resumed, ${count("client", /started over/)} started over), ${
        kills("server")
      } server kills mid-import (${
        count("server", /rode it out/)
      } ridden out by the import's retries, ${
        count("server", /failed.*resumed/)
      } failed in one clear line then resumed, ${
        count("server", /failed.*started over/)
      } failed in one clear line before writing then started over, ${
        count("server", /import killed/)
      } with the import killed too then resumed or started over); ${
        all.length - failures
      } of ${all.length} runs exact${
        kills("client") < points || kills("server") < points
          ? `; FEWER KILL POINTS THAN ASKED (${points})`
          : ""
      }`,
    );
    if (kills("client") < points || kills("server") < points) failures++;

    // The extract: killed with SIGKILL at random points, each finished with --resume.
    const extractPoints = Number(values["extract-points"]);
    const extracts = await extractKillLoop({
      uri,
      username,
      password,
      expected: expected.graph,
      points: extractPoints,
      random: next,
      workDir: dir,
      args: [
        "--partition-size",
        String(Math.ceil(Number(values.nodes) / 10)),
        "-q",
      ],
      onOutcome: (outcome) => {
        if (outcome.differences.length > 0 || outcome.leftovers.length > 0) {
          failures++;
        }
        console.log(describeExtractOutcome(outcome));
      },
    });
    const killed = extracts.filter((o) => o.interrupted).length;
    console.log(
      `Extract: ${killed} kills mid-extract of ${extracts.length}, ${
        extracts.filter((o) =>
          o.differences.length === 0 && o.leftovers.length === 0
        ).length
      } exact after --resume`,
    );
  } finally {
    await server.stop();
    await Deno.remove(server.home!, { recursive: true }).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  Deno.exit(failures === 0 ? 0 : 1);
}
