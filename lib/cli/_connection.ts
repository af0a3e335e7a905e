import neo4j, { type Driver } from "../_driver.ts";
import type { DriverSettings } from "../extract/_partition_readers.ts";
import { VERSION } from "../version.ts";
import { type Command, UsageError, type Values } from "./_args.ts";
import type { Terminal } from "./_terminal.ts";

/** Where the tool connects when neither a flag nor NEO4J_URI says. */
export const DEFAULT_ADDRESS = "neo4j://localhost:7687";

/** Where and as whom to connect. */
export interface Connection {
  address: string;
  username: string;
  password: string;
  database: string | undefined;
}

/**
 * The connection the flags and NEO4J_* variables give (flags win); asks for a missing password
 * on a terminal.
 *
 * @throws {UsageError} when there is no password and no terminal to ask on.
 */
export async function connectionOptions(
  values: Values,
  terminal: Terminal,
  command: Command,
): Promise<Connection> {
  const address = (values.address as string | undefined) ??
    terminal.env("NEO4J_URI") ?? DEFAULT_ADDRESS;
  const username = (values.username as string | undefined) ??
    terminal.env("NEO4J_USERNAME") ?? "neo4j";
  let password = (values.password as string | undefined) ??
    terminal.env("NEO4J_PASSWORD");
  if (password === undefined) {
    if (!terminal.interactive.stdin) {
      throw new UsageError(
        "no password: give --password or set NEO4J_PASSWORD (or run on a terminal to be asked)",
        command,
      );
    }
    terminal.err(`Password for ${username} at ${address}: `);
    password = await terminal.readLine(false) ?? "";
  }
  const database = (values.database as string | undefined) ??
    (terminal.env("NEO4J_DATABASE") || undefined);
  return { address, username, password, database };
}

/**
 * A driver for the connection.
 *
 * @throws {UsageError} for an address the driver cannot take (shown without its password).
 */
export function createDriver(connection: Connection, command: Command): Driver {
  const { uri, auth, config } = driverSettings(connection);
  try {
    return neo4j.driver(uri, auth, {
      ...config,
      useBigInt: true,
      logging: { level: "error", logger: () => {} },
    });
  } catch (error) {
    // A permission the process lacks is not the user's typing error.
    if (
      error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) throw error;
    throw new UsageError(
      `invalid --address ${
        JSON.stringify(redactAddress(connection.address))
      }: ${(error as Error).message.split("\n")[0]}`,
      command,
    );
  }
}

/** The driver's address, credentials and settings for `connection`, as data. */
export function driverSettings(connection: Connection): DriverSettings {
  return {
    uri: connection.address,
    auth: neo4j.auth.basic(connection.username, connection.password),
    config: {
      userAgent: `neo4j-backup/${VERSION}`,
      connectionTimeout: 30_000,
      maxTransactionRetryTime: 30_000,
    },
  };
}

/** An address as it may be shown: without a user name and password in it (`bolt://u:p@host`). */
export function redactAddress(address: string): string {
  return address.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, "$1");
}
