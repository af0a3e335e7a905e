// deno-lint-ignore-file no-console
/**
 * One size of the benchmark, of one shape of graph: the generated graph loaded, then every
 * extraction measured `rounds` times, interleaved (A B C D A B C D), then every import, each into
 * an emptied database, interleaved the same way.
 *
 * Besides this tool, the bare driver loops, the hand-written import and the Python tool: `verify`
 * on the extract's backup, APOC's `apoc.export.json.all` and `apoc.import.json` (when the server
 * has APOC), the bare loop, the extract and the import through a proxy that adds latency each way
 * (`tests/_proxy.ts`), the import into a second server with a transaction memory limit, the
 * extract and the import with more command-line arguments (`-j 1`, `--jobs 2`, ...), and the
 * extract killed once its checkpoint records 90% of the records and resumed (`--resume`).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import neo4j, { type Driver } from "neo4j-driver";
import {
  generateNodes,
  graphLabels,
  type GraphShape,
  relationshipCount,
} from "../dev/generate_graph.ts";
import { TcpProxy } from "../tests/_proxy.ts";
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
  extractVariantArgs,
  extractVariantKind,
  finalize,
  type GraphCounts,
  type Kind,
  type Measurement,
  resultKey,
  resumeArgs,
  resumeKind,
  type Sample,
  type SizeResult,
  variantArgs,
  variantKind,
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
  /** APOC on the server: its release and the server's import folder, where its files go; or why not. */
  apoc: { version: string; importDir: string } | { skipped: string };
  /** Milliseconds of latency added each way in the latency case; undefined: no latency case. */
  latencyMs?: number;
  /** The import into a server with a transaction memory limit; undefined: not measured. */
  transactionLimit?: {
    /** `db.memory.transaction.max`, e.g. `32m`. */
    limit: string;
    /** Starts that server (the caller stops it). */
    start(): Promise<OtherServer>;
  };
  /** The more command-line arguments of each variant of the import, e.g. `[["--jobs", "2"]]`. */
  importVariants: string[][];
  /**
   * The more command-line arguments of each variant of the extract besides the one without
   * (`tool-extract`, always measured), e.g. `[["-j", "1"], ["-j", "4"]]`.
   */
  extractVariants: string[][];
  /** Measure the imports (false: the extractions alone). */
  imports: boolean;
  /**
   * The resume case: the extract with these more arguments (one of the variants, or none)
   * killed once its checkpoint records `at` (0..1) of the records as written, then resumed;
   * undefined: not measured.
   */
  resumeCase?: { args: string[]; at: number };
}

/** A second server that some measurements go to. */
export interface OtherServer {
  /** A driver for it (counts and clean-ups). */
  driver: Driver;
  /** NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD for the children. */
  env: Record<string, string>;
  /** Closes the driver and stops the server. */
  stop(): Promise<void>;
}

/** One size being measured. */
interface SizeRun {
  settings: BenchSettings;
  /** The size's name, with its shape unless the benchmark's (`small-production`). */
  name: string;
  shape: GraphShape;
  graph: GraphCounts;
  /** Nodes + relationships. */
  total: number;
  /** The Python interpreter, when the Python tool runs at this size. */
  python: string | undefined;
  timeLimitSeconds: number;
  toolDir: string;
  pythonDir: string;
  /** The backup of the extract with latency. */
  latencyDir: string;
  /** The folder under which the extract variants and the resume case write their backups. */
  workDir: string;
  /** APOC's export, in the server's import folder: its name there, and its path. */
  apocFile: { name: string; path: string } | undefined;
  /** The environment of the children that go through the latency proxy. */
  latencyEnv: Record<string, string> | undefined;
  /** The server with the transaction limit, while the imports run; or why it did not start. */
  limited: OtherServer | { error: string } | undefined;
  measurements: Partial<Record<Kind, Measurement[]>>;
  /** Kinds that hit the time limit. */
  timedOut: Set<Kind>;
}

/** Measures one size of one shape: every extraction and every import, `rounds` times each. */
export async function benchSize(
  settings: BenchSettings,
  size: string,
  nodes: number,
  shape: GraphShape,
  python: string | undefined,
  timeLimitSeconds: number,
): Promise<SizeResult> {
  const { rounds } = settings;
  const graph = { nodes, relationships: relationshipCount({ nodes, shape }) };
  const name = resultKey({ size, shape });
  const loadAtStart = await loadAverage();
  console.log(
    `\n== ${size}${shape === "benchmark" ? "" : ` (${shape} shape)`}: ${
      formatCount(nodes)
    } nodes, ${
      formatCount(graph.relationships)
    } relationships, ${rounds} round${rounds === 1 ? "" : "s"} ==`,
  );
  const work = await Deno.makeTempDir({
    prefix: `neo4j-backup-bench-${name}-`,
  });
  settings.workDirs.push(work);
  if (settings.keep) log(`Backups in ${work}`);
  const { apoc } = settings;
  const apocName = `neo4j-backup-bench-${name}.json`;
  const run: SizeRun = {
    settings,
    name,
    shape,
    graph,
    total: graph.nodes + graph.relationships,
    python,
    timeLimitSeconds,
    toolDir: join(work, "tool"),
    pythonDir: join(work, "python"),
    latencyDir: join(work, "latency"),
    workDir: work,
    apocFile: "importDir" in apoc
      ? { name: apocName, path: join(apoc.importDir, apocName) }
      : undefined,
    latencyEnv: undefined,
    limited: undefined,
    measurements: {},
    timedOut: new Set(),
  };
  let proxy: TcpProxy | undefined;
  if (settings.latencyMs !== undefined) {
    proxy = TcpProxy.start(settings.env.NEO4J_URI!);
    proxy.delayMs = settings.latencyMs;
    run.latencyEnv = { ...settings.env, NEO4J_URI: proxy.uri() };
  }
  let loadSeconds: number;
  try {
    loadSeconds = await loadGraph(run);
    await extractRounds(run);
    if (settings.imports) await importRounds(run);
  } finally {
    await proxy?.close();
    if (run.apocFile && !settings.keep) {
      await Deno.remove(run.apocFile.path).catch(() => {});
    }
  }
  return finalize({
    size,
    shape,
    ...graph,
    seed: SEED,
    rounds,
    timeLimitSeconds,
    command: settings.command,
    date: new Date().toISOString(),
    environment: settings.environment,
    loadSeconds,
    loadAverage: { start: loadAtStart, end: await loadAverage() },
    ...(settings.latencyMs === undefined
      ? {}
      : { latencyMs: settings.latencyMs }),
    ...(settings.resumeCase ? { resumeAt: settings.resumeCase.at } : {}),
    ...(settings.transactionLimit
      ? { transactionLimit: settings.transactionLimit.limit }
      : {}),
    apoc: "version" in apoc
      ? { version: apoc.version }
      : { skipped: apoc.skipped },
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
    measureArgs("unwind-import", { nodes, seed: SEED, shape: run.shape }),
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

/**
 * The extractions, interleaved (and `verify` of the backup of this tool's extract without more
 * arguments): the bare loops, this tool's extract and its variants, its resume case, the Python
 * tool, APOC, and the bare loop and the extract through the latency proxy.
 */
async function extractRounds(run: SizeRun): Promise<void> {
  const { extractVariants, resumeCase } = run.settings;
  await inRounds(
    run,
    [
      "driver-iterate",
      "driver-subscribe",
      "tool-extract",
      "tool-verify",
      ...extractVariants.map(extractVariantKind),
      ...(resumeCase ? [resumeKind(resumeCase.args)] : []),
      ...(run.python ? ["python-extract" as const] : []),
      ...(run.apocFile ? ["apoc-export" as const] : []),
      ...(run.latencyEnv
        ? ["driver-iterate-latency" as const, "tool-extract-latency" as const]
        : []),
    ],
    (kind, round) =>
      resumeArgs(kind)
        ? measureResume(run, kind, round)
        : measureExtract(run, kind, round),
  );
}

/** The backup folder of an extract variant (its arguments, made a name). */
function variantDir(run: SizeRun, prefix: string, args: string[]): string {
  const name = args.join("_").replace(/[^A-Za-z0-9_=.-]+/g, "") || "default";
  return join(run.workDir, `${prefix}${name}`);
}

/**
 * One extraction: a bare driver loop, this tool's (directly or through the latency proxy), the
 * Python tool's or APOC's; or `verify` of the backup that this tool's wrote.
 */
async function measureExtract(
  run: SizeRun,
  kind: Kind,
  round: number,
): Promise<Measurement> {
  const { env } = run.settings;
  let dir: string | undefined;
  if (kind === "tool-verify") dir = run.toolDir;
  const variant = kind === "tool-extract"
    ? undefined
    : extractVariantArgs(kind);
  if (variant) {
    dir = variantDir(run, "extract-", variant);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  if (
    kind === "tool-extract" || kind === "python-extract" ||
    kind === "tool-extract-latency"
  ) {
    dir = kind === "tool-extract"
      ? run.toolDir
      : kind === "python-extract"
      ? run.pythonDir
      : run.latencyDir;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  if (kind === "apoc-export") {
    await Deno.remove(run.apocFile!.path).catch(() => {});
  }
  let outcome: ChildOutcome;
  if (kind === "python-extract") {
    outcome = await runChild(
      run.python!,
      [PYTHON_SCRIPT, "extract", dir!],
      env,
      {
        timeLimitSeconds: run.timeLimitSeconds,
      },
    );
  } else if (kind === "tool-extract-latency") {
    outcome = await runChild(
      Deno.execPath(),
      measureArgs("tool-extract", { dir }),
      run.latencyEnv!,
    );
  } else if (kind === "driver-iterate-latency") {
    outcome = await runChild(
      Deno.execPath(),
      measureArgs("driver-iterate", {}),
      run.latencyEnv!,
    );
  } else if (variant) {
    outcome = await runChild(
      Deno.execPath(),
      measureArgs("tool-extract", { dir, args: variant }),
      env,
    );
  } else if (kind === "apoc-export") {
    outcome = await runChild(
      Deno.execPath(),
      measureArgs(kind, { file: run.apocFile!.name }),
      env,
    );
  } else {
    outcome = await runChild(Deno.execPath(), measureArgs(kind, { dir }), env);
  }
  const m = toMeasurement(round, outcome, run.total);
  if (kind !== "tool-verify" && dir && outcome.result) {
    m.bytes = await dirSize(dir);
  }
  if (kind === "apoc-export" && outcome.result) {
    m.bytes = await Deno.stat(run.apocFile!.path).then((s) => s.size, () => 0);
  }
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

/** What an extract's checkpoint says: partitions planned and recorded as done, and their records. */
interface CheckpointState {
  partitions: number;
  partitionsDone: number;
  recordsDone: number;
}

/**
 * Reads `<dir>/checkpoint.jsonl` (written as the extract runs): the partitions of its plan (the
 * first line's `plan.nodes` and `plan.relationships`), and the lines `{"done": ...}` that
 * record one as written, with their `records`; a last line not yet complete is not counted.
 * Undefined while there is no checkpoint (or no complete first line).
 */
async function readCheckpoint(
  dir: string,
): Promise<CheckpointState | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, "checkpoint.jsonl"));
  } catch {
    return undefined;
  }
  const lines = text.split("\n");
  lines.pop(); // After the last newline: empty, or a line still being written.
  if (lines.length === 0) return undefined;
  let partitions: number;
  try {
    const plan = JSON.parse(lines[0]!).plan;
    partitions = (plan?.nodes?.length ?? 0) +
      (plan?.relationships?.length ?? 0);
  } catch {
    return undefined;
  }
  let partitionsDone = 0;
  let recordsDone = 0;
  for (const line of lines.slice(1)) {
    if (!line.startsWith(`{"done"`)) continue;
    try {
      recordsDone += Number(JSON.parse(line).records) || 0;
      partitionsDone++;
    } catch {
      // Cut short: not recorded.
    }
  }
  return { partitions, partitionsDone, recordsDone };
}

/**
 * The resume case: the extract (with the variant's arguments) killed with SIGKILL as soon as its
 * checkpoint records `at` of the graph's records as written (polled every 100 ms), then
 * `extract <dir> --resume` (once the server has let go of the killed reads). The backup must
 * then be complete: manifest.json there, checkpoint.jsonl gone, and the manifest's counts those
 * of the graph.
 */
async function measureResume(
  run: SizeRun,
  kind: Kind,
  round: number,
): Promise<Measurement> {
  const { env, driver } = run.settings;
  const args = resumeArgs(kind) ?? [];
  const at = run.settings.resumeCase?.at ?? 0.9;
  const dir = variantDir(run, "resume-", args);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const first = await runChild(
    Deno.execPath(),
    measureArgs("tool-extract", { dir, args }),
    env,
    {
      killWhen: async () => {
        const state = await readCheckpoint(dir);
        return state !== undefined && state.recordsDone >= at * run.total;
      },
    },
  );
  const pct = `${Math.round(at * 100)}%`;
  if (!first.killed) {
    return failed(
      round,
      first.result
        ? `the extract finished before its checkpoint recorded ${pct} of the records (too few partitions at this size: try a variant with --partition-size)`
        : `the extract to kill failed: ${first.error ?? "no result"}`,
      first.processSeconds,
    );
  }
  const state = await readCheckpoint(dir) ??
    { partitions: 0, partitionsDone: 0, recordsDone: 0 };
  const killedSeconds = first.processSeconds - (first.workStartSeconds ?? 0);
  await settleTransactions(driver);
  const second = await runChild(
    Deno.execPath(),
    measureArgs("tool-extract", { dir, args, resume: true }),
    env,
  );
  if (!second.result) {
    return failed(
      round,
      `the resumed extract failed: ${second.error ?? "no result"}`,
      first.processSeconds + second.processSeconds,
    );
  }
  const seconds = killedSeconds + second.result.seconds;
  const m: Measurement = {
    round,
    seconds,
    processSeconds: first.processSeconds + second.processSeconds,
    records: run.total,
    recordsPerSecond: run.total / seconds,
    maxRssBytes: Math.max(first.rssAtKill ?? 0, second.result.maxRssBytes),
    resume: {
      killedSeconds,
      resumeSeconds: second.result.seconds,
      ...state,
      ...(first.rssAtKill ? { killedRssBytes: first.rssAtKill } : {}),
      resumeRssBytes: second.result.maxRssBytes,
    },
  };
  const incomplete = await checkComplete(dir, run.graph);
  if (incomplete) m.error = `the resumed backup is incomplete: ${incomplete}`;
  else m.bytes = await dirSize(dir);
  return m;
}

/** Why a backup folder is not a complete backup of the graph; undefined when it is. */
async function checkComplete(
  dir: string,
  graph: GraphCounts,
): Promise<string | undefined> {
  const exists = (name: string): Promise<boolean> =>
    Deno.stat(join(dir, name)).then(() => true, () => false);
  if (await exists("checkpoint.jsonl")) {
    return "checkpoint.jsonl is still there";
  }
  let manifest: { counts?: { nodes?: unknown; relationships?: unknown } };
  try {
    manifest = JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
  } catch (error) {
    return `no manifest.json (${(error as Error).message})`;
  }
  const nodes = Number(manifest.counts?.nodes);
  const relationships = Number(manifest.counts?.relationships);
  if (nodes !== graph.nodes || relationships !== graph.relationships) {
    return `its manifest counts ${nodes} nodes and ${relationships} relationships, expected ${graph.nodes} and ${graph.relationships}`;
  }
  return undefined;
}

/**
 * The imports, interleaved, of the backups that the extractions wrote; the server with the
 * transaction limit runs meanwhile.
 */
async function importRounds(run: SizeRun): Promise<void> {
  const wrote = (kind: Kind): boolean =>
    (run.measurements[kind] ?? []).some((m) => !m.error && !m.timedOut);
  const { transactionLimit } = run.settings;
  const tool = wrote("tool-extract");
  if (tool && transactionLimit) {
    log(
      `Starting a second Neo4j with a transaction memory limit of ${transactionLimit.limit}...`,
    );
    try {
      run.limited = await transactionLimit.start();
    } catch (error) {
      const message = oneLine((error as Error)?.message ?? String(error));
      log(`It did not start: ${message}`);
      run.limited = { error: `the server did not start: ${message}` };
    }
  }
  try {
    await inRounds(run, [
      "unwind-import",
      ...(tool ? ["tool-import" as const] : []),
      ...(tool ? run.settings.importVariants.map(variantKind) : []),
      ...(run.python && wrote("python-extract")
        ? ["python-import" as const]
        : []),
      ...(run.apocFile && wrote("apoc-export") ? ["apoc-import" as const] : []),
      ...(tool && run.limited ? ["tool-import-txlimit" as const] : []),
      ...(tool && run.latencyEnv ? ["tool-import-latency" as const] : []),
    ], async (kind, round) => {
      if (kind === "tool-import-txlimit") {
        const limited = run.limited!;
        if ("error" in limited) return failed(round, limited.error);
        await emptyDatabase(limited.driver);
      } else {
        await emptyDatabase(run.settings.driver);
      }
      return await measureImport(run, kind, round);
    });
  } finally {
    if (run.limited && "stop" in run.limited) await run.limited.stop();
    run.limited = undefined;
  }
}

/** A measurement that could not run (or failed after `processSeconds`). */
function failed(round: number, error: string, processSeconds = 0): Measurement {
  return {
    round,
    seconds: 0,
    processSeconds,
    records: 0,
    recordsPerSecond: 0,
    maxRssBytes: 0,
    error,
  };
}

/**
 * One import into the emptied database: the hand-written one, this tool's (with more arguments,
 * through the latency proxy, or into the server with the transaction limit), the Python tool's
 * or APOC's.
 */
async function measureImport(
  run: SizeRun,
  kind: Kind,
  round: number,
): Promise<Measurement> {
  const limited = kind === "tool-import-txlimit" && run.limited &&
      "driver" in run.limited
    ? run.limited
    : undefined;
  const driver = limited?.driver ?? run.settings.driver;
  const env = limited?.env ??
    (kind === "tool-import-latency" ? run.latencyEnv! : run.settings.env);
  const { nodes, relationships } = run.graph;
  const timeline: Sample[] = [];
  const options: MeasureOptions = kind === "unwind-import"
    ? { nodes, seed: SEED, shape: run.shape }
    : kind === "apoc-import"
    ? {
      file: run.apocFile!.name,
      labels: graphLabels({ nodes, shape: run.shape }),
    }
    : { dir: run.toolDir, args: variantArgs(kind) ?? [] };
  const outcome = kind === "python-import"
    ? await runPythonImport(run, timeline)
    : await runChild(
      Deno.execPath(),
      measureArgs(
        kind === "unwind-import" || kind === "apoc-import"
          ? kind
          : "tool-import",
        options,
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
  if (m.resume) {
    const r = m.resume;
    parts.push(
      `killed after ${
        formatSeconds(r.killedSeconds)
      } with ${r.partitionsDone} of ${r.partitions} partitions (${
        formatCount(r.recordsDone)
      } records) done, resumed in ${formatSeconds(r.resumeSeconds)}`,
    );
  }
  if (m.checkSeconds !== undefined) {
    parts.push(`check of the backup ${formatSeconds(m.checkSeconds)}`);
  }
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

/** A message on one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
