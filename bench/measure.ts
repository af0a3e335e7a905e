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
 * `tool-extract`, `tool-import` and `tool-verify` (this tool's command line, `cli.ts`, in this
 * process; the extract and the import with the extra arguments of `args`, the extract with
 * `--resume` when `resume` is set, and the import timing its check of the backup before it
 * writes), `unwind-import` (a hand-written batched `UNWIND` import of the generated
 * graph, in either shape: the ceiling for import over Cypher), `apoc-export` and `apoc-import`
 * (`apoc.export.json.all` to, and `apoc.import.json` from, a file in the server's import folder,
 * timed from here). The server is the one in `NEO4J_URI`, `NEO4J_USERNAME`, `NEO4J_PASSWORD`.
 *
 * The first line printed is `BENCH-START`, as the measured work starts (a parent that kills the
 * process times the work from it). The last line printed is `BENCH-RESULT {"seconds":..,"records":..,"maxRssBytes":..}`: the time
 * of the measured work alone (not of starting Deno), and the process's peak RSS (VmHWM); or, when
 * the work failed, `BENCH-ERROR <one line>` (and the exit status is 1).
 *
 * @module
 */
import neo4j, { type Driver, type Session } from "neo4j-driver";
import { escapeName, labelExpression } from "../lib/_cypher.ts";
import type { Terminal } from "../cli.ts";
import {
  createGeneratedSchema,
  generateNodes,
  generateRelationships,
  type GraphShape,
  roughBytes,
} from "../dev/generate_graph.ts";

/** What a measurement prints, after `BENCH-RESULT `. */
export interface MeasureResult {
  /** Seconds of the measured work. */
  seconds: number;
  /** Records (nodes + relationships) the work read or wrote; undefined when unknown. */
  records?: number;
  /** Peak resident set size of this process, in bytes. */
  maxRssBytes: number;
  /**
   * tool-import: seconds from the start of the command to the end of its check of the backup,
   * before it writes (connecting and the look at the target included).
   */
  checkSeconds?: number;
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
  /** Shape of the generated graph (unwind-import). */
  shape?: GraphShape;
  /** More command-line arguments (tool-import, tool-extract), e.g. `["--jobs", "2"]`. */
  args?: string[];
  /** tool-extract: go on with the extract in `dir` (`--resume`) instead of starting over. */
  resume?: boolean;
  /** The file, in the server's import folder (apoc-export, apoc-import). */
  file?: string;
  /** The labels that get the uniqueness constraint `apoc.import.json` needs (apoc-import). */
  labels?: string[];
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
  const graph = {
    nodes: options.nodes ?? 0,
    seed: options.seed ?? 42,
    ...(options.shape ? { shape: options.shape } : {}),
  };
  const batchSize = options.batchSize ?? 10_000;
  // Hundreds of label sets and types, and records of kilobytes to megabytes: the groups are
  // also cut by size, and sent all at once before they pile up (the benchmark shape as ever).
  const limits = graph.shape === "production"
    ? {
      bytes: 16 * 2 ** 20,
      size: (row: { props: unknown }) => roughBytes(row.props),
    }
    : undefined;
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
      limits,
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
      limits,
    );
    // The schema that is part of the graph (the production shape's vector index), online.
    await createGeneratedSchema(driver, graph);
    return nodes + relationships;
  } finally {
    await driver.close();
  }
}

/**
 * Groups the items of `batches` by a key (`row` gives an item's key and row) and sends a group
 * with `send` as soon as it holds `batchSize` rows, then every group left; returns the rows sent.
 * With `limits`, a group is also sent once it holds `limits.bytes` (by `limits.size`), every
 * group once they hold four times `batchSize` rows or `limits.bytes` together, and a row of a
 * sixteenth of `limits.bytes` or more alone.
 */
async function inGroups<T, R>(
  batches: Iterable<T[]>,
  batchSize: number,
  row: (item: T) => [string, R],
  send: (key: string, rows: R[]) => Promise<void>,
  limits?: { bytes: number; size: (row: R) => number },
): Promise<number> {
  const groups = new Map<string, R[]>();
  const groupBytes = new Map<string, number>();
  let sent = 0;
  let heldRows = 0;
  let heldBytes = 0;
  const flush = async (key: string): Promise<void> => {
    const rows = groups.get(key);
    if (!rows || rows.length === 0) return;
    groups.delete(key);
    heldRows -= rows.length;
    heldBytes -= groupBytes.get(key) ?? 0;
    groupBytes.delete(key);
    await send(key, rows);
    sent += rows.length;
  };
  for (const batch of batches) {
    for (const item of batch) {
      const [key, r] = row(item);
      let rows = groups.get(key);
      if (!rows) groups.set(key, rows = []);
      rows.push(r);
      if (!limits) {
        if (rows.length >= batchSize) await flush(key);
        continue;
      }
      const bytes = limits.size(r);
      if (bytes >= limits.bytes / 16) {
        // A huge record goes alone: in a message with many others, neo4j-driver slows down.
        rows.pop();
        if (rows.length === 0) groups.delete(key);
        await send(key, [r]);
        sent++;
        continue;
      }
      const inGroup = (groupBytes.get(key) ?? 0) + bytes;
      groupBytes.set(key, inGroup);
      heldRows++;
      heldBytes += bytes;
      if (rows.length >= batchSize || inGroup >= limits.bytes) await flush(key);
      if (heldRows >= 4 * batchSize || heldBytes >= 4 * limits.bytes) {
        for (const k of [...groups.keys()]) await flush(k);
      }
    }
  }
  for (const key of [...groups.keys()]) await flush(key);
  return sent;
}

/**
 * This tool's command line, in this process; fails unless it exits 0, with the first line it
 * wrote on stderr. Returns the times of its progress updates: each phase's first and last,
 * in seconds from the start of the command.
 */
async function tool(args: string[]): Promise<Map<string, [number, number]>> {
  // Loaded here, so that the other measurements' RSS does not include the tool's modules.
  const { main } = await import("../cli.ts");
  const { processTerminal } = await import("../lib/cli/_terminal.ts");
  const phases = await watchPhases();
  const started = performance.now();
  phases.started = started;
  const base = processTerminal();
  let stderr = "";
  const terminal: Terminal = {
    ...base,
    err: (text) => {
      stderr += text;
      base.err(text);
    },
  };
  const status = await main(args, terminal);
  if (status !== 0) {
    const first = stderr.split("\n").map((l) => l.trim()).find(Boolean);
    const shown = args.map((a, i) => i === 1 ? "<backup>" : a);
    throw new Error(
      `neo4j-backup ${shown.join(" ")} exited with ${status}${
        first ? `: ${first}` : ""
      }`,
    );
  }
  return phases.times;
}

/**
 * Records the time of every progress update of the command line (the updates reach its
 * progress display, quiet or not): each phase's first and last, from `started`.
 */
async function watchPhases(): Promise<
  { started: number; times: Map<string, [number, number]> }
> {
  const watch = { started: performance.now(), times: new Map() };
  try {
    const { ProgressDisplay } = await import("../lib/cli/_progress.ts");
    const update = ProgressDisplay.prototype.update;
    ProgressDisplay.prototype.update = function (
      this: InstanceType<typeof ProgressDisplay>,
      p: Parameters<typeof update>[0],
    ): void {
      const at = (performance.now() - watch.started) / 1000;
      const seen = watch.times.get(p.phase);
      if (seen) seen[1] = at;
      else watch.times.set(p.phase, [at, at]);
      update.call(this, p);
    };
  } catch {
    // No progress display to watch: no phase times.
  }
  return watch;
}

/**
 * Seconds from the start of an import to the end of its check of the backup (the last update of
 * its `checksums` and `verify` phases), when it reported them.
 */
function checkSeconds(
  phases: Map<string, [number, number]>,
): number | undefined {
  const ends = ["checksums", "verify"].map((p) => phases.get(p)?.[1])
    .filter((t) => t !== undefined);
  return ends.length > 0 ? Math.max(...ends) : undefined;
}

/** `apoc.export.json.all` into a file of the server's import folder; returns the records. */
async function apocExport(options: MeasureOptions): Promise<number> {
  const driver = openDriver();
  try {
    const { records } = await driver.executeQuery(
      "CALL apoc.export.json.all($file, {}) YIELD nodes, relationships RETURN nodes, relationships",
      { file: options.file! },
    );
    return Number(records[0]!.get("nodes")) +
      Number(records[0]!.get("relationships"));
  } finally {
    await driver.close();
  }
}

/**
 * `apoc.import.json` from a file of the server's import folder, into the (empty) database, after
 * the uniqueness constraint it needs on `neo4jImportId` for every label; returns the records.
 */
async function apocImport(options: MeasureOptions): Promise<number> {
  const driver = openDriver();
  try {
    for (const [i, label] of (options.labels ?? []).entries()) {
      await driver.executeQuery(
        `CREATE CONSTRAINT ${
          escapeName(`apoc_import_${i}`)
        } IF NOT EXISTS FOR (n:${
          escapeName(label)
        }) REQUIRE n.neo4jImportId IS UNIQUE`,
      );
    }
    const { records } = await driver.executeQuery(
      "CALL apoc.import.json($file) YIELD nodes, relationships RETURN nodes, relationships",
      { file: options.file! },
    );
    return Number(records[0]!.get("nodes")) +
      Number(records[0]!.get("relationships"));
  } finally {
    await driver.close();
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
  // The start of the measured work, for a parent that kills this process before it ends.
  console.log("BENCH-START");
  const started = performance.now();
  let records: number | undefined;
  let check: number | undefined;
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
      await tool([
        "extract",
        options.dir!,
        // --resume goes on with the backup in the folder; --yes would start it over.
        ...(options.resume ? ["--resume"] : ["--yes"]),
        "-q",
        ...(options.args ?? []),
      ]);
      break;
    case "tool-import":
      check = checkSeconds(
        await tool([
          "import",
          options.dir!,
          "--yes",
          "-q",
          ...(options.args ?? []),
        ]),
      );
      break;
    case "tool-verify":
      await tool(["verify", options.dir!, "-q"]);
      break;
    case "apoc-export":
      records = await apocExport(options);
      break;
    case "apoc-import":
      records = await apocImport(options);
      break;
    default:
      throw new Error(`unknown measurement kind "${kind}"`);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    ...(records === undefined ? {} : { records }),
    maxRssBytes: peakRss(),
    ...(check === undefined ? {} : { checkSeconds: check }),
  };
}

if (import.meta.main) {
  const [kind, json] = Deno.args;
  try {
    const result = await measure(kind ?? "", JSON.parse(json ?? "{}"));
    console.log(`BENCH-RESULT ${JSON.stringify(result)}`);
  } catch (error) {
    console.error((error as Error)?.stack ?? error);
    const message = (error as Error)?.message ?? String(error);
    console.log(`BENCH-ERROR ${message.replace(/\s+/g, " ").trim()}`);
    Deno.exit(1);
  }
}
