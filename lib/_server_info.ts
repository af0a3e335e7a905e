import type { Driver } from "./_driver.ts";
import { isLostConnection } from "./_neo4j_errors.ts";
import { withRetry } from "./_retry.ts";

/** What a server and database say about themselves. */
export interface ServerInfo {
  /** The address the driver connected to (no credentials). */
  address: string;
  /** The database's actual name (the home database when none was asked for). */
  database: string;
  /** `CALL db.info()`'s id. */
  databaseId: string | null;
  /** e.g. `5.26.30`, `2025.12.1`. */
  version: string;
  /** The version's first number (4, 5, 2025, ...). */
  major: number;
  /** The version's second number. */
  minor: number;
  /** `community` or `enterprise`. */
  edition: string;
}

/** Options for {@linkcode readServerInfo}. */
export interface ReadServerInfoOptions {
  /** Stops the retries. */
  signal?: AbortSignal | undefined;
}

/**
 * Asks the server who it is. A connection lost meanwhile (even while it logs in) is tried again
 * for up to a minute; a server that cannot be reached fails at once, like any query.
 */
export function readServerInfo(
  driver: Driver,
  database: string | undefined,
  options: ReadServerInfoOptions = {},
): Promise<ServerInfo> {
  return withRetry(() => askServer(driver, database), {
    signal: options.signal,
    retryable: isLostConnection,
  });
}

async function askServer(
  driver: Driver,
  database: string | undefined,
): Promise<ServerInfo> {
  const info = await driver.getServerInfo({ database });
  const { records: [component] } = await driver.executeQuery(
    "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition",
    {},
    { database, routing: "READ" },
  );
  const { records: [db] } = await driver.executeQuery(
    "CALL db.info() YIELD name, id RETURN name, id",
    {},
    { database, routing: "READ" },
  );
  const version = String(component?.get("version") ?? "0.0");
  const [major = 0, minor = 0] = version.split(".").map((part) =>
    Number.parseInt(part, 10)
  );
  return {
    address: info.address ?? "",
    database: String(db?.get("name") ?? database ?? "neo4j"),
    databaseId: (db?.get("id") as string | null) ?? null,
    version,
    major,
    minor,
    edition: String(component?.get("edition") ?? "unknown"),
  };
}
