/**
 * A deterministic generator of realistic graphs, for the tests and the benchmarks, in two shapes.
 *
 * Same seed, size and shape, same graph. The `benchmark` shape (the default): nodes carry one to
 * three of six labels (some multi-label), 3 to 15 properties of mixed types (strings of varied
 * length, integers, floats, booleans, dates, datetimes, points, lists); relationships of five
 * types have a skewed degree distribution (a few hub nodes take a large share) and 0 to 4
 * properties. Twice as many relationships as nodes.
 *
 * The `production` shape, the shape of a production graph: 300 label sets built from 60 labels
 * (a few that need quoting), 400 relationship types (1.35 relationships per node), a
 * 768-dimension float embedding on every node of a fifth of the label sets (with a vector index
 * on one label), a few huge records (a node with 3,000 properties, one with a 5 MB string, one
 * with a list of 200,000 integers) and a dense hub node that takes about 5% of the relationships.
 *
 * @module
 */
import neo4j, { type Driver } from "neo4j-driver";
import { escapeName, labelExpression } from "../lib/_cypher.ts";

/** The shapes of graph the generator makes. */
export type GraphShape = "benchmark" | "production";

/** Every shape, the default first. */
export const GRAPH_SHAPES: readonly GraphShape[] = ["benchmark", "production"];

/** Options for {@linkcode generateGraph}. */
export interface GenerateGraphOptions {
  /** Nodes to create; relationships are twice as many (1.35 times in the production shape). */
  nodes: number;
  /**
   * The seed; the same seed and size always give the same graph.
   * @default {42}
   */
  seed?: number;
  /**
   * Relationships per node.
   * @default {2 (1.35 in the production shape)}
   */
  relationshipsPerNode?: number;
  /**
   * The shape of the graph: `benchmark` (six labels, five types, mixed small properties) or
   * `production` (hundreds of label sets and types, embeddings, huge records, a dense hub).
   * @default {"benchmark"}
   */
  shape?: GraphShape;
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

/** The relationships the graph has. */
export function relationshipCount(options: GenerateGraphOptions): number {
  const perNode = options.relationshipsPerNode ??
    (options.shape === "production" ? PRODUCTION_RELATIONSHIPS_PER_NODE : 2);
  return options.nodes > 0 ? Math.round(options.nodes * perNode) : 0;
}

/** Every label that nodes of the graph may carry (some may carry none of a few). */
export function graphLabels(options: GenerateGraphOptions): string[] {
  return options.shape === "production"
    ? productionLabels()
    : [...LABELS, "Archived"];
}

/** The nodes of the graph, in key order, in batches. */
export function generateNodes(
  options: GenerateGraphOptions,
  batchSize = 10_000,
): Generator<GeneratedNode[]> {
  return options.shape === "production"
    ? productionNodes(options.nodes, options.seed ?? 42, batchSize)
    : benchmarkNodes(options, batchSize);
}

/** The nodes of the benchmark shape. */
function* benchmarkNodes(
  options: GenerateGraphOptions,
  batchSize: number,
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
export function generateRelationships(
  options: GenerateGraphOptions,
  batchSize = 10_000,
): Generator<GeneratedRelationship[]> {
  return options.shape === "production"
    ? productionRelationships(
      options.nodes,
      relationshipCount(options),
      options.seed ?? 42,
      batchSize,
    )
    : benchmarkRelationships(options, batchSize);
}

/** The relationships of the benchmark shape. */
function* benchmarkRelationships(
  options: GenerateGraphOptions,
  batchSize: number,
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

// ---------------------------------------------------------------------------------------------
// The production shape.

/** Dimensions of the production shape's embeddings. */
export const EMBEDDING_DIMENSIONS = 768;

/** The production shape's vector index: on every `Chunk` node's embedding. */
export const VECTOR_INDEX = {
  name: "generated_embedding",
  label: "Chunk",
  property: "embedding",
} as const;

const PRODUCTION_RELATIONSHIPS_PER_NODE = 1.35;

/** The kinds of entity: every label set has one of these first. */
const ENTITIES = [
  "Document",
  "Chunk",
  "Customer",
  "Account",
  "Order",
  "Invoice",
  "Product",
  "Supplier",
  "Shipment",
  "Warehouse",
  "Employee",
  "Department",
  "Ticket",
  "Incident",
  "Asset",
  "Device",
  "Event",
  "Session",
  "Policy",
  "Contract",
];
/** Entities whose nodes carry an embedding (a fifth of them, so a fifth of the label sets). */
const EMBEDDED = new Set(["Document", "Chunk", "Product", "Ticket"]);
/** Labels that qualify an entity: states, tenants, regions (some need quoting in Cypher). */
const QUALIFIERS = [
  "Active",
  "Inactive",
  "Verified",
  "Flagged",
  "Deleted",
  "Pending",
  "Approved",
  "Rejected",
  "Internal",
  "External",
  "Premium",
  "Trial",
  "Imported",
  "Synced",
  "Needs Review",
  "Legacy System",
  "PII",
  "GDPR",
  "Hot",
  "Cold",
  ...Array.from(
    { length: 14 },
    (_, i) => `Tenant${String(i + 1).padStart(2, "0")}`,
  ),
  "Region-eu-west-1",
  "Region-us-east-1",
  "Region-ap-south-1",
  "v2",
  "\u00c4\u00d6\u00dc Umlaut",
  "dot.ted",
];
const LABEL_SETS = 300;
const VERBS = [
  "HAS",
  "OWNS",
  "REFERS_TO",
  "MENTIONS",
  "PART_OF",
  "NEXT",
  "CREATED",
  "UPDATED",
  "ASSIGNED_TO",
  "DEPENDS_ON",
  "SHIPPED_TO",
  "BILLED_TO",
  "REPORTED",
  "RESOLVED",
  "LINKED_TO",
  "SIMILAR_TO",
  "CONTAINS",
  "APPROVED",
  "REVIEWED",
  "LOCATED_IN",
];
/** 400 types: every verb with every entity, `HAS_DOCUMENT`, `OWNS_CHUNK`, ... */
const PRODUCTION_TYPES = VERBS.flatMap((verb) =>
  ENTITIES.map((entity) => `${verb}_${entity.toUpperCase()}`)
);
const STATUSES = ["new", "open", "in progress", "done", "archived"];

/** The production shape's 60 labels. */
function productionLabels(): string[] {
  return [...ENTITIES, ...QUALIFIERS];
}

/** A label set of the production shape, and whether its nodes carry an embedding. */
interface LabelSet {
  labels: string[];
  embedded: boolean;
}

/**
 * The production shape's 300 label sets, from the seed: the 20 entities alone first, then each
 * entity (in turn) with one to three qualifiers, no set twice.
 */
function labelSets(seed: number): LabelSet[] {
  const next = random(seed ^ 0x1b873593);
  const sets: LabelSet[] = [];
  const seen = new Set<string>();
  for (let i = 0; sets.length < LABEL_SETS; i++) {
    const entity = ENTITIES[i % ENTITIES.length]!;
    const labels = [entity];
    if (i >= ENTITIES.length) {
      const count = 1 + Math.floor(next() ** 2 * 3);
      const picked = new Set<number>();
      while (picked.size < count) {
        picked.add(Math.floor(next() * QUALIFIERS.length));
      }
      for (const q of [...picked].sort((a, b) => a - b)) {
        labels.push(QUALIFIERS[q]!);
      }
    }
    const key = labels.join("\u0000");
    if (seen.has(key)) continue;
    seen.add(key);
    sets.push({ labels, embedded: EMBEDDED.has(entity) });
  }
  return sets;
}

/**
 * The huge records: the last three keys (the endpoints skew towards the first keys, so these
 * have few relationships), when there are more than three.
 */
function hugeKeys(
  nodes: number,
): { wide: number; longString: number; longList: number } {
  return nodes > 3
    ? { wide: nodes - 3, longString: nodes - 2, longList: nodes - 1 }
    : { wide: -1, longString: -1, longList: -1 };
}
const WIDE_PROPERTIES = 3_000;
const LONG_STRING_CHARACTERS = 5 * 2 ** 20;
const LONG_LIST_INTEGERS = 200_000;

/** The nodes of the production shape, in key order, in batches. */
function* productionNodes(
  nodes: number,
  seed: number,
  batchSize: number,
): Generator<GeneratedNode[]> {
  const sets = labelSets(seed);
  const next = random(seed ^ 0x27d4eb2f);
  const pick = <T>(list: readonly T[]): T =>
    list[Math.floor(next() * list.length)]!;
  const huge = hugeKeys(nodes);
  let batch: GeneratedNode[] = [];
  for (let key = 0; key < nodes; key++) {
    // Skewed: the first sets (the entities alone) are the most common.
    const set = sets[Math.floor(next() ** 2 * sets.length)]!;
    const properties: Record<string, unknown> = {
      uid: BigInt(key),
      name: `${pick(WORDS)} ${pick(WORDS)} ${key}`,
      status: pick(STATUSES),
      score: Math.round(next() * 1e6) / 100,
      active: next() < 0.8,
      updatedAt: new neo4j.types.DateTime(
        2015 + Math.floor(next() * 10),
        1 + Math.floor(next() * 12),
        1 + Math.floor(next() * 28),
        Math.floor(next() * 24),
        Math.floor(next() * 60),
        Math.floor(next() * 60),
        Math.floor(next() * 1e9),
        0,
      ),
    };
    let labels = set.labels;
    if (key === huge.wide || key === huge.longString || key === huge.longList) {
      labels = ["Document"];
      Object.assign(properties, hugeProperties(key, huge, next));
    } else if (set.embedded) {
      const embedding = new Array<number>(EMBEDDING_DIMENSIONS);
      // Float32 values, as an embedding model gives them.
      for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) {
        embedding[i] = Math.fround(next() * 2 - 1);
      }
      properties[VECTOR_INDEX.property] = embedding;
    }
    batch.push({ key, labels: [...labels], properties });
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The property of one of the huge records: 3,000 properties, a 5 MB string, 200,000 integers. */
function hugeProperties(
  key: number,
  huge: ReturnType<typeof hugeKeys>,
  next: () => number,
): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  if (key === huge.wide) {
    for (let i = 0; i < WIDE_PROPERTIES; i++) {
      const name = `attr${String(i).padStart(4, "0")}`;
      properties[name] = i % 3 === 0
        ? BigInt(Math.floor(next() * 1e9))
        : i % 3 === 1
        ? `${WORDS[i % WORDS.length]} ${i}`
        : next();
    }
  } else if (key === huge.longString) {
    const parts: string[] = [];
    let length = 0;
    while (length < LONG_STRING_CHARACTERS) {
      const word = WORDS[Math.floor(next() * WORDS.length)]!;
      parts.push(word);
      length += word.length + 1;
    }
    properties.body = parts.join(" ").slice(0, LONG_STRING_CHARACTERS);
  } else {
    properties.values = Array.from(
      { length: LONG_LIST_INTEGERS },
      () => BigInt(Math.floor(next() * 2 ** 40)) - 2n ** 39n,
    );
  }
  return properties;
}

/**
 * The relationships of the production shape, in batches: about 5% touch the hub (key 0), the
 * other endpoints skew towards the first keys; types skew towards the first ones.
 */
function* productionRelationships(
  nodes: number,
  total: number,
  seed: number,
  batchSize: number,
): Generator<GeneratedRelationship[]> {
  const next = random(seed ^ 0x165667b1);
  const n = nodes;
  // Skewed towards the first keys after the hub, which has its own share.
  const endpoint = (): number =>
    n > 1 ? 1 + Math.min(n - 2, Math.floor((n - 1) * next() ** 3)) : 0;
  let batch: GeneratedRelationship[] = [];
  for (let i = 0; i < total && n > 0; i++) {
    let start = next() < 0.5 ? endpoint() : Math.floor(next() * n);
    let end = Math.floor(next() * n);
    if (next() < 0.05) {
      if (next() < 0.5) start = 0;
      else end = 0;
    }
    const type =
      PRODUCTION_TYPES[Math.floor(next() ** 3 * PRODUCTION_TYPES.length)]!;
    const properties: Record<string, unknown> = {};
    const count = Math.floor(next() * 3);
    if (count > 0) properties.weight = next();
    if (count > 1) properties.since = BigInt(2000 + Math.floor(next() * 25));
    batch.push({ start, end, type, properties });
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Whether a Neo4j version (`5.26.30`, `2025.01.0`) has vector indexes (5.13 and later). */
export function hasVectorIndexes(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 5 || (major === 5 && minor >= 13);
}

/**
 * Creates the schema of the shape that is part of the graph (the production shape's vector
 * index, where the server has vector indexes: 5.13 and later) and waits until it is online;
 * returns the names of the indexes it created. The benchmark shape has none.
 */
export async function createGeneratedSchema(
  driver: Driver,
  options: GenerateGraphOptions & { database?: string },
): Promise<string[]> {
  if (options.shape !== "production") return [];
  const config = { database: options.database };
  const { records } = await driver.executeQuery(
    "CALL dbms.components() YIELD versions RETURN versions[0] AS version",
    {},
    config,
  );
  const version = String(records[0]?.get("version") ?? "");
  if (!hasVectorIndexes(version)) return [];
  await driver.executeQuery(
    `CREATE VECTOR INDEX ${
      escapeName(VECTOR_INDEX.name)
    } IF NOT EXISTS FOR (n:${escapeName(VECTOR_INDEX.label)}) ON (n.${
      escapeName(VECTOR_INDEX.property)
    }) OPTIONS {indexConfig: {` +
      "`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}",
    { dimensions: neo4j.int(EMBEDDING_DIMENSIONS) },
    config,
  );
  await driver.executeQuery("CALL db.awaitIndexes(86400)", {}, config);
  return [VECTOR_INDEX.name];
}

/**
 * A rough size in bytes of a value sent as a parameter (for cutting batches of large records):
 * strings by length, numbers 9 bytes, lists and maps by their items.
 */
export function roughBytes(value: unknown): number {
  if (typeof value === "string") return value.length + 2;
  if (Array.isArray(value)) {
    let total = 2;
    for (const item of value) total += roughBytes(item);
    return total;
  }
  if (value === null || typeof value !== "object") return 9;
  if (value.constructor !== Object) return 32;
  let total = 2;
  for (const [key, item] of Object.entries(value)) {
    total += key.length + 2 + roughBytes(item);
  }
  return total;
}

/**
 * Rows grouped by a key, sent with `send` when a group holds `rows` rows or `bytes` bytes, and
 * all of them when every group together holds four times as much (so that hundreds of small
 * groups are sent in few queries but do not pile up); {@linkcode RowGroups.flushAll} sends
 * what is left.
 */
export class RowGroups<R> {
  readonly #groups = new Map<string, { rows: R[]; bytes: number }>();
  readonly #send: (key: string, rows: R[]) => Promise<void>;
  readonly #rows: number;
  readonly #bytes: number;
  readonly #size: (row: R) => number;
  #totalRows = 0;
  #totalBytes = 0;

  /** Groups that `send` when they hold `rows` rows or `bytes` bytes (by `size`). */
  constructor(
    send: (key: string, rows: R[]) => Promise<void>,
    limits: { rows: number; bytes: number; size: (row: R) => number },
  ) {
    this.#send = send;
    this.#rows = limits.rows;
    this.#bytes = limits.bytes;
    this.#size = limits.size;
  }

  /** Adds a row to its group; sends what the limits say (a row of a sixteenth of `bytes` or more alone). */
  async add(key: string, row: R): Promise<void> {
    const bytes = this.#size(row);
    // A huge record goes alone: in a message with many others, neo4j-driver slows down badly.
    if (bytes >= this.#bytes / 16) return await this.#send(key, [row]);
    let group = this.#groups.get(key);
    if (!group) this.#groups.set(key, group = { rows: [], bytes: 0 });
    group.rows.push(row);
    group.bytes += bytes;
    this.#totalRows++;
    this.#totalBytes += bytes;
    if (group.rows.length >= this.#rows || group.bytes >= this.#bytes) {
      await this.#flush(key);
    }
    if (
      this.#totalRows >= 4 * this.#rows || this.#totalBytes >= 4 * this.#bytes
    ) await this.flushAll();
  }

  /** Sends every group. */
  async flushAll(): Promise<void> {
    for (const key of [...this.#groups.keys()]) await this.#flush(key);
  }

  async #flush(key: string): Promise<void> {
    const group = this.#groups.get(key);
    if (!group) return;
    this.#groups.delete(key);
    this.#totalRows -= group.rows.length;
    this.#totalBytes -= group.bytes;
    if (group.rows.length > 0) await this.#send(key, group.rows);
  }
}

/**
 * Loads the production shape with batched `UNWIND` queries: nodes by label set, returning their
 * new ids; relationships by type, their endpoints matched by id; then the vector index.
 */
async function loadProductionGraph(
  driver: Driver,
  options: GenerateGraphOptions & { database?: string; batchSize?: number },
): Promise<{ nodes: number; relationships: number }> {
  const config = { database: options.database };
  const batchSize = options.batchSize ?? 10_000;
  const ids = new BigInt64Array(options.nodes);
  let nodes = 0;
  let relationships = 0;
  const nodeGroups = new RowGroups<{ k: bigint; p: Record<string, unknown> }>(
    async (labels, rows) => {
      const { records } = await driver.executeQuery(
        `UNWIND $rows AS row CREATE (n${labels}) SET n = row.p RETURN row.k AS k, id(n) AS id`,
        { rows },
        config,
      );
      for (const record of records) {
        ids[Number(toBigInt(record.get("k")))] = toBigInt(record.get("id"));
      }
      nodes += rows.length;
    },
    { rows: batchSize, bytes: 16 * 2 ** 20, size: (row) => roughBytes(row.p) },
  );
  for (const batch of generateNodes(options, batchSize)) {
    for (const node of batch) {
      await nodeGroups.add(labelExpression(node.labels), {
        k: BigInt(node.key),
        p: node.properties,
      });
    }
  }
  await nodeGroups.flushAll();
  const relationshipGroups = new RowGroups<
    { s: bigint; e: bigint; p: Record<string, unknown> }
  >(
    async (type, rows) => {
      await driver.executeQuery(
        `UNWIND $rows AS row MATCH (a) WHERE id(a) = row.s MATCH (b) WHERE id(b) = row.e CREATE (a)-[r:${
          escapeName(type)
        }]->(b) SET r = row.p`,
        { rows },
        config,
      );
      relationships += rows.length;
    },
    { rows: batchSize, bytes: 16 * 2 ** 20, size: (row) => roughBytes(row.p) },
  );
  for (const batch of generateRelationships(options, batchSize)) {
    for (const rel of batch) {
      await relationshipGroups.add(rel.type, {
        s: ids[rel.start]!,
        e: ids[rel.end]!,
        p: rel.properties,
      });
    }
  }
  await relationshipGroups.flushAll();
  await createGeneratedSchema(driver, options);
  return { nodes, relationships };
}

/** An id or key from a record, whatever the driver's integer setting. */
function toBigInt(value: unknown): bigint {
  return typeof value === "bigint" ? value : BigInt(String(value));
}

/**
 * Loads the generated graph into an (empty) database with batched `UNWIND` queries: what a
 * careful hand-written import looks like. In the benchmark shape, nodes get a temporary `uid`
 * index for the relationships' endpoint lookups (dropped afterwards; `uid` stays a property);
 * in the production shape, see {@linkcode createGeneratedSchema} for its vector index.
 */
export async function loadGeneratedGraph(
  driver: Driver,
  options: GenerateGraphOptions & { database?: string; batchSize?: number },
): Promise<{ nodes: number; relationships: number }> {
  if (options.shape === "production") {
    return await loadProductionGraph(driver, options);
  }
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
