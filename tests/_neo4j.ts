/**
 * The Neo4j server a test file runs against: the one named by NEO4J_URI, NEO4J_USERNAME and
 * NEO4J_PASSWORD (set by `deno task test`, or by hand for any Neo4j 4.4+), or else one started
 * for this file alone.
 *
 * @module
 */
import neo4j, { type Driver } from "neo4j-driver";
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { cleanDatabase } from "../lib/import/_clean.ts";
import { Target } from "../lib/import/_target.ts";

/** Where the tests connect. */
export interface TestTarget {
  uri: string;
  username: string;
  password: string;
  /** The database under test; undefined means the server's default. */
  database: string | undefined;
  /** Whether this suite may start further local servers (true unless NEO4J_URI came from outside). */
  localServers: boolean;
}

let started: Promise<TestTarget> | undefined;

/** Connection details of the server under test, starting one the first time if none is set. */
export function testTarget(): Promise<TestTarget> {
  const uri = Deno.env.get("NEO4J_URI");
  if (uri) {
    return Promise.resolve({
      uri,
      username: Deno.env.get("NEO4J_USERNAME") ?? "neo4j",
      password: Deno.env.get("NEO4J_PASSWORD") ?? "",
      database: Deno.env.get("NEO4J_DATABASE") || undefined,
      localServers: Deno.env.get("NEO4J_BACKUP_LOCAL_SERVERS") === "1",
    });
  }
  started ??= Neo4jServer.start().then((server) => ({
    ...server.info,
    database: undefined,
    localServers: true,
  }));
  return started;
}

/** A driver for the server under test, closed when disposed. */
export async function openDriver(
  target?: TestTarget,
): Promise<Driver & AsyncDisposable> {
  const t = target ?? await testTarget();
  const driver = neo4j.driver(
    t.uri,
    neo4j.auth.basic(t.username, t.password),
    { useBigInt: true, logging: { level: "error", logger: () => {} } },
  );
  return Object.assign(driver, {
    [Symbol.asyncDispose]: () => driver.close(),
  });
}

/**
 * Empties a database completely: every constraint, every index but the token lookup indexes,
 * every relationship and node (the library's own `--clean`).
 */
export async function wipe(driver: Driver, database?: string): Promise<void> {
  await cleanDatabase(new Target(driver, database, undefined), 10_000);
}
