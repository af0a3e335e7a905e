import { labelExpression } from "../_cypher.ts";
import type { Transaction } from "../_driver.ts";
import type { Properties } from "../codec/types.ts";
import { BackupError } from "../errors.ts";
import type { BackupRecord } from "../format/record.ts";
import { splitZoned, zonedSetClauses } from "./_bolt4_zoned.ts";
import type { IdMap } from "../verify/_id_map.ts";
import { labelSetKey } from "../format/_label_set_key.ts";

/** A row of a write query: backup id, endpoints, properties, moved DateTimes (4.x). */
interface Row {
  k: bigint;
  s?: bigint;
  e?: bigint;
  p: Properties;
  z?: Record<string, unknown>;
  /** Labels or type, where the statement takes them dynamically. */
  l?: string[];
  t?: string;
}

/** How a batch is written. */
export interface WriteOptions {
  /** Whether DateTimes with a named zone are rebuilt in Cypher (Neo4j 4.x, see _bolt4_zoned.ts). */
  zonedFix: boolean;
  /**
   * Whether the server takes labels and types as values (`CREATE (n:$(row.l))`, Neo4j 5.26 and
   * later): then a batch of more than {@linkcode STATEMENTS_PER_BATCH} label sets or types goes
   * in one statement. Otherwise, and for fewer, a statement per label set or type.
   */
  dynamic: boolean;
}

/**
 * The most statements (label sets, or types) a batch is written with before one dynamic
 * statement takes them all, where the server has them. Measured on Neo4j 5.26: 40,000 nodes of
 * 300 label sets took 100 s as a statement per label set, 3.8 s as one dynamic statement; on the
 * benchmark graph (4 label sets, 200k nodes and 400k relationships, one session) a statement per
 * label set wrote the nodes in 20.8 to 21.8 s, the dynamic one in 25.4 s.
 */
export const STATEMENTS_PER_BATCH = 8;

/** Whether a server takes dynamic labels and types in CREATE (Neo4j 5.26 and later). */
export function takesDynamicLabels(
  server: { major: number; minor: number },
): boolean {
  return server.major > 5 || (server.major === 5 && server.minor >= 26);
}

/** Rows that share a statement (a label set, or a relationship type). */
interface Group {
  rows: Row[];
  /** Keys of the DateTimes moved out of the rows' properties (4.x only). */
  zoned: Set<string>;
}

/**
 * With `zonedFix` (a Neo4j 4.x target), moves the DateTimes with a named zone of `row.p` to
 * `row.z` and adds their keys to the group's (see _bolt4_zoned.ts); then adds the row.
 */
function addRow(group: Group, row: Row, zonedFix: boolean): void {
  const split = zonedFix ? splitZoned(row.p) : undefined;
  if (split) {
    for (const key of Object.keys(split.zoned)) group.zoned.add(key);
    row.p = split.properties;
    row.z = split.zoned;
  }
  group.rows.push(row);
}

/**
 * Creates a batch of nodes in `tx`, in one statement or a statement per label set (see
 * {@linkcode WriteOptions.dynamic}); returns the pairs [backup id, new id, ...].
 */
export async function createNodes(
  tx: Transaction,
  unit: BackupRecord[],
  options: WriteOptions,
): Promise<number[]> {
  const { zonedFix, dynamic } = options;
  const groups = new Map<string, Group & { labels: string[] }>();
  for (const record of unit) {
    if (record.kind !== "node") continue;
    const key = labelSetKey(record.labels);
    let group = groups.get(key);
    if (!group) {
      groups.set(
        key,
        group = { labels: record.labels, rows: [], zoned: new Set() },
      );
    }
    addRow(group, { k: record.id, p: record.properties }, zonedFix);
  }
  const statements = dynamic && groups.size > STATEMENTS_PER_BATCH
    ? [{
      labels: ":$(row.l)",
      rows: [...groups.values()].flatMap((g) =>
        g.rows.map((row) => ({ ...row, l: g.labels }))
      ),
      zoned: new Set<string>(),
    }]
    : [...groups.values()].map((g) => ({
      ...g,
      labels: labelExpression(g.labels),
    }));
  const results = await Promise.all(
    statements.map(({ labels, rows, zoned }) =>
      tx.run(
        `UNWIND $rows AS row CREATE (n${labels}) SET n = row.p${
          zonedSetClauses("n", zoned)
        } RETURN row.k AS k, id(n) AS id`,
        { rows },
      )
    ),
  );
  const pairs: number[] = [];
  for (const result of results) {
    for (const record of result.records) {
      pairs.push(Number(record.get(0)), Number(record.get(1)));
    }
  }
  if (pairs.length !== unit.length * 2) {
    throw new BackupError(
      `Created ${pairs.length / 2} of ${unit.length} nodes in a transaction`,
      { code: "SERVER" },
    );
  }
  return pairs;
}

/**
 * Creates a batch of relationships in `tx`, in one statement or a statement per type (see
 * {@linkcode WriteOptions.dynamic}), finding their endpoints by id through `ids`; returns the
 * new ids.
 */
export async function createRelationships(
  tx: Transaction,
  unit: BackupRecord[],
  ids: IdMap,
  options: WriteOptions,
): Promise<number[]> {
  const { zonedFix, dynamic } = options;
  const groups = new Map<string, Group>();
  for (const record of unit) {
    if (record.kind !== "relationship") continue;
    const start = ids.get(record.startId);
    const end = ids.get(record.endId);
    if (start === undefined || end === undefined) {
      throw new BackupError(
        `Relationship ${record.id} ends at node ${
          start === undefined ? record.startId : record.endId
        }, which was not imported`,
        { code: "INVALID_BACKUP" },
      );
    }
    let group = groups.get(record.type);
    if (!group) groups.set(record.type, group = { rows: [], zoned: new Set() });
    addRow(group, {
      k: record.id,
      s: BigInt(start),
      e: BigInt(end),
      p: record.properties,
    }, zonedFix);
  }
  const statements = dynamic && groups.size > STATEMENTS_PER_BATCH
    ? [{
      type: ":$(row.t)",
      rows: [...groups].flatMap(([type, g]) =>
        g.rows.map((row) => ({ ...row, t: type }))
      ),
      zoned: new Set<string>(),
    }]
    : [...groups].map(([type, g]) => ({
      ...g,
      type: labelExpression([type]),
    }));
  const results = await Promise.all(
    statements.map(({ type, rows, zoned }) =>
      tx.run(
        `UNWIND $rows AS row MATCH (a) WHERE id(a) = row.s MATCH (b) WHERE id(b) = row.e CREATE (a)-[r${type}]->(b) SET r = row.p${
          zonedSetClauses("r", zoned)
        } RETURN id(r) AS id`,
        { rows },
      )
    ),
  );
  const created: number[] = [];
  for (const result of results) {
    for (const record of result.records) created.push(Number(record.get(0)));
  }
  if (created.length !== unit.length) {
    throw new BackupError(
      `Created ${created.length} of ${unit.length} relationships in a transaction: endpoints are missing in the database`,
      { code: "SERVER" },
    );
  }
  return created;
}
