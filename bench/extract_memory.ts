// deno-lint-ignore-file no-console
/**
 * The extract's peak memory on graphs of wide records: starts a Neo4j of its own per shape, loads
 * the graph, runs this tool's extract (`cli.ts extract`, in a child process of its own:
 * `bench/measure.ts tool-extract`) and prints its peak RSS (VmHWM) and time.
 *
 * ```sh
 * deno run -A bench/extract_memory.ts [--nodes N] [--shapes production,wide] [--runs R]
 *   [--cache DIR] [--extract-args "-j 1 ..."]
 * ```
 *
 * Shapes: `production` (dev/generate_graph.ts's production shape, `--nodes` nodes, 40,000 by
 * default: embeddings, a node with 3,000 properties, a 5 MB string, 200,000 integers, a dense
 * hub), `wide` (a graph of wide records alone, the same size whatever `--nodes`: 4,000 nodes with
 * a 768-dimension embedding, 200 nodes with 3,000 properties, 4 nodes with a 5 MB string, 4 with a
 * list of 200,000 integers, and 4,000 relationships between them) and `benchmark` (the benchmark
 * shape, `--nodes` nodes). With `--cache DIR`, each shape's server keeps its database in
 * `DIR/<shape>-<nodes>` and a later run with the same arguments skips the load.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import neo4j, { type Driver } from "neo4j-driver";
import {
  EMBEDDING_DIMENSIONS,
  type GraphShape,
  loadGeneratedGraph,
  random,
} from "../dev/generate_graph.ts";
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { runChild } from "./_child.ts";

type Shape = GraphShape | "wide";

const WIDE = {
  embedded: 4_000,
  wideNodes: 200,
  wideProperties: 3_000,
  longStrings: 4,
  longStringCharacters: 5 * 2 ** 20,
  longLists: 4,
  longListIntegers: 200_000,
  relationships: 4_000,
};

/** Loads the `wide` graph: nothing but wide records. */
async function loadWideGraph(driver: Driver): Promise<number> {
  const next = random(7);
  let nodes = 0;
  const send = async (label: string, rows: unknown[]): Promise<void> => {
    await driver.executeQuery(
      `UNWIND $rows AS row CREATE (n:${label}) SET n = row`,
      { rows },
    );
    nodes += rows.length;
  };
  let batch: Record<string, unknown>[] = [];
  for (let i = 0; i < WIDE.embedded; i++) {
    const embedding = new Array<number>(EMBEDDING_DIMENSIONS);
    for (let d = 0; d < EMBEDDING_DIMENSIONS; d++) {
      embedding[d] = Math.fround(next() * 2 - 1);
    }
    batch.push({ uid: neo4j.int(nodes + batch.length), embedding });
    if (batch.length === 500) {
      await send("Chunk", batch);
      batch = [];
    }
  }
  if (batch.length > 0) await send("Chunk", batch);
  batch = [];
  for (let i = 0; i < WIDE.wideNodes; i++) {
    const properties: Record<string, unknown> = {
      uid: neo4j.int(nodes + batch.length),
    };
    for (let p = 0; p < WIDE.wideProperties; p++) {
      properties[`attr${String(p).padStart(4, "0")}`] = p % 3 === 0
        ? neo4j.int(Math.floor(next() * 1e9))
        : p % 3 === 1
        ? `word ${p} ${Math.floor(next() * 1e6)}`
        : next();
    }
    batch.push(properties);
    if (batch.length === 20) {
      await send("Wide", batch);
      batch = [];
    }
  }
  if (batch.length > 0) await send("Wide", batch);
  const words = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    .split(" ");
  for (let i = 0; i < WIDE.longStrings; i++) {
    const parts: string[] = [];
    let length = 0;
    while (length < WIDE.longStringCharacters) {
      const word = words[Math.floor(next() * words.length)]!;
      parts.push(word);
      length += word.length + 1;
    }
    await send("Document", [{
      uid: neo4j.int(nodes),
      body: parts.join(" ").slice(0, WIDE.longStringCharacters),
    }]);
  }
  for (let i = 0; i < WIDE.longLists; i++) {
    await send("Series", [{
      uid: neo4j.int(nodes),
      values: Array.from(
        { length: WIDE.longListIntegers },
        () => neo4j.int(Math.floor(next() * 2 ** 40) - 2 ** 39),
      ),
    }]);
  }
  await driver.executeQuery(
    "MATCH (n) WITH collect(id(n)) AS ids UNWIND range(1, $count) AS i " +
      "WITH ids[i % size(ids)] AS a, ids[(i * 7919) % size(ids)] AS b " +
      "MATCH (x) WHERE id(x) = a MATCH (y) WHERE id(y) = b " +
      "CREATE (x)-[:NEAR {weight: rand(), tags: ['a', 'b']}]->(y)",
    { count: neo4j.int(WIDE.relationships) },
  );
  return nodes;
}

/** Loads a shape's graph unless the kept database already has it. */
async function load(
  server: Neo4jServer,
  shape: Shape,
  nodes: number,
): Promise<void> {
  const { uri, username, password } = server.info;
  const driver = neo4j.driver(uri, neo4j.auth.basic(username, password), {
    useBigInt: true,
    logging: { level: "error", logger: () => {} },
  });
  try {
    const { records } = await driver.executeQuery(
      "MATCH (n) RETURN count(n) AS c",
    );
    if (Number(records[0]!.get("c")) > 0) return;
    const started = performance.now();
    if (shape === "wide") await loadWideGraph(driver);
    else await loadGeneratedGraph(driver, { nodes, shape });
    console.error(
      `loaded ${shape} in ${
        ((performance.now() - started) / 1000).toFixed(1)
      }s`,
    );
  } finally {
    await driver.close();
  }
}

/** One extract in a child process: its peak RSS and time. */
async function extract(
  server: Neo4jServer,
  dir: string,
  extraArgs: string[],
): Promise<{ maxRssBytes: number; seconds: number; backupBytes: number }> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const { uri, username, password } = server.info;
  const outcome = await runChild(Deno.execPath(), [
    "run",
    "-A",
    "bench/measure.ts",
    "tool-extract",
    JSON.stringify({ dir, args: extraArgs }),
  ], {
    NEO4J_URI: uri,
    NEO4J_USERNAME: username,
    NEO4J_PASSWORD: password,
  });
  if (!outcome.result) throw new Error(outcome.error ?? "no result");
  let backupBytes = 0;
  for await (const entry of Deno.readDir(join(dir, "data"))) {
    backupBytes += (await Deno.stat(join(dir, "data", entry.name))).size;
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  return { ...outcome.result, backupBytes };
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    args: Deno.args,
    options: {
      nodes: { type: "string" },
      shapes: { type: "string", default: "production,wide" },
      runs: { type: "string", default: "1" },
      cache: { type: "string" },
      "extract-args": { type: "string", default: "" },
    },
  });
  const extractArgs = args["extract-args"]!.split(" ").filter(Boolean);
  const shapes = args.shapes!.split(",") as Shape[];
  const runs = Number(args.runs);
  const MiB = 2 ** 20;
  const work = await Deno.makeTempDir({ prefix: "extract-memory-" });
  try {
    for (const shape of shapes) {
      const nodes = Number(
        args.nodes ?? (shape === "benchmark" ? 100_000 : 40_000),
      );
      const home = args.cache
        ? join(args.cache, `${shape}-${shape === "wide" ? 0 : nodes}`)
        : undefined;
      if (home) await Deno.mkdir(home, { recursive: true });
      await using server = await Neo4jServer.start({
        ...(home ? { home, keepData: true } : {}),
        heap: "1g",
        pageCache: "512m",
      });
      await load(server, shape, nodes);
      for (let run = 0; run < runs; run++) {
        const r = await extract(server, join(work, "backup"), extractArgs);
        console.log(
          `${shape}${shape === "wide" ? "" : ` ${nodes} nodes`}: peak RSS ${
            (r.maxRssBytes / MiB).toFixed(0)
          } MiB, ${r.seconds.toFixed(1)} s, backup ${
            (r.backupBytes / MiB).toFixed(1)
          } MiB`,
        );
      }
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
