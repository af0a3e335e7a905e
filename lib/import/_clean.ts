import neo4j, { type Driver } from "../_driver.ts";
import { escapeName } from "../_cypher.ts";
import { countSchema, type SchemaCounts } from "../_schema_counts.ts";
import { readSchema } from "../_schema.ts";
import { isMemoryLimit } from "../_retry.ts";

/** What a database holds, in brief; the schema counted as {@linkcode countSchema} does. */
export interface DatabaseContents extends SchemaCounts {
  nodes: number;
  relationships: number;
}

/** Counts what a database holds (node and relationship counts come from the count store). */
export async function databaseContents(
  driver: Driver,
  database: string | undefined,
): Promise<DatabaseContents> {
  const config = { database, routing: neo4j.routing.READ };
  const count = async (query: string): Promise<number> => {
    const { records } = await driver.executeQuery(query, {}, config);
    return Number(records[0]?.get(0) ?? 0);
  };
  return {
    nodes: await count("MATCH (n) RETURN count(n)"),
    relationships: await count("MATCH ()-[r]->() RETURN count(r)"),
    ...countSchema(await readSchema(driver, database)),
  };
}

/**
 * Empties a database: every constraint, every index but the token lookup indexes, every
 * relationship and every node, deleting in transactions of `batchSize` so that memory stays
 * bounded however large the graph (relationships first, so that no transaction holds the whole
 * neighbourhood of a dense node).
 */
export async function cleanDatabase(
  driver: Driver,
  database: string | undefined,
  batchSize: number,
): Promise<void> {
  const config = { database };
  const { records: constraints } = await driver.executeQuery(
    "SHOW CONSTRAINTS YIELD name",
    {},
    config,
  );
  for (const record of constraints) {
    await driver.executeQuery(
      `DROP CONSTRAINT ${escapeName(record.get("name"))} IF EXISTS`,
      {},
      config,
    );
  }
  const { records: indexes } = await driver.executeQuery(
    "SHOW INDEXES YIELD name, type",
    {},
    config,
  );
  for (const record of indexes) {
    if (record.get("type") === "LOOKUP") continue;
    await driver.executeQuery(
      `DROP INDEX ${escapeName(record.get("name"))} IF EXISTS`,
      {},
      config,
    );
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  // CALL { ... } IN TRANSACTIONS needs an auto-commit transaction: session.run.
  const session = driver.session({
    database,
    defaultAccessMode: neo4j.session.WRITE,
  });
  try {
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
          await session.run(query(size));
          break;
        } catch (error) {
          if (!isMemoryLimit(error) || size === 1) throw error;
        }
      }
    }
  } finally {
    await session.close();
  }
}
