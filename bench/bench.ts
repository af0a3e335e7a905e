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
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { ensurePythonTool } from "../dev/python_tool.ts";
import { killRunningChild } from "./_child.ts";
import { describeEnvironment } from "./_environment.ts";
import { elapsedSeconds, formatSeconds, log } from "./_format.ts";
import { writeReport } from "./_report.ts";
import { readResults, type SizeResult } from "./_results.ts";
import { type BenchSettings, benchSize } from "./_size.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, "results");
const REPORT = join(dirname(BENCH_DIR), "BENCHMARKS.md");

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
const command = ["deno task bench", ...Deno.args].join(" ");

let server: Neo4jServer | undefined;
let driver: Driver | undefined;
const workDirs: string[] = [];
let interrupted = false;

async function shutdown(): Promise<void> {
  killRunningChild();
  await driver?.close().catch(() => {});
  await server?.stop().catch(() => {});
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
  await Deno.mkdir(RESULTS_DIR, { recursive: true });
  const results: SizeResult[] = [];
  for (const size of sizes) {
    const result = await benchSize(
      settings,
      size.name,
      size.nodes,
      pythonSizes.includes(size) ? python : undefined,
      timeLimitFor(size.nodes),
    );
    results.push(result);
    await Deno.writeTextFile(
      join(RESULTS_DIR, `${size.name}.json`),
      JSON.stringify(result, null, 2) + "\n",
    );
    log(`Wrote ${join("bench", "results", `${size.name}.json`)}`);
  }
  if (values.merge) results.push(...await readResults(RESULTS_DIR, results));
  await writeReport(results, REPORT, !values["no-report"]);
}

/** Starts the Neo4j server of the run and opens the driver; what every size shares. */
async function startServer(environment: BenchSettings["environment"]): Promise<
  BenchSettings
> {
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
  };
}

/** Rewrites BENCHMARKS.md from bench/results/ (the sizes of --size, or all). */
async function reportOnly(): Promise<void> {
  let results = await readResults(RESULTS_DIR, []);
  if (values.size) {
    results = results.filter((r) => sizes.some((s) => s.name === r.size));
  }
  if (results.length === 0) fail("no results in bench/results/ to report");
  await writeReport(results, REPORT, !values["no-report"]);
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
