/**
 * What the benchmark asks of the server between and during measurements: counts, the Python
 * importer's values left to fix, transactions left running, an emptied database.
 *
 * @module
 */
import neo4j, { type Driver } from "neo4j-driver";
import { cleanDatabase } from "../lib/import/_clean.ts";
import { Target } from "../lib/import/_target.ts";
import { log } from "./_format.ts";
import type { GraphCounts } from "./_results.ts";

/** Node and relationship counts (from the count store). */
export async function countDatabase(driver: Driver): Promise<GraphCounts> {
  const count = async (query: string): Promise<number> => {
    const { records } = await driver.executeQuery(query, {}, {
      routing: neo4j.routing.READ,
    });
    return Number(records[0]?.get(0) ?? 0);
  };
  return {
    nodes: await count("MATCH (n) RETURN count(n)"),
    relationships: await count("MATCH ()-[r]->() RETURN count(r)"),
  };
}

/** Property values stored as `$point(...)`, `$date(...)`, ... strings: the Python importer's. */
export async function countLiterals(driver: Driver): Promise<number> {
  const { records } = await driver.executeQuery(
    "MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v WHERE v STARTS WITH '$' RETURN count(*)",
    {},
    { routing: neo4j.routing.READ },
  );
  return Number(records[0]?.get(0) ?? 0);
}

/**
 * Waits until no other transaction runs (after a client was killed, the server ends its
 * transaction when it notices the closed connection), terminating stragglers after a minute.
 */
export async function settleTransactions(driver: Driver): Promise<void> {
  const others = async (): Promise<string[]> => {
    const { records } = await driver.executeQuery(
      "SHOW TRANSACTIONS YIELD transactionId, currentQuery " +
        "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN transactionId",
    );
    return records.map((r) => r.get(0) as string);
  };
  const waitWhile = async (ids: string[], until: number): Promise<string[]> => {
    while (ids.length > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      ids = await others();
    }
    return ids;
  };
  try {
    const deadline = Date.now() + 60_000;
    const ids = await waitWhile(await others(), deadline);
    if (ids.length > 0) {
      await driver.executeQuery("TERMINATE TRANSACTIONS $ids", { ids });
      await waitWhile(ids, deadline + 60_000);
    }
  } catch (error) {
    log(`(could not list transactions: ${(error as Error).message})`);
  }
}

/**
 * Empties the database (the library's own clean-up: every constraint and every index but the
 * token lookup indexes, then every relationship and every node in transactions of 10,000), and
 * checks that it is empty.
 */
export async function emptyDatabase(driver: Driver): Promise<void> {
  await cleanDatabase(new Target(driver, undefined, undefined), 10_000);
  const left = await countDatabase(driver);
  if (left.nodes !== 0 || left.relationships !== 0) {
    throw new Error(
      `The database is not empty after deleting: ${left.nodes} nodes, ${left.relationships} relationships`,
    );
  }
}
