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
import neo4j, { type Driver } from "neo4j-driver";

import {
  type GeneratedNode,
  generateNodes,
  generateRelationships,
} from "../dev/generate_graph.ts";

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

/** Streams every node and relationship with `for await` over the result, discarding them. */
async function driverIterate(): Promise<number> {
  const driver = openDriver();
  let records = 0;
  try {
    for (const query of [NODES_QUERY, RELATIONSHIPS_QUERY]) {
      const session = driver.session({
        defaultAccessMode: neo4j.session.READ,
        fetchSize: 10_000,
      });
      try {
        for await (const _record of session.run(query)) records++;
      } finally {
        await session.close();
      }
    }
  } finally {
    await driver.close();
  }
  return records;
}

/** Streams every node and relationship with `result.subscribe({onNext})`, discarding them. */
async function driverSubscribe(): Promise<number> {
  const driver = openDriver();
  let records = 0;
  try {
    for (const query of [NODES_QUERY, RELATIONSHIPS_QUERY]) {
      const session = driver.session({
        defaultAccessMode: neo4j.session.READ,
        fetchSize: 10_000,
      });
      try {
        await new Promise<void>((resolve, reject) => {
          session.run(query).subscribe({
            onNext: () => {
              records++;
            },
            onCompleted: () => resolve(),
            onError: reject,
          });
        });
      } finally {
        await session.close();
      }
    }
  } finally {
    await driver.close();
  }
  return records;
}

/** A name in backticks, backticks doubled. */
function escapeName(name: string): string {
  return "`" + name.replaceAll("`", "``") + "`";
}

/**
 * The hand-written import: nodes with `UNWIND ... CREATE ... RETURN row.key, id(n)` grouped by
 * label set, keeping key -> new id in a Map; then relationships matched by id, grouped by type.
 */
async function unwindImport(options: MeasureOptions): Promise<number> {
  const nodes = options.nodes ?? 0;
  const seed = options.seed ?? 42;
  const batchSize = options.batchSize ?? 10_000;
  const driver = openDriver();
  const ids = new Map<number, bigint>();
  let records = 0;
  const config = { routing: neo4j.routing.WRITE };
  try {
    const nodeGroups = new Map<
      string,
      { key: bigint; props: GeneratedNode["properties"] }[]
    >();
    const flushNodes = async (labels: string): Promise<void> => {
      const rows = nodeGroups.get(labels);
      if (!rows || rows.length === 0) return;
      nodeGroups.delete(labels);
      const { records: created } = await driver.executeQuery(
        `UNWIND $rows AS row CREATE (n:${labels}) SET n = row.props RETURN row.key AS key, id(n) AS id`,
        { rows },
        config,
      );
      for (const record of created) {
        ids.set(Number(record.get("key")), record.get("id") as bigint);
      }
      records += rows.length;
    };
    for (const batch of generateNodes({ nodes, seed }, batchSize)) {
      for (const node of batch) {
        const labels = node.labels.map(escapeName).join(":");
        let rows = nodeGroups.get(labels);
        if (!rows) nodeGroups.set(labels, rows = []);
        rows.push({ key: BigInt(node.key), props: node.properties });
        if (rows.length >= batchSize) await flushNodes(labels);
      }
    }
    for (const labels of [...nodeGroups.keys()]) await flushNodes(labels);

    const relGroups = new Map<
      string,
      { s: bigint; e: bigint; props: Record<string, unknown> }[]
    >();
    const flushRelationships = async (type: string): Promise<void> => {
      const rows = relGroups.get(type);
      if (!rows || rows.length === 0) return;
      relGroups.delete(type);
      await driver.executeQuery(
        `UNWIND $rows AS row MATCH (a) WHERE id(a) = row.s MATCH (b) WHERE id(b) = row.e CREATE (a)-[r:${
          escapeName(type)
        }]->(b) SET r = row.props`,
        { rows },
        config,
      );
      records += rows.length;
    };
    for (const batch of generateRelationships({ nodes, seed }, batchSize)) {
      for (const rel of batch) {
        let rows = relGroups.get(rel.type);
        if (!rows) relGroups.set(rel.type, rows = []);
        rows.push({
          s: ids.get(rel.start)!,
          e: ids.get(rel.end)!,
          props: rel.properties,
        });
        if (rows.length >= batchSize) await flushRelationships(rel.type);
      }
    }
    for (const type of [...relGroups.keys()]) await flushRelationships(type);
  } finally {
    await driver.close();
  }
  return records;
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

/** Peak RSS of this process (VmHWM), in bytes. */
export function peakRss(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
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
