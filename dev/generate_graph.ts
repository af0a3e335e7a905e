/**
 * A deterministic generator of realistic graphs, for the tests and the benchmarks.
 *
 * Same seed and size, same graph: nodes carry one to three of six labels (some multi-label), 3 to
 * 15 properties of mixed types (strings of varied length, integers, floats, booleans, dates,
 * datetimes, points, lists); relationships of five types have a skewed degree distribution (a few
 * hub nodes take a large share) and 0 to 4 properties. Twice as many relationships as nodes.
 *
 * @module
 */
import neo4j, { type Driver } from "neo4j-driver";
import { labelExpression } from "../lib/_cypher.ts";

/** Options for {@linkcode generateGraph}. */
export interface GenerateGraphOptions {
  /** Nodes to create; relationships are twice as many. */
  nodes: number;
  /**
   * The seed; the same seed and size always give the same graph.
   * @default {42}
   */
  seed?: number;
  /**
   * Relationships per node.
   * @default {2}
   */
  relationshipsPerNode?: number;
}

/** A generated node: a dense `key` (0, 1, ...), labels and properties. */
export interface GeneratedNode {
  key: number;
  labels: string[];
  properties: Record<string, unknown>;
}

/** A generated relationship between node keys. */
export interface GeneratedRelationship {
  start: number;
  end: number;
  type: string;
  properties: Record<string, unknown>;
}

const LABELS = ["Person", "Company", "Product", "Review", "Place", "Tag"];
const TYPES = ["KNOWS", "WORKS_AT", "BOUGHT", "WROTE", "TAGGED"];
const WORDS = (
  "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho " +
  "sigma tau upsilon phi chi psi omega graph node edge backup restore cypher bolt"
).split(" ");

/**
 * mulberry32: a small, fast, seedable PRNG (the generator's, and the kill loop's, so that a
 * failing run can be repeated with its seed).
 */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The nodes of the graph, in key order, in batches. */
export function* generateNodes(
  options: GenerateGraphOptions,
  batchSize = 10_000,
): Generator<GeneratedNode[]> {
  const next = random(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T =>
    list[Math.floor(next() * list.length)]!;
  let batch: GeneratedNode[] = [];
  for (let key = 0; key < options.nodes; key++) {
    const labels = [LABELS[key % LABELS.length]!];
    if (next() < 0.15) labels.push(pick(LABELS.filter((l) => l !== labels[0])));
    if (next() < 0.03) labels.push("Archived");
    const properties: Record<string, unknown> = { uid: BigInt(key) };
    const count = 3 + Math.floor(next() * 13);
    for (let p = 1; p < count; p++) {
      const kind = Math.floor(next() * 10);
      const name = `${
        [
          "name",
          "score",
          "flag",
          "since",
          "at",
          "loc",
          "tags",
          "note",
          "n",
          "ratio",
        ][kind]
      }${p}`;
      switch (kind) {
        case 0:
          properties[name] = `${pick(WORDS)} ${pick(WORDS)} ${key}`;
          break;
        case 1:
          properties[name] = Math.round(next() * 1e6) / 100;
          break;
        case 2:
          properties[name] = next() < 0.5;
          break;
        case 3:
          properties[name] = new neo4j.types.Date(
            1950 + Math.floor(next() * 75),
            1 + Math.floor(next() * 12),
            1 + Math.floor(next() * 28),
          );
          break;
        case 4:
          properties[name] = new neo4j.types.DateTime(
            2000 + Math.floor(next() * 25),
            1 + Math.floor(next() * 12),
            1 + Math.floor(next() * 28),
            Math.floor(next() * 24),
            Math.floor(next() * 60),
            Math.floor(next() * 60),
            Math.floor(next() * 1e9),
            3600 * Math.floor(next() * 5 - 2),
          );
          break;
        case 5:
          properties[name] = new neo4j.types.Point(
            4326,
            next() * 360 - 180,
            next() * 180 - 90,
          );
          break;
        case 6:
          properties[name] = Array.from(
            { length: 1 + Math.floor(next() * 4) },
            () => pick(WORDS),
          );
          break;
        case 7:
          properties[name] = Array.from(
            { length: Math.floor(next() * 40) },
            () => pick(WORDS),
          ).join(" ");
          break;
        case 8:
          properties[name] = BigInt(Math.floor(next() * 2 ** 40)) - 2n ** 39n;
          break;
        default:
          properties[name] = next();
      }
    }
    batch.push({ key, labels, properties });
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The relationships of the graph, in batches; endpoints skew towards a few hub nodes. */
export function* generateRelationships(
  options: GenerateGraphOptions,
  batchSize = 10_000,
): Generator<GeneratedRelationship[]> {
  const next = random((options.seed ?? 42) ^ 0x5bd1e995);
  const n = options.nodes;
  const total = Math.round(n * (options.relationshipsPerNode ?? 2));
  // A power law: hub = floor(n * u^4) sends most picks to the first keys.
  const endpoint = (): number => Math.min(n - 1, Math.floor(n * next() ** 4));
  let batch: GeneratedRelationship[] = [];
  for (let i = 0; i < total && n > 0; i++) {
    const start = next() < 0.5 ? endpoint() : Math.floor(next() * n);
    const end = next() < 0.5 ? endpoint() : Math.floor(next() * n);
    const type = TYPES[Math.floor(next() * TYPES.length)]!;
    const properties: Record<string, unknown> = {};
    const count = Math.floor(next() * 5);
    if (count > 0) properties.weight = next();
    if (count > 1) properties.since = BigInt(1990 + Math.floor(next() * 35));
    if (count > 2) properties.note = `${WORDS[i % WORDS.length]} ${i}`;
    if (count > 3) properties.active = next() < 0.5;
    batch.push({ start, end, type, properties });
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Loads the generated graph into an (empty) database with batched `UNWIND` queries: what a
 * careful hand-written import looks like. Nodes get a temporary `uid` index for the
 * relationships' endpoint lookups (dropped afterwards; `uid` stays a property).
 */
export async function loadGeneratedGraph(
  driver: Driver,
  options: GenerateGraphOptions & { database?: string; batchSize?: number },
): Promise<{ nodes: number; relationships: number }> {
  const config = { database: options.database };
  const batchSize = options.batchSize ?? 10_000;
  let nodes = 0;
  let relationships = 0;
  for (const batch of generateNodes(options, batchSize)) {
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const node of batch) {
      const key = labelExpression(node.labels);
      let rows = groups.get(key);
      if (!rows) groups.set(key, rows = []);
      rows.push(node.properties);
    }
    for (const [labels, rows] of groups) {
      await driver.executeQuery(
        `UNWIND $rows AS row CREATE (n${labels}) SET n = row`,
        { rows },
        config,
      );
    }
    nodes += batch.length;
  }
  const indexes = LABELS.map((l) => `generated_uid_${l}`);
  for (const [i, label] of LABELS.entries()) {
    await driver.executeQuery(
      `CREATE INDEX ${indexes[i]} IF NOT EXISTS FOR (n:${label}) ON (n.uid)`,
      {},
      config,
    );
  }
  await driver.executeQuery("CALL db.awaitIndexes(600)", {}, config);
  for (const batch of generateRelationships(options, batchSize)) {
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const rel of batch) {
      let rows = groups.get(rel.type);
      if (!rows) groups.set(rel.type, rows = []);
      rows.push({
        s: BigInt(rel.start),
        sl: LABELS[rel.start % LABELS.length],
        e: BigInt(rel.end),
        el: LABELS[rel.end % LABELS.length],
        p: rel.properties,
      });
    }
    for (const [type, rows] of groups) {
      // Endpoints by label and uid, through the index of the node's first label.
      const byLabel = new Map<string, Record<string, unknown>[]>();
      for (const row of rows) {
        const key = `${row.sl}|${row.el}`;
        let list = byLabel.get(key);
        if (!list) byLabel.set(key, list = []);
        list.push(row);
      }
      for (const [key, list] of byLabel) {
        const [sl, el] = key.split("|");
        await driver.executeQuery(
          `UNWIND $rows AS row MATCH (a:${sl} {uid: row.s}) MATCH (b:${el} {uid: row.e}) CREATE (a)-[r:${type}]->(b) SET r = row.p`,
          { rows: list },
          config,
        );
      }
    }
    relationships += batch.length;
  }
  for (const name of indexes) {
    await driver.executeQuery(`DROP INDEX ${name} IF EXISTS`, {}, config);
  }
  return { nodes, relationships };
}
