import neo4j from "../_driver.ts";
import { escapeName } from "../_cypher.ts";
import { countSchema, type SchemaCounts } from "../_schema_counts.ts";
import { readSchema } from "../_schema.ts";
import { isMemoryLimit, withRetry } from "../_retry.ts";
import type { Target } from "./_target.ts";

/** What a database holds, in brief; the schema counted as {@linkcode countSchema} does. */
export interface DatabaseContents extends SchemaCounts {
  nodes: number;
  relationships: number;
}

/**
 * Counts what a database holds (node and relationship counts come from the count store); a
 * query whose connection is lost is tried again ({@linkcode Target.query}).
 */
export async function databaseContents(
  target: Target,
): Promise<DatabaseContents> {
  const count = async (query: string): Promise<number> => {
    const { records } = await target.query(query);
    return Number(records[0]?.get(0) ?? 0);
  };
  return {
    nodes: await count("MATCH (n) RETURN count(n)"),
    relationships: await count("MATCH ()-[r]->() RETURN count(r)"),
    ...countSchema(
      await withRetry(() => readSchema(target.driver, target.database), {
        signal: target.signal,
      }),
    ),
  };
}

/**
 * Empties a database: every constraint, every index but the token lookup indexes, every
 * relationship and every node, deleting in transactions of `batchSize` so that memory stays
 * bounded however large the graph (relationships first, so that no transaction holds the whole
 * neighbourhood of a dense node). Every step is safe to repeat, and is tried again when its
 * connection is lost.
 */
export async function cleanDatabase(
  target: Target,
  batchSize: number,
): Promise<void> {
  const { driver, database, signal } = target;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  const run = (query: string) => target.query(query, {}, true);
  const { records: constraints } = await run("SHOW CONSTRAINTS YIELD name");
  for (const record of constraints) {
    await run(`DROP CONSTRAINT ${escapeName(record.get("name"))} IF EXISTS`);
  }
  const { records: indexes } = await run("SHOW INDEXES YIELD name, type");
  for (const record of indexes) {
    if (record.get("type") === "LOOKUP") continue;
    await run(`DROP INDEX ${escapeName(record.get("name"))} IF EXISTS`);
  }
  // CALL { ... } IN TRANSACTIONS needs an auto-commit transaction: session.run, in a session of
  // its own for each try.
  const autoCommit = (query: string) =>
    withRetry(async () => {
      const session = driver.session({
        database,
        defaultAccessMode: neo4j.session.WRITE,
      });
      try {
        await session.run(query);
      } finally {
        await session.close().catch(() => {});
      }
    }, { signal });
  for (
    const query of [
      (size: number) =>
        `MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF ${size} ROWS`,
      (size: number) =>
        `MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF ${size} ROWS`,
    ]
  ) {
    // A target that caps a transaction's memory may refuse a batch of large records: what
    // was deleted stays deleted, and the rest goes in smaller batches.
    for (let size = batchSize;; size = Math.floor(size / 2)) {
      try {
        await autoCommit(query(size));
        break;
      } catch (error) {
        if (!isMemoryLimit(error) || size === 1) throw error;
      }
    }
  }
}
