/**
 * Retrying what the server or network may get right on a second try.
 *
 * neo4j-driver decides retries with `instanceof Neo4jError`, which fails under Deno (the driver's
 * ES5 classes set prototypes through `__proto__`, which Deno does not honour), so its
 * `executeRead`/`executeWrite` never retry there. These helpers decide by the error's code, the
 * same rule the driver means to apply.
 */

/** The error's Neo4j status code, e.g. `Neo.TransientError.General.DatabaseUnavailable`. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

/**
 * Whether the server refused a transaction for the memory it needed (`db.memory.transaction.max`
 * or the global pool): transient by its code, but the same transaction fails the same way again.
 */
export function isMemoryLimit(error: unknown): boolean {
  // 5.x and later: TransientError...MemoryPoolOutOfMemoryError; 4.4:
  // ClientError.General.TransactionOutOfMemoryError.
  return /^Neo\.(TransientError|ClientError)\.General\.(MemoryPoolOutOfMemoryError|TransactionMemoryLimit|OutOfMemoryError|TransactionOutOfMemoryError)$/
    .test(errorCode(error));
}

/**
 * Whether the server answered with a failure that rolled the transaction back: a client or
 * transient error it reported (a commit it refused did not happen). Not a lost connection, nor a
 * database error (`Neo.DatabaseError.*`), after which the outcome of a commit is unknown.
 */
export function isRefusedByServer(error: unknown): boolean {
  return /^Neo\.(ClientError|TransientError)\./.test(errorCode(error));
}

/**
 * Whether the database is unavailable because the server is stopping, starting or restarting
 * it (a server that shuts down cleanly answers this before it closes its connections).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return /^Neo\.TransientError\.(General|Database)\.DatabaseUnavailable$/.test(
    errorCode(error),
  );
}

/**
 * What the driver's channel says when a connection fails (neo4j-driver-bolt-connection's
 * `NodeChannel` and `DenoChannel`).
 */
const CHANNEL_FAILURE =
  /^(Connection was closed by server|Failed to connect to server|Connection lost\. Server didn't respond|Connection timeout after)/;

/**
 * Whether a connection could not be made or was lost: the driver's `ServiceUnavailable` and
 * `SessionExpired`, and its `ProtocolError` for a connection lost while it logged in (HELLO,
 * LOGON: the driver then gives the channel's failure that code, in `BoltProtocol._onLoginError`;
 * a cut there failed an extract in CI).
 */
export function isConnectionFailure(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ServiceUnavailable" || code === "SessionExpired" ||
    code === "ProtocolError" &&
      CHANNEL_FAILURE.test(String((error as Error | null)?.message ?? ""));
}

/**
 * Whether trying again may succeed: lost connections, a database the server is restarting, and
 * transient server errors other than a transaction too large for the server's memory.
 */
export function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  return isConnectionFailure(error) ||
    code === "Neo.ClientError.Security.AuthorizationExpired" ||
    code.includes("TransientError") && !isMemoryLimit(error);
}

/** Options for {@linkcode withRetry}. */
export interface RetryOptions {
  /**
   * Give up after this long.
   * @default {60000}
   */
  maxMs?: number;
  /** Stops waiting. */
  signal?: AbortSignal | undefined;
  /**
   * Which failures are tried again.
   * @default {isRetryable}
   */
  retryable?: (error: unknown) => boolean;
}

/**
 * Runs `work` until it succeeds, an error that is not `retryable` occurs, or `maxMs` passes,
 * waiting 0.2 s, 0.4 s, ... up to 5 s between tries. Only for work that is safe to repeat.
 */
export async function withRetry<T>(
  work: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.maxMs ?? 60_000);
  for (let delay = 200;; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await work();
    } catch (error) {
      if (
        !(options.retryable ?? isRetryable)(error) ||
        Date.now() + delay > deadline
      ) throw error;
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
