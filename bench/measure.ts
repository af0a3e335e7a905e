// deno-lint-ignore-file no-console
/**
 * One measurement of the benchmarks, run by `bench/bench.ts` in a process of its own so that its
 * peak RSS is its own:
 *
 * ```sh
 * deno run -A bench/measure.ts <kind> '<json options>'
 * ```
 *
 * Kinds: `driver-iterate` and `driver-subscribe` (a bare neo4j-driver loop that streams every
 * node and relationship and discards them: the ceiling for extraction over Bolt),
 * `tool-extract` and `tool-import` (this tool's command line, `cli.ts`, in this process),
 * `unwind-import` (a hand-written batched `UNWIND` import of the generated graph: the ceiling for
 * import over Cypher). The server is the one in `NEO4J_URI`, `NEO4J_USERNAME`, `NEO4J_PASSWORD`.
 *
 * The last line printed is `BENCH-RESULT {"seconds":..,"records":..,"maxRssBytes":..}`: the time
 * of the measured work alone (not of starting Deno), and the process's peak RSS (VmHWM).
 *
 * @module
 */
import neo4j, { type Driver, type Session } from "neo4j-driver";
import { escapeName, labelExpression } from "../lib/_cypher.ts";

import { generateNodes, generateRelationships } from "../dev/generate_graph.ts";

/** What a measurement prints, after `BENCH-RESULT `. */
export interface MeasureResult {
  /** Seconds of the measured work. */
  seconds: number;
  /** Records (nodes + relationships) the work read or wrote; undefined when unknown. */
  records?: number;
  /** Peak resident set size of this process, in bytes. */
  maxRssBytes: number;
}

/** Options of a measurement. */
export interface MeasureOptions {
  /** The backup folder (tool-extract, tool-import). */
  dir?: string;
  /** Generated graph size (unwind-import). */
  nodes?: number;
  /** Generator seed (unwind-import). */
  seed?: number;
  /** Rows per transaction (unwind-import). */
  batchSize?: number;
}

/** The driver settings of the bare loops: as the tool's own. */
function openDriver(): Driver {
  return neo4j.driver(
    Deno.env.get("NEO4J_URI")!,
    neo4j.auth.basic(
      Deno.env.get("NEO4J_USERNAME") ?? "neo4j",
      Deno.env.get("NEO4J_PASSWORD") ?? "",
    ),
    {
      useBigInt: true,
      fetchSize: 10_000,
      logging: { level: "error", logger: () => {} },
    },
  );
}

const NODES_QUERY = "MATCH (n) RETURN id(n), labels(n), properties(n)";
const RELATIONSHIPS_QUERY =
  "MATCH (a)-[r]->(b) RETURN id(r), type(r), id(a), id(b), properties(r)";

/**
 * Runs the node query, then the relationship query, each in a read session of its own; `stream`
 * consumes a query's records and returns how many it saw.
 */
async function readAll(
  stream: (session: Session, query: string) => Promise<number>,
): Promise<number> {
  const driver = openDriver();
  let records = 0;
  try {
    for (const query of [NODES_QUERY, RELATIONSHIPS_QUERY]) {
      const session = driver.session({
        defaultAccessMode: neo4j.session.READ,
        fetchSize: 10_000,
      });
      try {
        records += await stream(session, query);
      } finally {
        await session.close();
      }
    }
  } finally {
    await driver.close();
  }
  return records;
}

/** Streams every node and relationship with `for await` over the result, discarding them. */
function driverIterate(): Promise<number> {
  return readAll(async (session, query) => {
    let records = 0;
    for await (const _record of session.run(query)) records++;
    return records;
  });
}

/** Streams every node and relationship with `result.subscribe({onNext})`, discarding them. */
function driverSubscribe(): Promise<number> {
  return readAll((session, query) =>
    new Promise<number>((resolve, reject) => {
      let records = 0;
      session.run(query).subscribe({
        onNext: () => {
          records++;
        },
        onCompleted: () => resolve(records),
        onError: reject,
      });
    })
  );
}

/**
 * The hand-written import: nodes with `UNWIND ... CREATE ... RETURN row.key, id(n)` grouped by
 * label set, keeping key -> new id in a Map; then relationships matched by id, grouped by type.
 */
async function unwindImport(options: MeasureOptions): Promise<number> {
  const graph = { nodes: options.nodes ?? 0, seed: options.seed ?? 42 };
  const batchSize = options.batchSize ?? 10_000;
  const driver = openDriver();
  const ids = new Map<number, bigint>();
  const config = { routing: neo4j.routing.WRITE };
  try {
    const nodes = await inGroups(
      generateNodes(graph, batchSize),
      batchSize,
      (node) => [
        labelExpression(node.labels),
        { key: BigInt(node.key), props: node.properties },
      ],
      async (labels, rows) => {
        const { records } = await driver.executeQuery(
          `UNWIND $rows AS row CREATE (n${labels}) SET n = row.props RETURN row.key AS key, id(n) AS id`,
          { rows },
          config,
        );
        for (const record of records) {
          ids.set(Number(record.get("key")), record.get("id") as bigint);
        }
      },
    );
    const relationships = await inGroups(
      generateRelationships(graph, batchSize),
      batchSize,
      (rel) => [
        rel.type,
        { s: ids.get(rel.start)!, e: ids.get(rel.end)!, props: rel.properties },
      ],
      async (type, rows) => {
        await driver.executeQuery(
          `UNWIND $rows AS row MATCH (a) WHERE id(a) = row.s MATCH (b) WHERE id(b) = row.e CREATE (a)-[r:${
            escapeName(type)
          }]->(b) SET r = row.props`,
          { rows },
          config,
        );
      },
    );
    return nodes + relationships;
  } finally {
    await driver.close();
  }
}

/**
 * Groups the items of `batches` by a key (`row` gives an item's key and row) and sends a group
 * with `send` as soon as it holds `batchSize` rows, then every group left; returns the rows sent.
 */
async function inGroups<T, R>(
  batches: Iterable<T[]>,
  batchSize: number,
  row: (item: T) => [string, R],
  send: (key: string, rows: R[]) => Promise<void>,
): Promise<number> {
  const groups = new Map<string, R[]>();
  let sent = 0;
  const flush = async (key: string): Promise<void> => {
    const rows = groups.get(key);
    if (!rows || rows.length === 0) return;
    groups.delete(key);
    await send(key, rows);
    sent += rows.length;
  };
  for (const batch of batches) {
    for (const item of batch) {
      const [key, r] = row(item);
      let rows = groups.get(key);
      if (!rows) groups.set(key, rows = []);
      rows.push(r);
      if (rows.length >= batchSize) await flush(key);
    }
  }
  for (const key of [...groups.keys()]) await flush(key);
  return sent;
}

/** This tool's command line, in this process; fails unless it exits 0. */
async function tool(args: string[]): Promise<void> {
  // Loaded here, so that the other measurements' RSS does not include the tool's modules.
  const { main } = await import("../cli.ts");
  const status = await main(args);
  if (status !== 0) {
    throw new Error(`neo4j-backup ${args.join(" ")} exited with ${status}`);
  }
}

/**
 * Peak RSS (VmHWM) of a process, this one by default, in bytes: 0 when /proc does not say;
 * throws when it cannot be read.
 */
export function peakRss(pid: number | "self" = "self"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

async function measure(
  kind: string,
  options: MeasureOptions,
): Promise<MeasureResult> {
  const started = performance.now();
  let records: number | undefined;
  switch (kind) {
    case "driver-iterate":
      records = await driverIterate();
      break;
    case "driver-subscribe":
      records = await driverSubscribe();
      break;
    case "unwind-import":
      records = await unwindImport(options);
      break;
    case "tool-extract":
      await tool(["extract", options.dir!, "--yes", "-q"]);
      break;
    case "tool-import":
      await tool(["import", options.dir!, "--yes", "-q"]);
      break;
    default:
      throw new Error(`unknown measurement kind "${kind}"`);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    ...(records === undefined ? {} : { records }),
    maxRssBytes: peakRss(),
  };
}

if (import.meta.main) {
  const [kind, json] = Deno.args;
  const result = await measure(kind ?? "", JSON.parse(json ?? "{}"));
  console.log(`BENCH-RESULT ${JSON.stringify(result)}`);
}
