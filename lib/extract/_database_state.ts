import neo4j, { type Driver } from "../_driver.ts";

/** A database's last transaction (as a bookmark) and its counts, to tell whether it changed. */
export interface DatabaseState {
  bookmarks: string;
  nodes: number;
  relationships: number;
}

/** Reads the database's state (the counts come from the count store: no scan). */
export async function readDatabaseState(
  driver: Driver,
  database: string | undefined,
): Promise<DatabaseState> {
  const session = driver.session({
    database,
    defaultAccessMode: neo4j.session.READ,
  });
  try {
    const [nodes, relationships] = await session.executeRead(async (tx) => {
      const n = await tx.run("MATCH (n) RETURN count(n) AS count");
      const r = await tx.run("MATCH ()-[r]->() RETURN count(r) AS count");
      return [
        Number(n.records[0]?.get("count") ?? 0),
        Number(r.records[0]?.get("count") ?? 0),
      ];
    });
    return {
      bookmarks: session.lastBookmarks().join(","),
      nodes: nodes!,
      relationships: relationships!,
    };
  } finally {
    await session.close().catch(() => {});
  }
}
