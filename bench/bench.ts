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
 * More, on the same backups: `verify` of this tool's backup (against the import's own check of
 * it before it writes), APOC's `apoc.export.json.all` and `apoc.import.json` (APOC Core from
 * Maven Central as a plugin of the server, `dev/_apoc.ts`; left out, with a line saying why,
 * when it cannot be had), the extract and the import through a proxy that adds 20 ms each way
 * (`tests/_proxy.ts`), the import into a second server with `db.memory.transaction.max` at 32
 * MiB, and the import with `--jobs 1`, `--jobs 2`, `--jobs 4`. The extract runs in variants too
 * (`--extract-variants`: by default `-j 1` and `-j 4` besides the one without flags), each
 * against the bare `for await` loop of the same rounds; the bare loop runs through the latency
 * proxy as well; and in the resume case the extract is killed (SIGKILL) once its checkpoint
 * records 90% of the records as written, then resumed with `--resume`, against the same extract
 * uninterrupted. Each size runs in each shape of graph asked for (`--shape`: the benchmark's,
 * and one of production shape).
 *
 * Raw numbers go to `bench/results/<size>.json` (`<size>-<shape>.json` for a shape other than
 * the benchmark's); `BENCHMARKS.md` is rewritten with the sizes of this run (and, with
 * `--merge`, those of earlier runs found in `bench/results/`).
 *
 * This file is the command line and the run; one size is measured by `_size.ts` (children by
 * `_child.ts`, the server's side by `_database.ts`), the results and what is derived from them
 * are `_results.ts`, the report is `_report.ts` (its prose `_report_template.md`, its targets
 * `_targets.ts`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import neo4j, { type Driver } from "neo4j-driver";
import {
  APOC_CONF,
  APOC_SERVER_SETTINGS,
  provisionApoc,
} from "../dev/_apoc.ts";
import { GRAPH_SHAPES, type GraphShape } from "../dev/generate_graph.ts";
import {
  DEFAULT_NEO4J_VERSION,
  Neo4jServer,
  type Neo4jServerOptions,
} from "../dev/neo4j_server.ts";
import { ensurePythonTool } from "../dev/python_tool.ts";
import { killRunningChild } from "./_child.ts";
import { describeEnvironment } from "./_environment.ts";
import { elapsedSeconds, formatSeconds, log } from "./_format.ts";
import { writeReport } from "./_report.ts";
import {
  readResults,
  resultKey,
  shapeOf,
  type SizeResult,
} from "./_results.ts";
import { type BenchSettings, benchSize, type OtherServer } from "./_size.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, "results");
const REPORT = join(dirname(BENCH_DIR), "BENCHMARKS.md");

/** The named sizes: nodes (relationships are twice as many, 1.35 times in the production shape). */
const SIZES: Record<string, number> = {
  small: 10_000,
  medium: 100_000,
  large: 1_000_000,
  xlarge: 5_000_000,
};

/** The import's variants by default: its extra command-line arguments. */
const DEFAULT_IMPORT_VARIANTS = "--jobs 1,--jobs 2,--jobs 4";

/** The extract's variants by default (see {@linkcode extractVariantArgs}). */
const DEFAULT_EXTRACT_VARIANTS = "default,jobs1,jobs4";

const HELP = `Usage: deno task bench [options]

Benchmarks neo4j-backup's extract and import against a bare neo4j-driver loop (the ceiling for
extraction over Bolt), a hand-written batched UNWIND import (the ceiling for import over Cypher)
and the Python neo4j-backup 1.0.0, on one local Neo4j server, and writes BENCHMARKS.md and
bench/results/<size>.json.

Options:
  --size <list>         small (10k nodes, 20k relationships), medium (100k / 200k), large
                        (1M / 2M), xlarge (5M / 10M), or a node count, comma-separated
                        (default: small)
  --shape <list>        benchmark (six labels, five types, small mixed properties) and/or
                        production (300 label sets, 400 types, 768-dimension embeddings with a
                        vector index, huge records, a dense hub; 1.35 relationships per node),
                        comma-separated (default: benchmark)
  --rounds <n>          Times each measurement runs, interleaved (default: 2)
  --time-limit <min>    Time limit of one run of the Python tool, in minutes (default: 3 up
                        to 10k nodes, 10 above)
  --repeat-timeouts     Run a Python measurement again in later rounds even after it hit the
                        time limit (default: not repeated)
  --python-large        Also run the Python tool at sizes above 100k nodes
  --no-python           Leave out the Python tool (it runs on the benchmark shape only)
  --no-apoc             Leave out APOC (apoc.export.json.all, apoc.import.json)
  --latency <ms>        Latency added each way by the proxy of the latency case, or "none" to
                        leave the case out (default: 20)
  --tx-limit <size>     db.memory.transaction.max of the second server that the import goes
                        to, or "none" to leave it out (default: 32m)
  --import-variants=<l> The import's variants: extra arguments of each, comma-separated, or
                        "none" (default: "${DEFAULT_IMPORT_VARIANTS}"; with "=", since the
                        list starts with a dash)
  --extract-variants=<l>
                        The extract's variants, comma-separated, each measured against the
                        bare driver loop of the same rounds: "default" (no flag; always
                        measured, since verify and every import read its backup), "jobs<n>"
                        (-j <n>), or extra arguments ("--partition-size 5000"); or "none" for
                        the default alone (default: "${DEFAULT_EXTRACT_VARIANTS}")
  --resume-case=<v>     The resume case: the extract of variant <v> ("default", "jobs<n>" or
                        extra arguments, as above; measured too if not among the variants)
                        killed (SIGKILL) once its checkpoint records --resume-at of the
                        records as written, then "extract <dir> --resume"; "none" leaves it
                        out (default: default)
  --resume-at <pct>     Percentage of the records written at the kill (default: 90)
  --no-import           Leave out every import (the extractions alone; the import targets
                        then read "not measured")
  --merge               Also put the other sizes found in bench/results/ into BENCHMARKS.md
  --no-report           Do not rewrite BENCHMARKS.md
  --report <file>       Write the report there instead of BENCHMARKS.md
  --results-dir <dir>   Where the raw numbers go, and --merge and --report-only read them
                        (default: bench/results)
  --report-only         Only rewrite BENCHMARKS.md from bench/results/ (the sizes of --size and
                        the shapes of --shape, or all): no server, no measurement
  --keep                Keep the backup folders (their path is printed)
  --heap <size>         Neo4j heap (default: 4g)
  --page-cache <size>   Neo4j page cache (default: 4g)
  --neo4j-version <v>   Neo4j version (default: NEO4J_VERSION or the project's default)
  -h, --help            This help`;

const OPTIONS = {
  size: { type: "string" },
  shape: { type: "string" },
  rounds: { type: "string", default: "2" },
  "time-limit": { type: "string" },
  "repeat-timeouts": { type: "boolean" },
  "python-large": { type: "boolean" },
  "no-python": { type: "boolean" },
  "no-apoc": { type: "boolean" },
  latency: { type: "string", default: "20" },
  "tx-limit": { type: "string", default: "32m" },
  "import-variants": { type: "string", default: DEFAULT_IMPORT_VARIANTS },
  "extract-variants": { type: "string", default: DEFAULT_EXTRACT_VARIANTS },
  "resume-case": { type: "string", default: "default" },
  "resume-at": { type: "string", default: "90" },
  "no-import": { type: "boolean" },
  report: { type: "string" },
  "results-dir": { type: "string" },
  merge: { type: "boolean" },
  "no-report": { type: "boolean" },
  "report-only": { type: "boolean" },
  keep: { type: "boolean" },
  heap: { type: "string", default: "4g" },
  "page-cache": { type: "string", default: "4g" },
  "neo4j-version": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** What the command line's options parse to. */
type ParsedOptions = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>
>;

const { values } = parseCommandLine();

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
const shapes = (values.shape ?? "benchmark").split(",").map((s) => s.trim())
  .filter(Boolean).map((name) => {
    if ((GRAPH_SHAPES as readonly string[]).includes(name)) {
      return name as GraphShape;
    }
    return fail(`unknown --shape "${name}": ${GRAPH_SHAPES.join(" or ")}`);
  });
const latencyMs = values.latency === "none"
  ? undefined
  : nonNegativeNumber(values.latency!, "--latency");
const transactionLimit = values["tx-limit"] === "none"
  ? undefined
  : values["tx-limit"]!;
if (transactionLimit !== undefined && !/^\d+[kmg]?$/i.test(transactionLimit)) {
  fail(`--tx-limit must be a size such as 32m, or "none"`);
}
const importVariants = values["import-variants"] === "none"
  ? []
  : values["import-variants"]!.split(",").map((v) =>
    v.trim().split(/\s+/).filter(Boolean)
  ).filter((args) => args.length > 0);
const extractVariants = parseExtractVariants(values["extract-variants"]!);
const resumeCase = values["resume-case"] === "none" ? undefined : {
  args: variantWords(values["resume-case"]!.trim(), "--resume-case"),
  at: percentage(values["resume-at"]!, "--resume-at") / 100,
};
if (
  resumeCase && resumeCase.args.length > 0 &&
  !extractVariants.some((v) => v.join(" ") === resumeCase.args.join(" "))
) {
  // Its uninterrupted extract, in the same rounds.
  extractVariants.push(resumeCase.args);
}
const resultsDir = values["results-dir"] ?? RESULTS_DIR;
const reportPath = values.report ?? REPORT;
const command = ["deno task bench", ...Deno.args.map(shellWord)].join(" ");

let server: Neo4jServer | undefined;
/** The servers with a transaction limit that run now (stopped at an interrupt). */
const limitedServers = new Set<Neo4jServer>();
let driver: Driver | undefined;
const workDirs: string[] = [];
let interrupted = false;

async function shutdown(): Promise<void> {
  killRunningChild();
  await driver?.close().catch(() => {});
  await server?.stop().catch(() => {});
  for (const other of limitedServers) await other.stop().catch(() => {});
  if (!values.keep) {
    for (const dir of workDirs) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
}

/** Starts the server, measures every size, writes the results and the report. */
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
  const settings = await startServer(environment);
  await Deno.mkdir(resultsDir, { recursive: true });
  const results: SizeResult[] = [];
  for (const size of sizes) {
    for (const shape of shapes) {
      const result = await benchSize(
        settings,
        size.name,
        size.nodes,
        shape,
        pythonSizes.includes(size) && shape === "benchmark"
          ? python
          : undefined,
        timeLimitFor(size.nodes),
      );
      results.push(result);
      const file = `${resultKey(result)}.json`;
      await Deno.writeTextFile(
        join(resultsDir, file),
        JSON.stringify(result, null, 2) + "\n",
      );
      log(`Wrote ${join(resultsDir, file)}`);
    }
  }
  if (values.merge) results.push(...await readResults(resultsDir, results));
  await writeReport(results, reportPath, !values["no-report"]);
}

/** Starts the Neo4j server of the run (with APOC, when it can) and opens the driver; what every size shares. */
async function startServer(environment: BenchSettings["environment"]): Promise<
  BenchSettings
> {
  const base: Neo4jServerOptions = {
    heap: values.heap!,
    pageCache: values["page-cache"]!,
    ...(values["neo4j-version"] ? { version: values["neo4j-version"] } : {}),
    onStatus: log,
  };
  log(
    `Starting Neo4j (heap ${values.heap}, page cache ${
      values["page-cache"]
    })...`,
  );
  let apoc: BenchSettings["apoc"] = { skipped: "left out with --no-apoc" };
  let apocVersion: string | undefined;
  if (!values["no-apoc"]) {
    try {
      const version = values["neo4j-version"] ??
        Deno.env.get("NEO4J_VERSION") ?? DEFAULT_NEO4J_VERSION;
      const plugin = await provisionApoc(version, log);
      server = await Neo4jServer.start({
        ...base,
        plugins: plugin.jars,
        apocSettings: { ...APOC_CONF },
        settings: { ...APOC_SERVER_SETTINGS },
      });
      apocVersion = await checkApoc(server);
      apoc = {
        version: apocVersion,
        importDir: join(server.home!, "import"),
      };
    } catch (error) {
      apoc = { skipped: oneLine((error as Error)?.message ?? String(error)) };
      await server?.stop().catch(() => {});
      server = undefined;
    }
    if ("skipped" in apoc) log(`APOC skipped: ${apoc.skipped}`);
  }
  server ??= await Neo4jServer.start(base);
  const info = server.info;
  environment.versions["Neo4j"] = `${info.version} Community`;
  if (apocVersion) environment.versions["APOC Core"] = apocVersion;
  log(
    `Neo4j ${info.version} at ${info.uri}${
      apocVersion ? `, APOC ${apocVersion}` : ""
    }`,
  );
  driver = openDriver(info);
  return {
    driver,
    env: {
      NEO4J_URI: info.uri,
      NEO4J_USERNAME: info.username,
      NEO4J_PASSWORD: info.password,
    },
    rounds,
    repeatTimeouts: values["repeat-timeouts"] ?? false,
    keep: values.keep ?? false,
    command,
    environment,
    workDirs,
    apoc,
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(transactionLimit === undefined ? {} : {
      transactionLimit: {
        limit: transactionLimit,
        start: () => startLimitedServer(base, transactionLimit),
      },
    }),
    importVariants,
    extractVariants,
    ...(resumeCase ? { resumeCase } : {}),
    imports: !values["no-import"],
  };
}

/** APOC's version, from the server: fails when APOC did not load. */
async function checkApoc(started: Neo4jServer): Promise<string> {
  const probe = openDriver(started.info);
  try {
    const { records } = await probe.executeQuery(
      "RETURN apoc.version() AS version",
    );
    return String(records[0]!.get("version"));
  } catch (error) {
    throw new Error(
      `the server did not load it: ${(error as Error)?.message ?? error}`,
    );
  } finally {
    await probe.close();
  }
}

/** A second server, as the first but with a transaction memory limit (`db.memory.transaction.max`). */
async function startLimitedServer(
  base: Neo4jServerOptions,
  limit: string,
): Promise<OtherServer> {
  const other = await Neo4jServer.start({
    ...base,
    settings: { [transactionSetting(base.version)]: limit },
  });
  limitedServers.add(other);
  const info = other.info;
  const otherDriver = openDriver(info);
  return {
    driver: otherDriver,
    env: {
      NEO4J_URI: info.uri,
      NEO4J_USERNAME: info.username,
      NEO4J_PASSWORD: info.password,
    },
    stop: async () => {
      await otherDriver.close().catch(() => {});
      await other.stop().catch(() => {});
      limitedServers.delete(other);
    },
  };
}

/** The name of the transaction memory limit setting: `dbms.` on 4.4, `db.` from 5. */
function transactionSetting(version: string | undefined): string {
  const v = version ?? Deno.env.get("NEO4J_VERSION") ?? DEFAULT_NEO4J_VERSION;
  return v.startsWith("4.")
    ? "dbms.memory.transaction.max_size"
    : "db.memory.transaction.max";
}

/** A driver for the benchmark's own queries (counts, clean-ups), never for a measurement. */
function openDriver(info: Neo4jServer["info"]): Driver {
  return neo4j.driver(
    info.uri,
    neo4j.auth.basic(info.username, info.password),
    {
      useBigInt: true,
      logging: { level: "error", logger: () => {} },
    },
  );
}

/** Rewrites BENCHMARKS.md from bench/results/ (the sizes of --size, or all). */
async function reportOnly(): Promise<void> {
  let results = await readResults(resultsDir, []);
  if (values.size) {
    results = results.filter((r) => sizes.some((s) => s.name === r.size));
  }
  if (values.shape) {
    results = results.filter((r) => shapes.includes(shapeOf(r)));
  }
  if (results.length === 0) fail(`no results in ${resultsDir} to report`);
  await writeReport(results, reportPath, !values["no-report"]);
}

/** The command line's options; a usage error for one it does not take. */
function parseCommandLine(): ParsedOptions {
  try {
    return parseArgs({ args: Deno.args, options: OPTIONS });
  } catch (error) {
    return fail((error as Error).message.split("\n")[0]!);
  }
}

/**
 * The extract's variants of `--extract-variants`: the extra arguments of each but the default
 * (which is always measured), each once.
 */
function parseExtractVariants(list: string): string[][] {
  if (list.trim() === "none") return [];
  const variants: string[][] = [];
  for (const item of list.split(",").map((v) => v.trim()).filter(Boolean)) {
    const args = variantWords(item, "--extract-variants");
    if (args.length === 0) continue;
    if (!variants.some((v) => v.join(" ") === args.join(" "))) {
      variants.push(args);
    }
  }
  return variants;
}

/** An extract variant's extra arguments: `default` none, `jobs<n>` `-j <n>`, else its words. */
function variantWords(name: string, flag: string): string[] {
  if (name === "default") return [];
  const jobs = /^jobs(\d+)$/.exec(name);
  if (jobs) {
    const n = Number(jobs[1]);
    if (n < 1 || n > 64) fail(`${flag}: ${name}: --jobs takes 1 to 64`);
    return ["-j", String(n)];
  }
  if (name.startsWith("-")) return name.split(/\s+/).filter(Boolean);
  return fail(
    `${flag}: unknown variant "${name}": default, jobs<n> or extra arguments (starting with -)`,
  );
}

/** A command-line argument as a shell would need it to read it back (quoted when it must be). */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

function percentage(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 100) {
    fail(`${flag} must be a percentage above 0 and below 100`);
  }
  return n;
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer`);
  return n;
}

function nonNegativeNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    fail(`${flag} must be a number of milliseconds, or "none"`);
  }
  return n;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
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
  if (values["report-only"]) await reportOnly();
  else await run();
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
    log(`Done in ${formatSeconds(elapsedSeconds())}.`);
  }
}
