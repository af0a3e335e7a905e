// deno-lint-ignore-file no-console
/**
 * One size of the benchmark: the generated graph loaded, then every extraction measured
 * `rounds` times, interleaved (A B C D A B C D), then every import, each into an emptied
 * database, interleaved the same way.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import neo4j, { type Driver } from "neo4j-driver";
import { generateNodes } from "../dev/generate_graph.ts";
import type { MeasureOptions } from "./measure.ts";
import { type ChildOutcome, runChild, toMeasurement } from "./_child.ts";
import {
  countDatabase,
  countLiterals,
  emptyDatabase,
  settleTransactions,
} from "./_database.ts";
import { loadAverage } from "./_environment.ts";
import {
  type Environment,
  finalize,
  type GraphCounts,
  type Kind,
  type Measurement,
  type Sample,
  type SizeResult,
} from "./_results.ts";
import {
  formatBackupSize,
  formatCount,
  formatMiB,
  formatSeconds,
  log,
} from "./_format.ts";

const MEASURE = fileURLToPath(new URL("./measure.ts", import.meta.url));
const PYTHON_SCRIPT = fileURLToPath(
  new URL("./python_tool.py", import.meta.url),
);

/** The generator's seed. */
const SEED = 42;

/** What every size shares. */
export interface BenchSettings {
  /** A driver for the server (for counts and clean-ups, never for a measurement). */
  driver: Driver;
  /** NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD for the children. */
  env: Record<string, string>;
  rounds: number;
  /** Run a measurement again in later rounds after it hit the time limit. */
  repeatTimeouts: boolean;
  /** Keep the backup folders (their path is logged). */
  keep: boolean;
  /** The command line, for the results. */
  command: string;
  environment: Environment;
  /** The folders made, to remove at the end (unless kept). */
  workDirs: string[];
}

/** One size being measured. */
interface SizeRun {
  settings: BenchSettings;
  name: string;
  graph: GraphCounts;
  /** Nodes + relationships. */
  total: number;
  /** The Python interpreter, when the Python tool runs at this size. */
  python: string | undefined;
  timeLimitSeconds: number;
  toolDir: string;
  pythonDir: string;
  measurements: Partial<Record<Kind, Measurement[]>>;
  /** Kinds that hit the time limit. */
  timedOut: Set<Kind>;
}

/** Measures one size: every extraction and every import, `rounds` times each. */
export async function benchSize(
  settings: BenchSettings,
  name: string,
  nodes: number,
  python: string | undefined,
  timeLimitSeconds: number,
): Promise<SizeResult> {
  const { rounds } = settings;
  const graph = { nodes, relationships: nodes * 2 };
  const loadAtStart = await loadAverage();
  console.log(
    `\n== ${name}: ${formatCount(nodes)} nodes, ${
      formatCount(graph.relationships)
    } relationships, ${rounds} round${rounds === 1 ? "" : "s"} ==`,
  );
  const work = await Deno.makeTempDir({
    prefix: `neo4j-backup-bench-${name}-`,
  });
  settings.workDirs.push(work);
  if (settings.keep) log(`Backups in ${work}`);
  const run: SizeRun = {
    settings,
    name,
    graph,
    total: graph.nodes + graph.relationships,
    python,
    timeLimitSeconds,
    toolDir: join(work, "tool"),
    pythonDir: join(work, "python"),
    measurements: {},
    timedOut: new Set(),
  };
  const loadSeconds = await loadGraph(run);
  await extractRounds(run);
  await importRounds(run);
  return finalize({
    size: name,
    ...graph,
    seed: SEED,
    rounds,
    timeLimitSeconds,
    command: settings.command,
    date: new Date().toISOString(),
    environment: settings.environment,
    loadSeconds,
    loadAverage: { start: loadAtStart, end: await loadAverage() },
    measurements: run.measurements,
    summaries: [],
    ratios: [],
  });
}

/** The arguments that run `bench/measure.ts` for a kind. */
function measureArgs(kind: Kind, options: MeasureOptions): string[] {
  return ["run", "-A", MEASURE, kind, JSON.stringify(options)];
}

/** Loads the graph into the emptied database (the hand-written import); returns its seconds. */
async function loadGraph(run: SizeRun): Promise<number> {
  const { driver, env } = run.settings;
  const { nodes, relationships } = run.graph;
  log(`Emptying the database and loading the graph...`);
  await emptyDatabase(driver);
  const load = await runChild(
    Deno.execPath(),
    measureArgs("unwind-import", { nodes, seed: SEED }),
    env,
  );
  if (!load.result) throw new Error(`Loading the graph failed: ${load.error}`);
  const loaded = await countDatabase(driver);
  if (loaded.nodes !== nodes || loaded.relationships !== relationships) {
    throw new Error(
      `Loaded ${loaded.nodes} nodes and ${loaded.relationships} relationships, expected ${nodes} and ${relationships}`,
    );
  }
  log(`Loaded in ${formatSeconds(load.result.seconds)}`);
  return load.result.seconds;
}

/** Runs `measure` for every kind, round by round, leaving out the kinds that timed out. */
async function inRounds(
  run: SizeRun,
  kinds: Kind[],
  measure: (kind: Kind, round: number) => Promise<Measurement>,
): Promise<void> {
  for (let round = 1; round <= run.settings.rounds; round++) {
    for (const kind of kinds) {
      if (run.timedOut.has(kind) && !run.settings.repeatTimeouts) continue;
      const m = await measure(kind, round);
      if (m.timedOut) run.timedOut.add(kind);
      (run.measurements[kind] ??= []).push(m);
      log(`${run.name} round ${m.round} ${kind}: ${describe(m)}`);
    }
  }
}

/** The extractions, interleaved. */
async function extractRounds(run: SizeRun): Promise<void> {
  await inRounds(run, [
    "driver-iterate",
    "driver-subscribe",
    "tool-extract",
    ...(run.python ? ["python-extract" as const] : []),
  ], (kind, round) => measureExtract(run, kind, round));
}

/** One extraction: a bare driver loop, this tool's or the Python tool's. */
async function measureExtract(
  run: SizeRun,
  kind: Kind,
  round: number,
): Promise<Measurement> {
  const { env } = run.settings;
  let dir: string | undefined;
  if (kind === "tool-extract" || kind === "python-extract") {
    dir = kind === "tool-extract" ? run.toolDir : run.pythonDir;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const outcome = kind === "python-extract"
    ? await runChild(run.python!, [PYTHON_SCRIPT, "extract", dir!], env, {
      timeLimitSeconds: run.timeLimitSeconds,
    })
    : await runChild(Deno.execPath(), measureArgs(kind, { dir }), env);
  const m = toMeasurement(round, outcome, run.total);
  if (dir && outcome.result) m.bytes = await dirSize(dir);
  if (kind === "python-extract" && outcome.result) {
    m.relationshipsPerFile = await firstFileRecords(join(dir!, "data"));
  }
  if (
    outcome.result?.records !== undefined &&
    outcome.result.records !== run.total
  ) {
    m.error = `read ${outcome.result.records} records, expected ${run.total}`;
  }
  return m;
}

/** The imports, interleaved, of the backups that the extractions wrote. */
async function importRounds(run: SizeRun): Promise<void> {
  const wrote = (kind: Kind): boolean =>
    (run.measurements[kind] ?? []).some((m) => !m.error && !m.timedOut);
  await inRounds(run, [
    "unwind-import",
    ...(wrote("tool-extract") ? ["tool-import" as const] : []),
    ...(run.python && wrote("python-extract")
      ? ["python-import" as const]
      : []),
  ], async (kind, round) => {
    await emptyDatabase(run.settings.driver);
    return await measureImport(run, kind, round);
  });
}

/** One import into the emptied database: the hand-written one, this tool's or the Python tool's. */
async function measureImport(
  run: SizeRun,
  kind: Kind,
  round: number,
): Promise<Measurement> {
  const { driver, env } = run.settings;
  const { nodes, relationships } = run.graph;
  const timeline: Sample[] = [];
  const outcome = kind === "python-import"
    ? await runPythonImport(run, timeline)
    : await runChild(
      Deno.execPath(),
      measureArgs(
        kind,
        kind === "tool-import" ? { dir: run.toolDir } : { nodes, seed: SEED },
      ),
      env,
    );
  if (outcome.timedOut) await settleTransactions(driver);
  const database = await countDatabase(driver);
  const m = toMeasurement(round, outcome, run.total);
  m.database = database;
  if (timeline.length > 0) m.timeline = timeline;
  const complete = database.nodes === nodes &&
    database.relationships === relationships;
  if (m.timedOut) {
    m.records = database.nodes + database.relationships;
    m.recordsPerSecond = m.records / m.seconds;
    if (complete) {
      m.toFix = {
        left: await countLiterals(driver),
        total: typedValues(nodes),
      };
      timeline.push([round2(m.seconds), nodes, relationships, m.toFix.left]);
    }
  } else if (!m.error && !complete) {
    m.error =
      `the database holds ${database.nodes} nodes and ${database.relationships} relationships, expected ${nodes} and ${relationships}`;
  }
  return m;
}

/**
 * The Python import, its progress sampled every 5 s into `timeline`: the counts, and once every
 * node and relationship is there, the values its fix-up passes have left (a full scan, so at
 * most every 30 s).
 */
function runPythonImport(
  run: SizeRun,
  timeline: Sample[],
): Promise<ChildOutcome> {
  const { driver, env } = run.settings;
  const { nodes, relationships } = run.graph;
  let lastFixCount = -Infinity;
  return runChild(run.python!, [PYTHON_SCRIPT, "import", run.pythonDir], env, {
    timeLimitSeconds: run.timeLimitSeconds,
    onTick: async (seconds) => {
      const c = await countDatabase(driver);
      const sample: Sample = [round2(seconds), c.nodes, c.relationships];
      if (
        c.nodes === nodes && c.relationships === relationships &&
        seconds - lastFixCount >= 30
      ) {
        lastFixCount = seconds;
        sample.push(await countLiterals(driver));
      }
      timeline.push(sample);
    },
  });
}

const typedValueCounts = new Map<number, number>();

/** Temporal and spatial property values of the generated graph (all on nodes). */
function typedValues(nodes: number): number {
  let count = typedValueCounts.get(nodes);
  if (count === undefined) {
    count = 0;
    for (const batch of generateNodes({ nodes, seed: SEED })) {
      for (const node of batch) {
        for (const value of Object.values(node.properties)) {
          if (
            value instanceof neo4j.types.Date ||
            value instanceof neo4j.types.DateTime ||
            value instanceof neo4j.types.Point
          ) count++;
        }
      }
    }
    typedValueCounts.set(nodes, count);
  }
  return count;
}

/** Records in the first of the Python tool's relationship files (named by cumulative count). */
async function firstFileRecords(dataDir: string): Promise<number | undefined> {
  let least: number | undefined;
  for await (const entry of Deno.readDir(dataDir)) {
    const match = /^relationships_(\d+)\.json/.exec(entry.name);
    if (match) least = Math.min(least ?? Infinity, Number(match[1]));
  }
  return least;
}

/** Total size of the files under a folder, in bytes. */
async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) total += await dirSize(path);
    else if (entry.isFile) total += (await Deno.stat(path)).size;
  }
  return total;
}

/** A measurement in one log line. */
function describe(m: Measurement): string {
  if (m.error) return `FAILED: ${m.error}`;
  const parts = [
    m.timedOut
      ? `stopped at the time limit after ${formatSeconds(m.seconds)}`
      : formatSeconds(m.seconds),
    m.timedOut
      ? `${formatCount(m.database?.nodes ?? 0)} nodes and ${
        formatCount(m.database?.relationships ?? 0)
      } relationships written`
      : `${formatCount(Math.round(m.recordsPerSecond))} records/s`,
    `peak RSS ${formatMiB(m.maxRssBytes)}`,
  ];
  if (m.bytes !== undefined) parts.push(`backup ${formatBackupSize(m.bytes)}`);
  if (m.toFix) {
    parts.push(
      `${formatCount(m.toFix.left)} of ${
        formatCount(m.toFix.total)
      } temporal/spatial values still to fix`,
    );
  }
  if (m.projectedSeconds !== undefined) {
    parts.push(`projected >= ${formatSeconds(m.projectedSeconds)}`);
  }
  return parts.join(", ");
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
