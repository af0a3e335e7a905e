// deno-lint-ignore-file no-console
/**
 * `deno task bench [--size small,medium,large] [--rounds 2] ...`: how this tool compares, on one
 * machine and one Neo4j server, with the limit of a Cypher-only tool and with what a user would
 * pick instead.
 *
 * One local Neo4j Community server is started for the whole run. For each size, the generated
 * graph (`dev/generate_graph.ts`) is loaded, then every extraction is measured `--rounds` times,
 * interleaved (A B C D A B C D): a bare neo4j-driver loop (`for await`, and `subscribe`), this
 * tool's `extract`, and neo4j-backup 1.0.0's Extractor (Python). Then every import, each into an
 * emptied database, interleaved the same way: a hand-written batched `UNWIND` import, this tool's
 * `import`, and neo4j-backup 1.0.0's Importer. Each measurement runs in a child process that
 * reports its own time and peak RSS (`bench/measure.ts`, `bench/python_tool.py`).
 *
 * Raw numbers go to `bench/results/<size>.json`; `BENCHMARKS.md` is rewritten with the sizes of
 * this run (and, with `--merge`, those of earlier runs found in `bench/results/`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import neo4j, { type Driver } from "neo4j-driver";
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { ensurePythonTool } from "../dev/python_tool.ts";
import { generateNodes } from "../dev/generate_graph.ts";
import { DRIVER_VERSION } from "../lib/_driver.ts";
import { VERSION } from "../lib/version.ts";
import type { MeasureOptions, MeasureResult } from "./measure.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const RESULTS_DIR = join(BENCH_DIR, "results");
const REPORT = join(ROOT, "BENCHMARKS.md");
const MEASURE = join(BENCH_DIR, "measure.ts");
const PYTHON_SCRIPT = join(BENCH_DIR, "python_tool.py");

/** The named sizes: nodes (relationships are twice as many). */
const SIZES: Record<string, number> = {
  small: 10_000,
  medium: 100_000,
  large: 1_000_000,
};

const HELP = `Usage: deno task bench [options]

Benchmarks neo4j-backup's extract and import against a bare neo4j-driver loop (the ceiling for
extraction over Bolt), a hand-written batched UNWIND import (the ceiling for import over Cypher)
and the Python neo4j-backup 1.0.0, on one local Neo4j server, and writes BENCHMARKS.md and
bench/results/<size>.json.

Options:
  --size <list>         small (10k nodes, 20k relationships), medium (100k / 200k), large
                        (1M / 2M), or a node count, comma-separated (default: small)
  --rounds <n>          Times each measurement runs, interleaved (default: 2)
  --time-limit <min>    Time limit of one run of the Python tool, in minutes (default: 3 up
                        to 10k nodes, 10 above)
  --repeat-timeouts     Run a Python measurement again in later rounds even after it hit the
                        time limit (default: not repeated)
  --python-large        Also run the Python tool at sizes above 100k nodes
  --no-python           Leave out the Python tool
  --merge               Also put the other sizes found in bench/results/ into BENCHMARKS.md
  --no-report           Do not rewrite BENCHMARKS.md
  --report-only         Only rewrite BENCHMARKS.md from bench/results/ (the sizes of --size, or
                        all): no server, no measurement
  --keep                Keep the backup folders (their path is printed)
  --heap <size>         Neo4j heap (default: 4g)
  --page-cache <size>   Neo4j page cache (default: 4g)
  --neo4j-version <v>   Neo4j version (default: NEO4J_VERSION or the project's default)
  -h, --help            This help`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    size: { type: "string" },
    rounds: { type: "string", default: "2" },
    "time-limit": { type: "string" },
    "repeat-timeouts": { type: "boolean" },
    "python-large": { type: "boolean" },
    "no-python": { type: "boolean" },
    merge: { type: "boolean" },
    "no-report": { type: "boolean" },
    "report-only": { type: "boolean" },
    keep: { type: "boolean" },
    heap: { type: "string", default: "4g" },
    "page-cache": { type: "string", default: "4g" },
    "neo4j-version": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

/** The kinds of measurement, in the order they run within a round. */
type Kind =
  | "driver-iterate"
  | "driver-subscribe"
  | "tool-extract"
  | "python-extract"
  | "unwind-import"
  | "tool-import"
  | "python-import";

const LABELS: Record<Kind, string> = {
  "driver-iterate": "Bare driver loop, `for await` (ceiling)",
  "driver-subscribe": "Bare driver loop, `subscribe` (ceiling)",
  "tool-extract": "**neo4j-backup extract** (this tool)",
  "python-extract": "neo4j-backup 1.0.0 `Extractor` (Python)",
  "unwind-import": "Hand-written `UNWIND` import (ceiling)",
  "tool-import": "**neo4j-backup import** (this tool)",
  "python-import": "neo4j-backup 1.0.0 `Importer` (Python)",
};

/** One run of one kind. */
interface Measurement {
  round: number;
  /** Seconds of the measured work (the time reached, when timed out). */
  seconds: number;
  /** Seconds of the whole child process, from spawn to exit. */
  processSeconds: number;
  /** Records read or written: nodes + relationships (done so far, when timed out). */
  records: number;
  recordsPerSecond: number;
  /** Peak RSS of the client process, in bytes. */
  maxRssBytes: number;
  /** Bytes on disk of the backup it wrote (extracts). */
  bytes?: number;
  /** Records in each relationship file of the Python tool's backup (python-extract). */
  relationshipsPerFile?: number;
  /** Stopped at the time limit. */
  timedOut?: boolean;
  /** Nodes and relationships in the database at the end (imports). */
  database?: { nodes: number; relationships: number };
  /**
   * Counts sampled while it ran (Python import): [seconds, nodes, relationships, and once every
   * node and relationship is there, the temporal and spatial values still stored as strings].
   */
  timeline?: Sample[];
  /** Temporal and spatial values the Python importer had yet to fix when stopped, of all. */
  toFix?: { left: number; total: number };
  /**
   * When timed out: a lower bound of the time it would take, from the rate at which it was
   * progressing in the phase it was in (the phases after that not counted).
   */
  projectedSeconds?: number;
  error?: string;
}

/** [seconds, nodes, relationships, values left to fix]. */
type Sample = [number, number, number, number?];

/** The median of a kind's completed rounds. */
interface Summary {
  kind: Kind;
  label: string;
  rounds: number;
  completed: number;
  medianSeconds?: number;
  recordsPerSecond?: number;
  maxRssBytes?: number;
  bytes?: number;
  timedOut: boolean;
  /** When timed out: the time reached and how far it got. */
  reached?: {
    seconds: number;
    nodes: number;
    relationships: number;
    toFix?: { left: number; total: number };
    projectedSeconds?: number;
  };
}

interface Ratio {
  name: string;
  /** Throughput of this tool / throughput of the other. */
  value?: number;
  /** A lower bound, when the other did not finish. */
  atLeast?: number;
  /** An estimate from the other's projected time, when it did not finish. */
  projected?: number;
}

interface Environment {
  machine: {
    cpu: string;
    cores: number;
    memoryBytes: number;
    os: string;
  };
  versions: Record<string, string>;
}

/** Everything one size produced: the content of `bench/results/<size>.json`. */
interface SizeResult {
  size: string;
  nodes: number;
  relationships: number;
  seed: number;
  rounds: number;
  timeLimitSeconds: number;
  command: string;
  date: string;
  environment: Environment;
  loadSeconds: number;
  /** /proc/loadavg when the size started and when it ended: other work on the machine. */
  loadAverage?: { start: string; end: string };
  measurements: Partial<Record<Kind, Measurement[]>>;
  summaries: Summary[];
  ratios: Ratio[];
}

if (values.help) {
  console.log(HELP);
  Deno.exit(0);
}

const rounds = positiveInteger(values.rounds!, "--rounds");
const timeLimitOption = values["time-limit"] === undefined
  ? undefined
  : Number(values["time-limit"]) * 60;
if (timeLimitOption !== undefined && !(timeLimitOption > 0)) {
  fail(`--time-limit must be a positive number`);
}
/** The Python tool's time limit at a size: 3 minutes up to 10k nodes, else 10, or the option. */
function timeLimitFor(nodes: number): number {
  return timeLimitOption ?? (nodes <= 10_000 ? 180 : 600);
}
const sizes = (values.size ?? "small").split(",").map((s) => s.trim()).filter(
  Boolean,
)
  .map((name) => {
    if (name in SIZES) return { name, nodes: SIZES[name]! };
    if (/^\d+$/.test(name) && Number(name) > 0) {
      return { name: `n${name}`, nodes: Number(name) };
    }
    return fail(
      `unknown --size "${name}": small, medium, large or a node count`,
    );
  });
const SEED = 42;
const typedValueCounts = new Map<number, number>();
const command = ["deno task bench", ...Deno.args].join(" ");
const runStarted = performance.now();

let server: Neo4jServer | undefined;
let driver: Driver | undefined;
let current: Deno.ChildProcess | undefined;
const workDirs: string[] = [];
let interrupted = false;

async function shutdown(): Promise<void> {
  try {
    current?.kill("SIGKILL");
  } catch {
    // Already gone.
  }
  await driver?.close().catch(() => {});
  await server?.stop().catch(() => {});
  if (!values.keep) {
    for (const dir of workDirs) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
}

async function run(): Promise<void> {
  const usePython = !values["no-python"];
  const pythonSizes = sizes.filter((s) =>
    usePython && (s.nodes <= 100_000 || values["python-large"])
  );
  const environment = await describeEnvironment();
  let python: string | undefined;
  if (pythonSizes.length > 0) {
    const tool = await ensurePythonTool(log);
    python = tool.python;
    for (const [name, version] of Object.entries(tool.versions)) {
      environment.versions[name === "python" ? "Python" : `${name} (Python)`] =
        version;
    }
  }
  log(
    `Starting Neo4j (heap ${values.heap}, page cache ${
      values["page-cache"]
    })...`,
  );
  server = await Neo4jServer.start({
    heap: values.heap!,
    pageCache: values["page-cache"]!,
    ...(values["neo4j-version"] ? { version: values["neo4j-version"] } : {}),
    onStatus: log,
  });
  const info = server.info;
  environment.versions["Neo4j"] = `${info.version} Community`;
  log(`Neo4j ${info.version} at ${info.uri}`);
  driver = neo4j.driver(
    info.uri,
    neo4j.auth.basic(info.username, info.password),
    {
      useBigInt: true,
      logging: { level: "error", logger: () => {} },
    },
  );
  const env = {
    NEO4J_URI: info.uri,
    NEO4J_USERNAME: info.username,
    NEO4J_PASSWORD: info.password,
  };
  await Deno.mkdir(RESULTS_DIR, { recursive: true });
  const results: SizeResult[] = [];
  for (const size of sizes) {
    const result = await benchSize(
      size.name,
      size.nodes,
      env,
      environment,
      pythonSizes.includes(size) ? python : undefined,
    );
    results.push(result);
    await Deno.writeTextFile(
      join(RESULTS_DIR, `${size.name}.json`),
      JSON.stringify(result, null, 2) + "\n",
    );
    log(`Wrote ${join("bench", "results", `${size.name}.json`)}`);
  }
  if (values.merge) results.push(...await previousResults(results));
  await writeReport(results);
}

/** The results in bench/results/ of the sizes not in `except`. */
async function previousResults(except: SizeResult[]): Promise<SizeResult[]> {
  const found: SizeResult[] = [];
  for await (const entry of Deno.readDir(RESULTS_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const name = entry.name.slice(0, -5);
    if (except.some((r) => r.size === name)) continue;
    try {
      found.push(
        finalize(
          JSON.parse(
            await Deno.readTextFile(join(RESULTS_DIR, entry.name)),
          ) as SizeResult,
        ),
      );
    } catch {
      // Not one of ours.
    }
  }
  return found;
}

/** Prints the targets and writes BENCHMARKS.md (unless --no-report). */
async function writeReport(results: SizeResult[]): Promise<void> {
  results.sort((a, b) => a.nodes - b.nodes);
  const targets = evaluateTargets(results);
  console.log("\nTargets:");
  for (const line of targets) console.log(`  ${line}`);
  if (!values["no-report"]) {
    await Deno.writeTextFile(REPORT, report(results, targets));
    // In the project's markdown style, so that `deno fmt --check` stays clean.
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", REPORT],
      stdout: "null",
    }).output();
    log(`Wrote BENCHMARKS.md`);
  }
}

async function benchSize(
  name: string,
  nodes: number,
  env: Record<string, string>,
  environment: Environment,
  python: string | undefined,
): Promise<SizeResult> {
  const relationships = nodes * 2;
  const total = nodes + relationships;
  const timeLimitSeconds = timeLimitFor(nodes);
  const loadAtStart = await loadAverage();
  console.log(
    `\n== ${name}: ${formatCount(nodes)} nodes, ${
      formatCount(relationships)
    } relationships, ${rounds} round${rounds === 1 ? "" : "s"} ==`,
  );
  const work = await Deno.makeTempDir({
    prefix: `neo4j-backup-bench-${name}-`,
  });
  workDirs.push(work);
  if (values.keep) log(`Backups in ${work}`);
  const toolDir = join(work, "tool");
  const pythonDir = join(work, "python");
  const measurements: Partial<Record<Kind, Measurement[]>> = {};
  const add = (kind: Kind, m: Measurement): void => {
    (measurements[kind] ??= []).push(m);
    log(`${name} round ${m.round} ${kind}: ${describe(m)}`);
  };
  const timedOut = new Set<Kind>();
  const skip = (kind: Kind): boolean =>
    timedOut.has(kind) && !values["repeat-timeouts"];

  log(`Emptying the database and loading the graph...`);
  await emptyDatabase();
  const load = await runChild(
    Deno.execPath(),
    [
      "run",
      "-A",
      MEASURE,
      "unwind-import",
      JSON.stringify({ nodes, seed: SEED }),
    ],
    env,
  );
  if (!load.result) throw new Error(`Loading the graph failed: ${load.error}`);
  const loaded = await countDatabase();
  if (loaded.nodes !== nodes || loaded.relationships !== relationships) {
    throw new Error(
      `Loaded ${loaded.nodes} nodes and ${loaded.relationships} relationships, expected ${nodes} and ${relationships}`,
    );
  }
  log(`Loaded in ${formatSeconds(load.result.seconds)}`);

  // Extraction, interleaved.
  const extractKinds: Kind[] = [
    "driver-iterate",
    "driver-subscribe",
    "tool-extract",
    ...(python ? ["python-extract" as const] : []),
  ];
  for (let round = 1; round <= rounds; round++) {
    for (const kind of extractKinds) {
      if (skip(kind)) continue;
      let outcome: ChildOutcome;
      let dir: string | undefined;
      if (kind === "tool-extract" || kind === "python-extract") {
        dir = kind === "tool-extract" ? toolDir : pythonDir;
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
      if (kind === "python-extract") {
        outcome = await runChild(
          python!,
          [PYTHON_SCRIPT, "extract", dir!],
          env,
          {
            timeLimitSeconds,
          },
        );
      } else {
        outcome = await runChild(
          Deno.execPath(),
          [
            "run",
            "-A",
            MEASURE,
            kind,
            JSON.stringify({ dir } satisfies MeasureOptions),
          ],
          env,
        );
      }
      const m = toMeasurement(round, outcome, total);
      if (m.timedOut) timedOut.add(kind);
      if (dir && outcome.result) m.bytes = await dirSize(dir);
      if (kind === "python-extract" && outcome.result) {
        m.relationshipsPerFile = await firstFileRecords(join(dir!, "data"));
      }
      if (
        outcome.result?.records !== undefined &&
        outcome.result.records !== total
      ) {
        m.error = `read ${outcome.result.records} records, expected ${total}`;
      }
      add(kind, m);
    }
  }

  // Import, interleaved, each into an emptied database.
  const pythonBackup = (measurements["python-extract"] ?? []).some((m) =>
    !m.error && !m.timedOut
  );
  const toolBackup = (measurements["tool-extract"] ?? []).some((m) =>
    !m.error && !m.timedOut
  );
  const importKinds: Kind[] = [
    "unwind-import",
    ...(toolBackup ? ["tool-import" as const] : []),
    ...(python && pythonBackup ? ["python-import" as const] : []),
  ];
  for (let round = 1; round <= rounds; round++) {
    for (const kind of importKinds) {
      if (skip(kind)) continue;
      await emptyDatabase();
      let outcome: ChildOutcome;
      const timeline: Sample[] = [];
      let lastFixCount = -Infinity;
      if (kind === "python-import") {
        outcome = await runChild(
          python!,
          [PYTHON_SCRIPT, "import", pythonDir],
          env,
          {
            timeLimitSeconds,
            onTick: async (seconds) => {
              const c = await countDatabase();
              const sample: Sample = [
                round2(seconds),
                c.nodes,
                c.relationships,
              ];
              // Every node and relationship is there: the fix-up passes run; count what they
              // have left (a full scan, so at most every 30 s).
              if (
                c.nodes === nodes && c.relationships === relationships &&
                seconds - lastFixCount >= 30
              ) {
                lastFixCount = seconds;
                sample.push(await countLiterals());
              }
              timeline.push(sample);
            },
          },
        );
      } else {
        outcome = await runChild(
          Deno.execPath(),
          [
            "run",
            "-A",
            MEASURE,
            kind,
            JSON.stringify(
              (kind === "tool-import"
                ? { dir: toolDir }
                : { nodes, seed: SEED }) satisfies MeasureOptions,
            ),
          ],
          env,
        );
      }
      if (outcome.timedOut) await settleTransactions();
      const database = await countDatabase();
      const m = toMeasurement(round, outcome, total);
      m.database = database;
      if (timeline.length > 0) m.timeline = timeline;
      if (m.timedOut) {
        timedOut.add(kind);
        m.records = database.nodes + database.relationships;
        m.recordsPerSecond = m.records / m.seconds;
        if (
          database.nodes === nodes && database.relationships === relationships
        ) {
          m.toFix = { left: await countLiterals(), total: typedValues(nodes) };
          timeline.push([
            round2(m.seconds),
            nodes,
            relationships,
            m.toFix.left,
          ]);
        }
      } else if (
        !m.error &&
        (database.nodes !== nodes || database.relationships !== relationships)
      ) {
        m.error =
          `the database holds ${database.nodes} nodes and ${database.relationships} relationships, expected ${nodes} and ${relationships}`;
      }
      add(kind, m);
    }
  }

  return finalize({
    size: name,
    nodes,
    relationships,
    seed: SEED,
    rounds,
    timeLimitSeconds,
    command,
    date: new Date().toISOString(),
    environment,
    loadSeconds: load.result.seconds,
    loadAverage: { start: loadAtStart, end: await loadAverage() },
    measurements,
    summaries: [],
    ratios: [],
  });
}

/** The order of the kinds in the tables. */
const KINDS: Kind[] = [
  "driver-iterate",
  "driver-subscribe",
  "tool-extract",
  "python-extract",
  "unwind-import",
  "tool-import",
  "python-import",
];

/** Derives the projections, the summaries and the ratios of a size's measurements. */
function finalize(r: SizeResult): SizeResult {
  const perFile =
    (r.measurements["python-extract"] ?? []).find((m) => m.relationshipsPerFile)
      ?.relationshipsPerFile ?? PYTHON_RELATIONSHIPS_PER_FILE;
  for (const m of r.measurements["python-import"] ?? []) {
    if (!m.timedOut || !m.database) continue;
    const projected = project(
      m.timeline ?? [],
      m.seconds,
      m.database,
      r.nodes,
      r.relationships,
      perFile,
    );
    if (projected !== undefined) m.projectedSeconds = projected;
  }
  r.summaries = KINDS.filter((kind) => r.measurements[kind]).map((kind) =>
    summarize(kind, r.measurements[kind]!)
  );
  r.ratios = ratios(r.summaries);
  return r;
}

/**
 * Records per relationship file of the Python tool's backups at its default `json_file_size`
 * (files are cut by the size of a list's pointer array): for results that did not record it.
 */
const PYTHON_RELATIONSHIPS_PER_FILE = 7461;

/** Records in the first of the Python tool's relationship files (named by cumulative count). */
async function firstFileRecords(dataDir: string): Promise<number | undefined> {
  let least: number | undefined;
  for await (const entry of Deno.readDir(dataDir)) {
    const match = /^relationships_(\d+)\.json/.exec(entry.name);
    if (match) least = Math.min(least ?? Infinity, Number(match[1]));
  }
  return least;
}

/**
 * A lower bound of the total time of a Python import that hit the time limit (its time per row
 * taken as even). In the relationship phase: the time it took to create the nodes, plus every
 * relationship at the rate it was creating them, or, when not even its first transaction had
 * committed (one relationship type of one file: at most `perFile` rows), at less than
 * `perFile` rows in the time since the nodes were done; the fix-up passes not counted. In the
 * fix-up phase: the time reached, plus the values left to fix at the rate it was fixing them
 * (the final clean-up not counted).
 */
function project(
  timeline: Sample[],
  reached: number,
  at: { nodes: number; relationships: number },
  nodes: number,
  relationships: number,
  perFile: number,
): number | undefined {
  if (at.nodes < nodes) return undefined;
  if (at.relationships === 0) {
    const done = timeline.find(([, n]) => n >= nodes)?.[0];
    if (done === undefined || done >= reached) return undefined;
    return done + relationships * (reached - done) / perFile;
  }
  if (at.relationships >= relationships) {
    const fixes = timeline.filter((s) => s[3] !== undefined);
    const first = fixes[0];
    const last = fixes[fixes.length - 1];
    if (!first || !last || last[0] <= first[0]) return undefined;
    const rate = (first[3]! - last[3]!) / (last[0] - first[0]);
    if (!(rate > 0)) return undefined;
    return reached + last[3]! / rate;
  }
  const first = timeline.find(([, n]) => n >= nodes);
  const nodesDone = first?.[0] ?? 0;
  // Rate from the first relationships seen to the limit, so the node phase is not counted.
  const start = timeline.find(([, , r]) => r > 0);
  if (!start || start[0] >= reached) return undefined;
  const rate = (at.relationships - start[2]) / (reached - start[0]);
  if (!(rate > 0)) return undefined;
  return nodesDone + relationships / rate;
}

function summarize(kind: Kind, list: Measurement[]): Summary {
  const done = list.filter((m) => !m.error && !m.timedOut);
  const timed = list.find((m) => m.timedOut);
  const summary: Summary = {
    kind,
    label: LABELS[kind],
    rounds: list.length,
    completed: done.length,
    timedOut: timed !== undefined,
  };
  if (done.length > 0) {
    summary.medianSeconds = median(done.map((m) => m.seconds));
    summary.recordsPerSecond = done[0]!.records / summary.medianSeconds;
    summary.maxRssBytes = Math.max(...done.map((m) => m.maxRssBytes));
    const bytes = done.map((m) => m.bytes).filter((b) => b !== undefined);
    if (bytes.length > 0) summary.bytes = median(bytes);
  } else if (timed) {
    summary.reached = {
      seconds: timed.seconds,
      nodes: timed.database?.nodes ?? 0,
      relationships: timed.database?.relationships ?? 0,
      ...(timed.toFix ? { toFix: timed.toFix } : {}),
      ...(timed.projectedSeconds === undefined
        ? {}
        : { projectedSeconds: timed.projectedSeconds }),
    };
    summary.maxRssBytes = timed.maxRssBytes;
  }
  return summary;
}

function ratios(summaries: Summary[]): Ratio[] {
  const get = (kind: Kind): Summary | undefined =>
    summaries.find((s) => s.kind === kind);
  const out: Ratio[] = [];
  const compare = (name: string, tool: Kind, other: Kind): void => {
    const a = get(tool);
    const b = get(other);
    if (!a?.medianSeconds || !b) return;
    if (b.medianSeconds) {
      out.push({ name, value: b.medianSeconds / a.medianSeconds });
    } else if (b.reached) {
      out.push({
        name,
        atLeast: b.reached.seconds / a.medianSeconds,
        ...(b.reached.projectedSeconds
          ? { projected: b.reached.projectedSeconds / a.medianSeconds }
          : {}),
      });
    }
  };
  compare(
    "extract / bare driver loop (for await)",
    "tool-extract",
    "driver-iterate",
  );
  compare(
    "extract / bare driver loop (subscribe)",
    "tool-extract",
    "driver-subscribe",
  );
  compare("extract / Python tool", "tool-extract", "python-extract");
  compare(
    "import / hand-written UNWIND import",
    "tool-import",
    "unwind-import",
  );
  compare("import / Python tool", "tool-import", "python-import");
  return out;
}

function evaluateTargets(results: SizeResult[]): string[] {
  const lines: string[] = [];
  const ratio = (r: SizeResult, name: string): Ratio | undefined =>
    r.ratios.find((x) => x.name === name);
  const summary = (r: SizeResult, kind: Kind): Summary | undefined =>
    r.summaries.find((s) => s.kind === kind);
  const verdict = (ok: boolean): string => ok ? "MET" : "MISSED";
  for (const r of results) {
    const x = ratio(r, "extract / bare driver loop (for await)");
    const y = ratio(r, "extract / bare driver loop (subscribe)");
    if (x?.value !== undefined) {
      lines.push(
        `${
          verdict(x.value >= 0.8)
        }: extract >= 0.8x the bare driver loop at ${r.size}: ${
          fmtRatio(x.value)
        } (for await)${
          y?.value !== undefined ? `, ${fmtRatio(y.value)} (subscribe)` : ""
        }`,
      );
    }
  }
  for (const r of results) {
    const x = ratio(r, "extract / Python tool");
    if (x?.value !== undefined) {
      lines.push(
        `${
          verdict(x.value >= 10)
        }: extract >= 10x the Python tool at ${r.size}: ${fmtRatio(x.value)}`,
      );
    }
  }
  for (const r of results) {
    const x = ratio(r, "import / hand-written UNWIND import");
    if (x?.value !== undefined) {
      lines.push(
        `${
          verdict(x.value >= 0.8)
        }: import >= 0.8x the hand-written UNWIND import at ${r.size}: ${
          fmtRatio(x.value)
        }`,
      );
    }
  }
  for (const r of results.filter((r) => r.nodes === 100_000)) {
    const x = ratio(r, "import / Python tool");
    if (!x) continue;
    if (x.value !== undefined) {
      lines.push(
        `${
          verdict(x.value >= 100)
        }: import >= 100x the Python tool at ${r.size}: ${fmtRatio(x.value)}`,
      );
    } else if (x.atLeast !== undefined) {
      const limit = summary(r, "python-import")?.reached?.seconds ?? 0;
      if (x.atLeast >= 100) {
        lines.push(
          `MET: import >= 100x the Python tool at ${r.size}: more than ${
            fmtRatio(x.atLeast)
          } (the Python tool had not finished after ${formatSeconds(limit)})`,
        );
      } else if (x.projected !== undefined) {
        lines.push(
          `${
            verdict(x.projected >= 100)
          } (projected): import >= 100x the Python tool at ${r.size}: about ${
            fmtRatio(x.projected)
          } or more from the Python tool's projected time (at least ${
            fmtRatio(x.atLeast)
          } measured: it had not finished after ${formatSeconds(limit)})`,
        );
      } else {
        lines.push(
          `UNDETERMINED: import >= 100x the Python tool at ${r.size}: at least ${
            fmtRatio(x.atLeast)
          } (the Python tool had not finished after ${formatSeconds(limit)})`,
        );
      }
    }
  }
  const rssAt = (nodes: number): number | undefined =>
    summary(
      results.find((r) => r.nodes === nodes) ?? ({} as SizeResult),
      "tool-extract",
    )?.maxRssBytes;
  const rss100k = results.some((r) => r.nodes === 100_000)
    ? rssAt(100_000)
    : undefined;
  const rss1m = results.some((r) => r.nodes === 1_000_000)
    ? rssAt(1_000_000)
    : undefined;
  if (rss100k && rss1m) {
    lines.push(
      `${
        verdict(rss1m <= 1.2 * rss100k)
      }: extract peak RSS at 1M nodes <= 1.2x at 100k: ${formatMiB(rss1m)} vs ${
        formatMiB(rss100k)
      } (${fmtRatio(rss1m / rss100k)})`,
    );
  }
  for (const r of results) {
    const tool = summary(r, "tool-extract")?.bytes;
    const py = summary(r, "python-extract")?.bytes;
    if (tool && py) {
      lines.push(
        `${
          verdict(tool <= py)
        }: compressed backup no larger than the Python tool's at ${r.size}: ${
          formatBytes(tool)
        } vs ${formatBytes(py)} (${fmtRatio(tool / py)})`,
      );
    }
  }
  return lines;
}

function report(results: SizeResult[], targets: string[]): string {
  const env = results[0]!.environment;
  const commands = [...new Set(results.map((r) => r.command))];
  const out: string[] = [];
  out.push("# Benchmarks", "");
  out.push(
    "How `neo4j-backup` compares, on one machine and one Neo4j server, with the limit of a",
    "Cypher-only tool and with what a user would pick instead. Written by `deno task bench`",
    "(`bench/bench.ts`); the raw numbers of each size are in `bench/results/<size>.json`.",
    "",
    "- **Ceilings**: a bare neo4j-driver loop that streams every node",
    "  (`MATCH (n) RETURN id(n), labels(n), properties(n)`) and every relationship",
    "  (`MATCH (a)-[r]->(b) RETURN id(r), type(r), id(a), id(b), properties(r)`) and discards",
    "  them (fetch size 10,000; `for await` over the result, and `result.subscribe`): the most an",
    "  extraction over Bolt can do. A hand-written batched `UNWIND` import of the same graph",
    "  (nodes grouped by label set, 10,000 per transaction, returning their new ids;",
    "  relationships matched by id, grouped by type): the most an import over Cypher can do.",
    "- **The alternative**: [neo4j-backup 1.0.0](https://pypi.org/project/neo4j-backup/) (Python),",
    "  `Extractor(...).extract_data()` and `Importer(...).import_data()` with their defaults.",
    "- **The data**: the deterministic generator `dev/generate_graph.ts` (seed 42): six labels and",
    "  multi-label nodes, 3 to 15 properties of mixed types (strings, integers, floats, booleans,",
    "  dates, datetimes, points, lists), two relationships per node with a skewed degree",
    "  distribution (hubs).",
    "- **Method**: one server for the whole run; each measurement in a child process of its own",
    "  (wall time of the work itself, and that process's own peak RSS: `VmHWM`, or `ru_maxrss`",
    "  for Python); the measurements interleaved round by round (A B C A B C); every import into",
    "  an emptied database. Times are medians of the rounds. Ratios are throughput ratios (records",
    "  per second of this tool / of the other; above 1 means this tool is faster): they are the",
    "  claim, the absolute times depend on the machine. The Python tool is stopped at the time",
    "  limit; then the time reached and what it had written by then are shown.",
    "",
    "To run it (Java and Maven for the local Neo4j, Python 3 with venv for the Python tool,",
    "installed once from PyPI into the project's cache folder by `dev/python_tool.ts`):",
    "",
    "```sh",
    "deno task bench                          # small (10k nodes): about 5 minutes",
    "deno task bench --size medium --merge    # 100k nodes, keeping the other sizes in this file",
    "deno task bench --size large --merge     # 1M nodes (the Python tool only with --python-large)",
    "deno task bench --help                   # rounds, time limit, Neo4j memory and version, ...",
    "```",
    "",
  );
  out.push("## Ratios", "");
  const ratioNames = [
    [
      "extract / bare driver loop (for await)",
      "Extract vs bare driver loop (`for await`)",
    ],
    [
      "extract / bare driver loop (subscribe)",
      "Extract vs bare driver loop (`subscribe`)",
    ],
    ["extract / Python tool", "Extract vs Python tool"],
    [
      "import / hand-written UNWIND import",
      "Import vs hand-written `UNWIND` import",
    ],
    ["import / Python tool", "Import vs Python tool"],
  ] as const;
  out.push(
    `| This tool's throughput / ... | ${
      results.map((r) => `${r.size} (${shortCount(r.nodes)} nodes)`).join(" | ")
    } |`,
    `| --- | ${results.map(() => "---:").join(" | ")} |`,
  );
  for (const [key, label] of ratioNames) {
    const cells = results.map((r) => {
      const x = r.ratios.find((q) => q.name === key);
      if (!x) return "n/a";
      if (x.value !== undefined) return `**${fmtRatio(x.value)}**`;
      if (x.atLeast !== undefined) {
        return `**> ${fmtRatio(x.atLeast)}**${
          x.projected !== undefined
            ? ` (projected: > ${fmtRatio(x.projected)})`
            : ""
        }`;
      }
      return "n/a";
    });
    out.push(`| ${label} | ${cells.join(" | ")} |`);
  }
  out.push("");
  out.push("## Targets", "");
  for (const line of targets) out.push(`- ${line}`);
  if (targets.length === 0) out.push("- (none that the sizes run allow)");
  out.push("");
  for (const r of results) {
    out.push(
      `## ${r.size}: ${formatCount(r.nodes)} nodes, ${
        formatCount(r.relationships)
      } relationships`,
      "",
    );
    const roundHeads = Array.from(
      { length: r.rounds },
      (_, i) => `Round ${i + 1}`,
    );
    out.push(
      `| | ${
        roundHeads.join(" | ")
      } | Median | Records/s | Peak RSS | Backup on disk |`,
      `| --- | ${
        roundHeads.map(() => "---:").join(" | ")
      } | ---: | ---: | ---: | ---: |`,
    );
    const section = (title: string, kinds: Kind[]): void => {
      out.push(
        `| _${title}_ | ${roundHeads.map(() => "").join(" | ")} | | | | |`,
      );
      for (const kind of kinds) {
        const list = r.measurements[kind];
        const s = r.summaries.find((x) => x.kind === kind);
        if (!list || !s) continue;
        const cells = roundHeads.map((_, i) => {
          const m = list.find((x) => x.round === i + 1);
          if (!m) return s.timedOut ? "not repeated" : "";
          if (m.error) return "failed";
          if (m.timedOut) return `> ${formatSeconds(m.seconds)} (limit)`;
          return formatSeconds(m.seconds);
        });
        const medianCell = s.medianSeconds !== undefined
          ? formatSeconds(s.medianSeconds)
          : s.reached
          ? `> ${formatSeconds(s.reached.seconds)}`
          : "n/a";
        const rate = s.recordsPerSecond !== undefined
          ? formatCount(Math.round(s.recordsPerSecond))
          : s.reached
          ? `${
            formatCount(
              Math.round(
                (s.reached.nodes + s.reached.relationships) / s.reached.seconds,
              ),
            )
          } (until stopped)`
          : "n/a";
        out.push(
          `| ${s.label} | ${cells.join(" | ")} | ${medianCell} | ${rate} | ${
            s.maxRssBytes ? formatMiB(s.maxRssBytes) : "n/a"
          } | ${s.bytes ? formatBytes(s.bytes) : ""} |`,
        );
      }
    };
    section("Extract", [
      "driver-iterate",
      "driver-subscribe",
      "tool-extract",
      "python-extract",
    ]);
    section("Import (into an empty database)", [
      "unwind-import",
      "tool-import",
      "python-import",
    ]);
    out.push("");
    const notes: string[] = [];
    for (const s of r.summaries) {
      if (s.reached) {
        const pct = (a: number, b: number): string =>
          `${(100 * a / b).toFixed(a === b ? 0 : 1)}%`;
        notes.push(
          `- ${s.label} did not finish within the time limit: stopped after ${
            formatSeconds(s.reached.seconds)
          } with ${formatCount(s.reached.nodes)} of ${
            formatCount(r.nodes)
          } nodes (${pct(s.reached.nodes, r.nodes)}) and ${
            formatCount(s.reached.relationships)
          } of ${formatCount(r.relationships)} relationships (${
            pct(s.reached.relationships, r.relationships)
          }) written${
            s.reached.toFix
              ? `, and ${
                formatCount(s.reached.toFix.total - s.reached.toFix.left)
              } of its ${
                formatCount(s.reached.toFix.total)
              } temporal and spatial values fixed (it writes them as strings, then sets them one query and one full scan per value)`
              : ""
          }${
            s.reached.projectedSeconds === undefined
              ? ""
              : s.reached.relationships === 0 && s.reached.nodes === r.nodes
              ? `: not even its first relationship transaction (the rows of one type from one file of its backup) had committed, so at the pace it was going it would need at least ${
                formatSeconds(s.reached.projectedSeconds)
              } in all (its time per row taken as even; the fix-up passes after the relationships not counted)`
              : `; at the rate it was going in that phase, it would need at least ${
                formatSeconds(s.reached.projectedSeconds)
              } in all (the phases after it not counted)`
          }.${s.rounds < r.rounds ? " Not repeated in later rounds." : ""}`,
        );
      }
      for (const m of r.measurements[s.kind] ?? []) {
        if (m.error) {
          notes.push(`- ${s.label}, round ${m.round}, failed: ${m.error}`);
        }
      }
    }
    if (!r.measurements["python-extract"]) {
      notes.push(
        "- The Python tool was not run at this size (run with `--python-large` to include it).",
      );
    } else {
      notes.push(
        `- Time limit of one run of the Python tool: ${
          formatSeconds(r.timeLimitSeconds)
        }.`,
      );
    }
    if (r.loadAverage) {
      notes.push(
        `- Load average (1, 5, 15 min) of the machine when this size started: ${r.loadAverage.start}; when it ended: ${r.loadAverage.end}.`,
      );
    }
    notes.push(
      `- Loading the graph for the extract measurements (the hand-written import, once more) took ${
        formatSeconds(r.loadSeconds)
      }. Run ${
        r.date.slice(0, 16).replace("T", " ")
      } UTC with \`${r.command}\`.`,
    );
    out.push(...notes, "");
  }
  out.push("## Environment", "");
  out.push(
    `- Machine: ${env.machine.cpu}, ${env.machine.cores} cores, ${
      formatGiB(env.machine.memoryBytes)
    } RAM; ${env.machine.os}`,
  );
  for (const [name, version] of Object.entries(env.versions)) {
    out.push(`- ${name}: ${version}`);
  }
  out.push(
    "- Neo4j ran embedded (`dev/neo4j_server.ts`) on the same machine as the clients: the",
    "  server and the client share its cores.",
    "",
    "Produced by:",
    "",
    "```sh",
    ...commands,
    "```",
    "",
  );
  return out.join("\n");
}

async function describeEnvironment(): Promise<Environment> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ??
    "unknown CPU";
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length ||
    navigator.hardwareConcurrency;
  const memKb = Number(/^MemTotal:\s+(\d+)\s+kB/m.exec(meminfo)?.[1] ?? 0);
  let commit = "";
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", ROOT, "describe", "--always", "--dirty"],
      stdout: "piped",
      stderr: "null",
    }).output();
    commit = new TextDecoder().decode(out.stdout).trim();
  } catch {
    // No git.
  }
  return {
    machine: {
      cpu: cpu.replace(/\s+/g, " "),
      cores,
      memoryBytes: memKb * 1024,
      os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    },
    versions: {
      "neo4j-backup (this tool)": `${VERSION}${commit ? ` (${commit})` : ""}`,
      Deno: `${Deno.version.deno} (V8 ${Deno.version.v8})`,
      "neo4j-driver (JavaScript)": DRIVER_VERSION,
    },
  };
}

interface ChildOutcome {
  result?: MeasureResult;
  processSeconds: number;
  timedOut: boolean;
  /** Peak RSS read from /proc just before a timed-out child was killed. */
  rssAtKill?: number;
  error?: string;
}

/**
 * Runs one measurement in a child process and reads its `BENCH-RESULT` line. With a time limit,
 * the child is killed at the limit (its peak RSS read from /proc first).
 */
async function runChild(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  options: {
    timeLimitSeconds?: number;
    onTick?: (seconds: number) => Promise<void>;
  } = {},
): Promise<ChildOutcome> {
  const started = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    env: { ...env, TQDM_DISABLE: "1", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  current = child;
  let timedOut = false;
  let rssAtKill: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.timeLimitSeconds) {
    timer = setTimeout(() => {
      timedOut = true;
      rssAtKill = processPeakRss(child.pid);
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, options.timeLimitSeconds * 1000);
  }
  let ticking = false;
  const ticker = options.onTick
    ? setInterval(() => {
      if (ticking) return;
      ticking = true;
      options.onTick!((performance.now() - started) / 1000).catch(() => {})
        .finally(() => ticking = false);
    }, 5_000)
    : undefined;
  const [stdout, stderr, status] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.status,
  ]);
  clearTimeout(timer);
  clearInterval(ticker);
  current = undefined;
  const processSeconds = (performance.now() - started) / 1000;
  if (timedOut) return { processSeconds, timedOut, rssAtKill };
  const line = stdout.split("\n").reverse().find((l) =>
    l.startsWith("BENCH-RESULT ")
  );
  if (!status.success || !line) {
    const tail = (stderr + stdout).trim().split("\n").slice(-15).join("\n");
    return {
      processSeconds,
      timedOut,
      error: `exit status ${status.code}: ${tail || "(no output)"}`,
    };
  }
  return {
    result: JSON.parse(line.slice("BENCH-RESULT ".length)) as MeasureResult,
    processSeconds,
    timedOut,
  };
}

function toMeasurement(
  round: number,
  outcome: ChildOutcome,
  total: number,
): Measurement {
  if (outcome.timedOut) {
    return {
      round,
      seconds: outcome.processSeconds,
      processSeconds: outcome.processSeconds,
      records: 0,
      recordsPerSecond: 0,
      maxRssBytes: outcome.rssAtKill ?? 0,
      timedOut: true,
    };
  }
  if (!outcome.result) {
    return {
      round,
      seconds: outcome.processSeconds,
      processSeconds: outcome.processSeconds,
      records: 0,
      recordsPerSecond: 0,
      maxRssBytes: 0,
      error: outcome.error ?? "no result",
    };
  }
  const { seconds, maxRssBytes } = outcome.result;
  return {
    round,
    seconds,
    processSeconds: outcome.processSeconds,
    records: total,
    recordsPerSecond: total / seconds,
    maxRssBytes,
  };
}

/** Peak RSS (VmHWM) of a running process, in bytes. */
function processPeakRss(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Property values stored as `$point(...)`, `$date(...)`, ... strings: the Python importer's. */
async function countLiterals(): Promise<number> {
  const { records } = await driver!.executeQuery(
    "MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v WHERE v STARTS WITH '$' RETURN count(*)",
    {},
    { routing: neo4j.routing.READ },
  );
  return Number(records[0]?.get(0) ?? 0);
}

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

/** Node and relationship counts (from the count store). */
async function countDatabase(): Promise<
  { nodes: number; relationships: number }
> {
  const count = async (query: string): Promise<number> => {
    const { records } = await driver!.executeQuery(query, {}, {
      routing: neo4j.routing.READ,
    });
    return Number(records[0]?.get(0) ?? 0);
  };
  return {
    nodes: await count("MATCH (n) RETURN count(n)"),
    relationships: await count("MATCH ()-[r]->() RETURN count(r)"),
  };
}

/**
 * Waits until no other transaction runs (after a client was killed, the server ends its
 * transaction when it notices the closed connection), terminating stragglers after a minute.
 */
async function settleTransactions(): Promise<void> {
  const others = async (): Promise<string[]> => {
    const { records } = await driver!.executeQuery(
      "SHOW TRANSACTIONS YIELD transactionId, currentQuery " +
        "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN transactionId",
    );
    return records.map((r) => r.get(0) as string);
  };
  try {
    const deadline = Date.now() + 60_000;
    let ids = await others();
    while (ids.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      ids = await others();
    }
    if (ids.length > 0) {
      await driver!.executeQuery("TERMINATE TRANSACTIONS $ids", { ids });
      while (ids.length > 0 && Date.now() < deadline + 60_000) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        ids = await others();
      }
    }
  } catch (error) {
    log(`(could not list transactions: ${(error as Error).message})`);
  }
}

/**
 * Empties the database: every constraint and every index but the token lookup indexes, then
 * every relationship and every node in transactions of 10,000.
 */
async function emptyDatabase(): Promise<void> {
  const d = driver!;
  const escape = (name: string): string =>
    "`" + name.replaceAll("`", "``") + "`";
  const { records: constraints } = await d.executeQuery(
    "SHOW CONSTRAINTS YIELD name",
  );
  for (const r of constraints) {
    await d.executeQuery(`DROP CONSTRAINT ${escape(r.get("name"))} IF EXISTS`);
  }
  const { records: indexes } = await d.executeQuery(
    "SHOW INDEXES YIELD name, type",
  );
  for (const r of indexes) {
    if (r.get("type") === "LOOKUP") continue;
    await d.executeQuery(`DROP INDEX ${escape(r.get("name"))} IF EXISTS`);
  }
  // CALL { ... } IN TRANSACTIONS needs an auto-commit transaction: session.run.
  const session = d.session();
  try {
    await session.run(
      "MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS",
    );
    await session.run(
      "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
    );
  } finally {
    await session.close();
  }
  const left = await countDatabase();
  if (left.nodes !== 0 || left.relationships !== 0) {
    throw new Error(
      `The database is not empty after deleting: ${left.nodes} nodes, ${left.relationships} relationships`,
    );
  }
}

/** The 1, 5 and 15 minute load averages. */
async function loadAverage(): Promise<string> {
  const text = await Deno.readTextFile("/proc/loadavg").catch(() => "");
  return text.split(" ").slice(0, 3).join(" ");
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
  if (m.bytes !== undefined) parts.push(`backup ${formatBytes(m.bytes)}`);
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

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function formatSeconds(s: number): string {
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s >= 3600) {
    const minutes = Math.round(s / 60);
    const h = Math.floor(minutes / 60);
    return minutes % 60 === 0 ? `${h} h` : `${h} h ${minutes % 60} min`;
  }
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0 ? `${m} min` : `${m} min ${rest} s`;
}

function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

function shortCount(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return formatCount(n);
}

function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

function formatBytes(bytes: number): string {
  if (bytes < 2 ** 20) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function fmtRatio(x: number): string {
  return x >= 100
    ? `${x.toFixed(0)}x`
    : x >= 10
    ? `${x.toFixed(1)}x`
    : `${x.toFixed(2)}x`;
}

function log(message: string): void {
  const s = Math.round((performance.now() - runStarted) / 1000);
  const stamp = `${String(Math.floor(s / 60)).padStart(2, "0")}:${
    String(s % 60).padStart(2, "0")
  }`;
  console.log(`[${stamp}] ${message}`);
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer`);
  return n;
}

function fail(message: string): never {
  console.error(`error: ${message}\n\n${HELP}`);
  Deno.exit(2);
}

// The run, last: every declaration above is initialized by now.
const onSignal = (): void => {
  if (interrupted) Deno.exit(130);
  interrupted = true;
  log("Interrupted: stopping the server (Ctrl-C again to quit at once)...");
  void shutdown().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

try {
  if (values["report-only"]) {
    let results = await previousResults([]);
    if (values.size) {
      results = results.filter((r) => sizes.some((s) => s.name === r.size));
    }
    if (results.length === 0) fail("no results in bench/results/ to report");
    await writeReport(results);
  } else {
    await run();
  }
} catch (error) {
  if (!interrupted) {
    console.error(`The benchmark failed: ${(error as Error)?.stack ?? error}`);
    Deno.exitCode = 1;
  }
} finally {
  if (!interrupted) {
    await shutdown();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    log(`Done in ${formatSeconds((performance.now() - runStarted) / 1000)}.`);
  }
}
