// deno-lint-ignore-file no-console
/**
 * Does `rowBatches()` (lib/extract/_row_stream.ts, built on neo4j-driver's internal
 * `Result._subscribe`) earn its place over the driver's public async iterator?
 *
 * ```sh
 * deno run -A bench/row_reader.ts [--nodes 100000] [--rounds 3] [--fetch-size 2000]
 * ```
 *
 * Loads the generated graph (dev/generate_graph.ts, twice as many relationships as nodes) into
 * the server in `NEO4J_URI` (or a local Neo4j Community it starts), then measures, interleaved
 * A B A B for each round:
 *
 * - `read`: the extractor's two queries read to the end, every row touched once, with
 *   `rowBatches(result, 2 * fetchSize)` (A) and with `for await (const record of result)` (B);
 * - `extract`: a whole `Extractor.extractData()` into a temporary folder, as it is (A), and with
 *   `_subscribe` hidden from `rowBatches()`, which then falls back to `for await` over the
 *   result (B: what the extract would do without the internal).
 *
 * Prints every measurement (wall time, and the CPU time of this process, which other load on
 * the machine disturbs less), then the medians and the ratios B / A.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import neo4j, { type Driver, type Result } from "neo4j-driver";
import { loadGeneratedGraph } from "../dev/generate_graph.ts";
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { rowBatches } from "../lib/extract/_row_stream.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { cleanDatabase } from "../lib/import/_clean.ts";
import { Target } from "../lib/import/_target.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    nodes: { type: "string", default: "100000" },
    rounds: { type: "string", default: "3" },
    "fetch-size": { type: "string", default: "2000" },
  },
});
const NODES = Number(args.nodes);
const ROUNDS = Number(args.rounds);
const FETCH_SIZE = Number(args["fetch-size"]);

/** The extractor's queries (lib/extract/extractor.ts). */
const QUERIES = [
  "MATCH (n) RETURN id(n) AS id, labels(n) AS labels, properties(n) AS props",
  "MATCH (a)-[r]->(b) RETURN id(r) AS id, type(r) AS type, id(a) AS start, id(b) AS end, properties(r) AS props",
];

let server: Neo4jServer | undefined;
let uri = Deno.env.get("NEO4J_URI");
let username = Deno.env.get("NEO4J_USERNAME") ?? "neo4j";
let password = Deno.env.get("NEO4J_PASSWORD") ?? "";
if (!uri) {
  server = await Neo4jServer.start({ onStatus: (m) => console.error(m) });
  ({ uri, username, password } = server.info);
  console.error(`Started Neo4j ${server.info.version} at ${uri}`);
}

/** Whether the sessions of `driver` hand out results whose `_subscribe` is hidden. */
let hideSubscribe = false;
const driver: Driver = neo4j.driver(uri, neo4j.auth.basic(username, password), {
  useBigInt: true,
  logging: { level: "error", logger: () => {} },
});
const session = driver.session.bind(driver);
driver.session = (...config: Parameters<Driver["session"]>) => {
  const opened = session(...config);
  const run = opened.run.bind(opened);
  opened.run = ((...query: Parameters<typeof run>) => {
    const result = run(...query);
    return hideSubscribe ? withoutSubscribe(result) : result;
  }) as typeof opened.run;
  return opened;
};

/** Async iterators opened on results with `_subscribe` hidden (to check the fallback ran). */
let iteratorsOpened = 0;

/** The result with `_subscribe` hidden from its users (the driver's own methods still use it). */
function withoutSubscribe(result: Result): Result {
  return new Proxy(result, {
    get(target, key): unknown {
      if (key === "_subscribe") return undefined;
      if (key === Symbol.asyncIterator) iteratorsOpened++;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Reads both queries to the end, touching every row; returns the rows read. */
async function read(mode: "subscribe" | "iterator"): Promise<number> {
  let rows = 0;
  let touched = 0;
  for (const query of QUERIES) {
    await using s = driver.session({
      defaultAccessMode: neo4j.session.READ,
      fetchSize: FETCH_SIZE,
    });
    const result = s.run(query);
    if (mode === "subscribe") {
      for await (const batch of rowBatches(result, 2 * FETCH_SIZE)) {
        for (const record of batch) if (record.get(0) !== undefined) touched++;
        rows += batch.length;
      }
    } else {
      for await (const record of result) {
        if (record.get(0) !== undefined) touched++;
        rows++;
      }
    }
  }
  if (touched !== rows) throw new Error(`${rows} rows, ${touched} touched`);
  return rows;
}

/** One whole extract; returns the records written. */
async function extract(mode: "subscribe" | "iterator"): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "row_reader_" });
  hideSubscribe = mode === "iterator";
  const opened = iteratorsOpened;
  try {
    const counts = await new Extractor({
      projectDir: dir,
      driver,
      inputYes: true,
      fetchSize: FETCH_SIZE,
    }).extractData();
    // Both streams must have gone through the driver's async iterator in mode B, neither in A.
    const iterated = iteratorsOpened - opened;
    if (iterated !== (hideSubscribe ? QUERIES.length : 0)) {
      throw new Error(`${mode}: ${iterated} async iterators opened`);
    }
    return counts.nodes + counts.relationships;
  } finally {
    hideSubscribe = false;
    await Deno.remove(dir, { recursive: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

try {
  const { records } = await driver.executeQuery(
    "MATCH (n) RETURN count(n) AS n",
  );
  if (Number(records[0]!.get("n")) !== NODES) {
    console.error(`Loading the generated graph of ${NODES} nodes...`);
    await cleanDatabase(new Target(driver, undefined, undefined), 10_000);
    const started = performance.now();
    const loaded = await loadGeneratedGraph(driver, { nodes: NODES });
    console.error(
      `Loaded ${loaded.nodes} nodes, ${loaded.relationships} relationships in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`,
    );
  }
  const work = { read, extract } as const;
  const modes = ["subscribe", "iterator"] as const;
  const seconds: Record<string, number[]> = {};
  let expected: number | undefined;
  // A warm-up of each, not counted.
  for (const kind of ["read", "extract"] as const) {
    for (const mode of modes) expected = await work[kind](mode);
  }
  const cpu: Record<string, number[]> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of ["read", "extract"] as const) {
      for (const mode of modes) {
        const started = performance.now();
        const cpuBefore = cpuUsage();
        const rows = await work[kind](mode);
        const used = cpuUsage(cpuBefore);
        const s = (performance.now() - started) / 1000;
        const c = (used.user + used.system) / 1e6;
        if (rows !== expected) throw new Error(`${kind} ${mode}: ${rows} rows`);
        (seconds[`${kind} ${mode}`] ??= []).push(s);
        (cpu[`${kind} ${mode}`] ??= []).push(c);
        console.log(
          `round ${round} ${kind.padEnd(7)} ${mode.padEnd(9)} ${
            s.toFixed(3)
          } s wall (${Math.round(rows / s)} rows/s), ${
            c.toFixed(3)
          } s CPU of this process`,
        );
      }
    }
  }
  console.log(
    `\n${expected} records (${NODES} nodes), fetch size ${FETCH_SIZE}, ${ROUNDS} rounds, medians:`,
  );
  for (const kind of ["read", "extract"] as const) {
    for (const [what, table] of [["wall", seconds], ["CPU", cpu]] as const) {
      const a = median(table[`${kind} subscribe`]!);
      const b = median(table[`${kind} iterator`]!);
      console.log(
        `${kind.padEnd(7)} ${what.padEnd(4)} rowBatches/_subscribe ${
          a.toFixed(3)
        } s, for await ${b.toFixed(3)} s, for await / _subscribe = ${
          (b / a).toFixed(2)
        }`,
      );
    }
  }
} finally {
  await driver.close();
  await server?.stop();
}
