/**
 * Canonical, id-independent snapshots of a whole graph, its schema and its tokens, read through
 * the driver alone, so that two databases (a source and its restored copy) can be compared value
 * for value and type for type.
 *
 * The value rendering here is deliberately independent of the project's own codec (nothing from
 * `lib/` is imported): every value is rendered from the fields of the driver's own objects as
 * `<DriverTypeName>(<fields>)`, for example `Integer(123)`, `Float(1.0)`, `Float(-0.0)`,
 * `String("a\nb")`, `ByteArray(00ff)`, `Date(2024-02-29)`,
 * `DateTime(2015-06-24T12:50:35.556000000+01:00[Europe/London])`, `Duration(1,-2,3,4)`,
 * `Point(7203,1.5,-2.0)` or `List[Integer(1), Integer(2)]`.
 *
 * The driver must be created with `{ useBigInt: true }`: only then are Integer (bigint) and Float
 * (number) told apart.
 *
 * Known limit: neo4j-driver 6 cannot decode a DateTime with a named time zone whose instant lies
 * outside the range of a JavaScript `Date` (about years -271821 to +275760); it throws a
 * `RangeError` from inside its unpacker, which no caller can catch. A graph holding such a value
 * cannot be snapshotted (nor read by any other driver-based tool).
 *
 * @module
 */
import neo4j, {
  type Driver,
  isDate,
  isDateTime,
  isDuration,
  isInt,
  isLocalDateTime,
  isLocalTime,
  isNode,
  isPath,
  isPoint,
  isRelationship,
  isTime,
  isUnsupportedType,
  isVector,
  type Node,
  type Record as Neo4jRecord,
  type Relationship,
} from "neo4j-driver";

/** A whole graph in canonical form; compare two with {@linkcode diffSnapshots}. */
export interface GraphSnapshot {
  /**
   * One canonical string per node, sorted, duplicates kept: `(:"Label1":"Label2" {"key":
   * Integer(1)})`, labels and keys sorted and JSON-quoted.
   */
  nodes: string[];
  /**
   * One canonical string per relationship, sorted, duplicates kept:
   * `<start node>-[:"TYPE" {properties}]-><end node>`, with the canonical strings of both nodes.
   */
  relationships: string[];
}

/** What constraints and indexes have in common in a {@linkcode SchemaSnapshot}. */
export interface SchemaItem {
  name: string;
  /** As reported, e.g. `UNIQUENESS`, `RELATIONSHIP_UNIQUENESS`, `RANGE`, `TEXT`, `VECTOR`. */
  type: string;
  /** `NODE` or `RELATIONSHIP`. */
  entityType: string;
  labelsOrTypes: string[] | null;
  properties: string[] | null;
  /** The `options` column as reported (indexProvider and indexConfig), map keys sorted. */
  options: { [key: string]: unknown } | null;
}

/** A constraint in a {@linkcode SchemaSnapshot}. */
export interface ConstraintItem extends SchemaItem {
  /** Name of the index that backs the constraint (also on 4.4, where only its id is reported). */
  ownedIndex: string | null;
  /** Type of a property type constraint (Enterprise, 5.9+), else null. */
  propertyType: string | null;
}

/** An index in a {@linkcode SchemaSnapshot}. */
export interface IndexItem extends SchemaItem {
  indexProvider: string | null;
  /** Name of the constraint the index backs (also on 4.4, where it is not reported). */
  owningConstraint: string | null;
}

/** Constraints and indexes, without ids, states, population or usage statistics. */
export interface SchemaSnapshot {
  /** Sorted by name. */
  constraints: ConstraintItem[];
  /** Sorted by name; token lookup indexes only when asked for. */
  indexes: IndexItem[];
}

/** Options of {@linkcode snapshotSchema}. */
export interface SchemaSnapshotOptions {
  /**
   * Include the token lookup indexes. Every database has two, with generated names that differ
   * from one database to the next, so they are left out by default.
   * @default {false}
   */
  includeLookupIndexes?: boolean;
}

/** The tokens a database knows, each list sorted. */
export interface TokenSnapshot {
  labels: string[];
  relationshipTypes: string[];
  propertyKeys: string[];
}

const FETCH_SIZE = 10_000;

/**
 * Reads every node and relationship of a database, streamed in one read transaction, into a
 * canonical, id-independent {@linkcode GraphSnapshot}.
 *
 * Two queries in all, however large the graph; the canonical strings are held in memory. 100,000
 * nodes and 100,000 relationships with seven properties each take about 8 seconds, most of it
 * the driver's decoding (zoned DateTimes are the slowest to decode).
 *
 * @param driver A driver created with `{ useBigInt: true }`.
 * @param database The database; the server's default when undefined.
 */
export async function snapshotGraph(
  driver: Driver,
  database?: string,
): Promise<GraphSnapshot> {
  const session = driver.session({
    database,
    defaultAccessMode: neo4j.session.READ,
    fetchSize: FETCH_SIZE,
  });
  try {
    return await session.executeRead(async (tx) => {
      const byElementId = new Map<string, string>();
      const nodes: string[] = [];
      for await (const record of tx.run("MATCH (n) RETURN n")) {
        const node = (record as Neo4jRecord).get("n") as Node<bigint>;
        const rendered = renderNode(node.labels, node.properties);
        byElementId.set(node.elementId, rendered);
        nodes.push(rendered);
      }
      const relationships: string[] = [];
      for await (const record of tx.run("MATCH ()-[r]->() RETURN r")) {
        const rel = (record as Neo4jRecord).get("r") as Relationship<bigint>;
        const start = byElementId.get(rel.startNodeElementId);
        const end = byElementId.get(rel.endNodeElementId);
        if (start === undefined || end === undefined) {
          throw new Error(
            `Relationship ${rel.elementId} has an end node that was not read`,
          );
        }
        relationships.push(
          renderRelationship(start, rel.type, rel.properties, end),
        );
      }
      nodes.sort(compareStrings);
      relationships.sort(compareStrings);
      return { nodes, relationships };
    });
  } finally {
    await session.close();
  }
}

/**
 * Reads the constraints and indexes of a database as comparable data, sorted by name: names,
 * types, entity types, labels or types, properties, options, providers and which constraint owns
 * which index. Ids, states, population percentages, usage statistics, failure messages and
 * create statements are left out.
 *
 * @param driver A driver created with `{ useBigInt: true }`.
 * @param database The database; the server's default when undefined.
 * @param options Whether to include the token lookup indexes.
 */
export async function snapshotSchema(
  driver: Driver,
  database?: string,
  options: SchemaSnapshotOptions = {},
): Promise<SchemaSnapshot> {
  const run = async (query: string): Promise<Neo4jRecord[]> =>
    (await driver.executeQuery(query, {}, {
      database,
      routing: neo4j.routing.READ,
    })).records;
  const indexRecords = await run("SHOW INDEXES YIELD *");
  const constraintRecords = await run("SHOW CONSTRAINTS YIELD *");

  // 4.4 reports a constraint's index by id only, and an index's constraint not at all.
  const indexNameById = new Map<string, string>();
  for (const r of indexRecords) {
    indexNameById.set(String(r.get("id")), r.get("name"));
  }
  const constraints: ConstraintItem[] = constraintRecords.map((r) => {
    let ownedIndex = column<string>(r, "ownedIndex");
    const ownedIndexId = column<unknown>(r, "ownedIndexId");
    if (ownedIndex === null && ownedIndexId !== null) {
      ownedIndex = indexNameById.get(String(ownedIndexId)) ?? null;
    }
    return {
      ...schemaItem(r),
      ownedIndex,
      propertyType: column<string>(r, "propertyType"),
    };
  });
  const ownerOfIndex = new Map<string, string>();
  for (const c of constraints) {
    if (c.ownedIndex !== null) ownerOfIndex.set(c.ownedIndex, c.name);
  }
  const indexes: IndexItem[] = indexRecords
    .filter((r) => options.includeLookupIndexes || r.get("type") !== "LOOKUP")
    .map((r) => {
      const item = schemaItem(r);
      return {
        ...item,
        indexProvider: column<string>(r, "indexProvider"),
        owningConstraint: column<string>(r, "owningConstraint") ??
          ownerOfIndex.get(item.name) ?? null,
      };
    });
  constraints.sort((a, b) => compareStrings(a.name, b.name));
  indexes.sort((a, b) => compareStrings(a.name, b.name));
  return { constraints, indexes };
}

/**
 * The labels, relationship types and property keys a database knows, from `db.labels()`,
 * `db.relationshipTypes()` and `db.propertyKeys()`, each sorted.
 *
 * @param driver A driver for the server.
 * @param database The database; the server's default when undefined.
 */
export async function tokenSnapshot(
  driver: Driver,
  database?: string,
): Promise<TokenSnapshot> {
  const list = async (query: string): Promise<string[]> =>
    (await driver.executeQuery(query, {}, {
      database,
      routing: neo4j.routing.READ,
    })).records.map((r) => r.get(0) as string).sort(compareStrings);
  return {
    labels: await list("CALL db.labels() YIELD label RETURN label"),
    relationshipTypes: await list(
      "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType",
    ),
    propertyKeys: await list(
      "CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey",
    ),
  };
}

/** How many differing entries {@linkcode diffSnapshots} shows per side and section. */
const SHOWN_PER_SIDE = 5;
const SHOWN_CHARS = 300;

/**
 * The differences between two snapshots of the same kind, in human-readable lines: for each
 * section (nodes, relationships; constraints, indexes; labels, relationship types, property
 * keys), the counts and the first few entries found only in `a` or only in `b` (as multisets,
 * so a missing duplicate counts), with where each differs from its closest counterpart.
 *
 * @returns An empty array when the snapshots are equal.
 */
export function diffSnapshots(a: GraphSnapshot, b: GraphSnapshot): string[];
export function diffSnapshots(a: SchemaSnapshot, b: SchemaSnapshot): string[];
export function diffSnapshots(a: TokenSnapshot, b: TokenSnapshot): string[];
export function diffSnapshots(
  a: GraphSnapshot | SchemaSnapshot | TokenSnapshot,
  b: GraphSnapshot | SchemaSnapshot | TokenSnapshot,
): string[] {
  const out: string[] = [];
  const sectionsA = a as unknown as { [section: string]: unknown[] };
  const sectionsB = b as unknown as { [section: string]: unknown[] };
  const sections = [
    ...new Set([...Object.keys(sectionsA), ...Object.keys(sectionsB)]),
  ];
  for (const section of sections) {
    const left = (sectionsA[section] ?? []).map(entryString);
    const right = (sectionsB[section] ?? []).map(entryString);
    const onlyLeft = multisetMinus(left, right);
    const onlyRight = multisetMinus(right, left);
    if (onlyLeft.length === 0 && onlyRight.length === 0) continue;
    out.push(
      `${section}: ${left.length} in a, ${right.length} in b; ` +
        `${onlyLeft.length} only in a, ${onlyRight.length} only in b`,
    );
    for (
      const [side, mine, theirs] of [
        ["a", onlyLeft, onlyRight],
        ["b", onlyRight, onlyLeft],
      ] as const
    ) {
      for (const entry of mine.slice(0, SHOWN_PER_SIDE)) {
        out.push(`  only in ${side}: ${clip(entry, 0)}`);
        const near = closest(entry, theirs);
        if (near !== undefined) {
          const at = commonPrefixLength(entry, near);
          out.push(
            `    differs at character ${at} from its closest counterpart: ` +
              `${clip(entry, at)} vs ${clip(near, at)}`,
          );
        }
      }
      if (mine.length > SHOWN_PER_SIDE) {
        out.push(
          `  ... and ${mine.length - SHOWN_PER_SIDE} more only in ${side}`,
        );
      }
    }
  }
  return out;
}

/**
 * The canonical rendering of one property value (or a list or map of them) from the objects the
 * driver returns, with its type: `Integer(-1)`, `Float(-0.0)`, `Float(NaN)`, `String("\u00e9")`,
 * `Boolean(true)`, `ByteArray(00ff80)`, `Date(-999999999-01-01)`, `LocalTime(12:00:00.000000001)`,
 * `Time(12:00:00.000000000-03:30)`, `LocalDateTime(...)`, `DateTime(...[Zone/Id])`,
 * `Duration(months,days,seconds,nanoseconds)`, `Point(srid,x,y[,z])`, `Vector(TYPE,[...])`,
 * `List[...]`, `Map{"key": ...}` (not a property type; for schema options).
 *
 * @throws {TypeError} For values that cannot be property values (nodes, paths, functions...).
 */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return "Null";
  switch (typeof value) {
    case "bigint":
      return `Integer(${value})`;
    case "number":
      return `Float(${formatFloat(value)})`;
    case "string":
      return `String(${quote(value)})`;
    case "boolean":
      return `Boolean(${value})`;
  }
  if (value instanceof Int8Array || value instanceof Uint8Array) {
    return `ByteArray(${hex(value)})`;
  }
  if (Array.isArray(value)) return `List[${value.map(renderValue).join(", ")}]`;
  if (isInt(value)) return `Integer(${value.toString()})`;
  if (isDate(value)) return `Date(${formatDate(value)})`;
  if (isLocalTime(value)) return `LocalTime(${formatTime(value)})`;
  if (isTime(value)) {
    return `Time(${formatTime(value)}${
      formatOffset(value.timeZoneOffsetSeconds)
    })`;
  }
  if (isLocalDateTime(value)) {
    return `LocalDateTime(${formatDate(value)}T${formatTime(value)})`;
  }
  if (isDateTime(value)) {
    const offset = value.timeZoneOffsetSeconds;
    return `DateTime(${formatDate(value)}T${formatTime(value)}${
      offset === undefined || offset === null ? "" : formatOffset(offset)
    }${value.timeZoneId ? `[${value.timeZoneId}]` : ""})`;
  }
  if (isDuration(value)) {
    return `Duration(${value.months},${value.days},${value.seconds},${value.nanoseconds})`;
  }
  if (isPoint(value)) {
    const z = value.z === undefined || value.z === null
      ? ""
      : `,${formatFloat(value.z)}`;
    return `Point(${value.srid},${formatFloat(value.x)},${
      formatFloat(value.y)
    }${z})`;
  }
  if (isVector(value)) {
    const items = [...value.asTypedArray() as Iterable<number | bigint>].map((
      x,
    ) => typeof x === "bigint" ? String(x) : formatFloat(x));
    return `Vector(${value.getType()},[${items.join(",")}])`;
  }
  if (isUnsupportedType(value)) return `Unsupported(${value.name})`;
  if (isNode(value) || isRelationship(value) || isPath(value)) {
    throw new TypeError(`A ${value.constructor.name} is not a property value`);
  }
  if (
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return renderMap(value as { [key: string]: unknown }, "Map");
  }
  throw new TypeError(
    `Cannot render a value of type ${
      (value as object).constructor?.name ?? typeof value
    }`,
  );
}

/** The canonical string of a node with these labels and properties. */
export function renderNode(
  labels: readonly string[],
  properties: { [key: string]: unknown },
): string {
  const sorted = [...labels].sort(compareStrings);
  const labelPart = sorted.map((l) => ":" + quote(l)).join("");
  return `(${labelPart}${labelPart ? " " : ""}${renderMap(properties, "")})`;
}

/** The canonical string of a relationship between two canonical node strings. */
export function renderRelationship(
  start: string,
  type: string,
  properties: { [key: string]: unknown },
  end: string,
): string {
  return `${start}-[:${quote(type)} ${renderMap(properties, "")}]->${end}`;
}

function renderMap(map: { [key: string]: unknown }, tag: string): string {
  const keys = Object.keys(map).sort(compareStrings);
  return `${tag}{${
    keys.map((k) => `${quote(k)}: ${renderValue(map[k])}`).join(", ")
  }}`;
}

/**
 * A string (a label, type or key name, or a String value's text) as it appears in canonical
 * strings: a JSON string literal in pure ASCII, every UTF-16 code unit outside printable ASCII
 * written `\uXXXX`, so that look-alikes (a precomposed and a combining accent, a BOM, an RTL
 * mark) stay visibly different in diffs.
 */
export function quote(s: string): string {
  return JSON.stringify(s).replace(
    /[^\x20-\x7e]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (Object.is(x, -0)) return "-0.0";
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function hex(bytes: Int8Array | Uint8Array): string {
  const unsigned = new Uint8Array(
    bytes.buffer,
    bytes.byteOffset,
    bytes.byteLength,
  );
  let out = "";
  for (const b of unsigned) out += b.toString(16).padStart(2, "0");
  return out;
}

type IntegerLike = bigint | number | { toString(): string };

function big(x: IntegerLike): bigint {
  return BigInt(String(x));
}

function pad(x: IntegerLike, width: number): string {
  const n = big(x);
  return (n < 0n ? "-" : "") +
    (n < 0n ? -n : n).toString().padStart(width, "0");
}

function formatDate(
  value: { year: IntegerLike; month: IntegerLike; day: IntegerLike },
): string {
  const year = big(value.year);
  const yearText = year >= 0n && year <= 9999n
    ? pad(year, 4)
    : (year < 0n ? "-" : "+") + pad(year < 0n ? -year : year, 4);
  return `${yearText}-${pad(value.month, 2)}-${pad(value.day, 2)}`;
}

function formatTime(
  value: {
    hour: IntegerLike;
    minute: IntegerLike;
    second: IntegerLike;
    nanosecond: IntegerLike;
  },
): string {
  return `${pad(value.hour, 2)}:${pad(value.minute, 2)}:${
    pad(value.second, 2)
  }.${pad(value.nanosecond, 9)}`;
}

function formatOffset(offsetSeconds: IntegerLike): string {
  const total = big(offsetSeconds);
  const abs = total < 0n ? -total : total;
  const seconds = abs % 60n;
  return `${total < 0n ? "-" : "+"}${pad(abs / 3600n, 2)}:${
    pad((abs / 60n) % 60n, 2)
  }${seconds === 0n ? "" : `:${pad(seconds, 2)}`}`;
}

function column<T>(record: Neo4jRecord, key: string): T | null {
  return record.has(key) ? (record.get(key) as T) ?? null : null;
}

function schemaItem(record: Neo4jRecord): SchemaItem {
  const options = column<{ [key: string]: unknown }>(record, "options");
  return {
    name: record.get("name"),
    type: record.get("type"),
    entityType: record.get("entityType"),
    labelsOrTypes: column<string[]>(record, "labelsOrTypes"),
    properties: column<string[]>(record, "properties"),
    options: options === null ? null : sortKeys(options) as typeof options,
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (
    value !== null && typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const map = value as { [key: string]: unknown };
    return Object.fromEntries(
      Object.keys(map).sort(compareStrings).map((k) => [k, sortKeys(map[k])]),
    );
  }
  return value;
}

function entryString(entry: unknown): string {
  return typeof entry === "string" ? entry : renderValue(entry);
}

/** The elements of `from` not matched one for one by an element of `other`, in order. */
function multisetMinus(from: string[], other: string[]): string[] {
  const counts = new Map<string, number>();
  for (const s of other) counts.set(s, (counts.get(s) ?? 0) + 1);
  const out: string[] = [];
  for (const s of from) {
    const n = counts.get(s) ?? 0;
    if (n > 0) counts.set(s, n - 1);
    else out.push(s);
  }
  return out;
}

function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function closest(entry: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestLength = -1;
  for (const c of candidates) {
    const length = commonPrefixLength(entry, c);
    if (length > bestLength) {
      best = c;
      bestLength = length;
    }
  }
  return best;
}

/** Up to SHOWN_CHARS characters of `s` from a little before `at`, marked where cut. */
function clip(s: string, at: number): string {
  const start = Math.max(0, at - 60);
  const end = Math.min(s.length, start + SHOWN_CHARS);
  return `${start > 0 ? "..." : ""}${s.slice(start, end)}${
    end < s.length ? `... (${s.length} chars)` : ""
  }`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
