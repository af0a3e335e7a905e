import { errorCode, isDatabaseUnavailable, isMemoryLimit } from "./_retry.ts";
import { BackupError } from "./errors.ts";
import { describeFileError } from "./format/_file_sink.ts";

/** Who and where, for messages (never a password). */
export interface ConnectionContext {
  address?: string | undefined;
  database?: string | undefined;
  username?: string | undefined;
}

/**
 * Turns what the driver or the server threw into a {@linkcode BackupError} with one clear
 * sentence, e.g. `Cannot extract: the server refused the credentials of user "neo4j"`.
 */
export function toBackupError(
  error: unknown,
  action: string,
  context: ConnectionContext = {},
): BackupError {
  if (error instanceof BackupError) return error;
  if (error instanceof DOMException && error.name === "AbortError") {
    return new BackupError(`${action}: cancelled`, {
      code: "ABORTED",
      cause: error,
    });
  }
  const code = errorCode(error);
  const message = firstLine((error as Error)?.message ?? String(error));
  const where = context.address ? ` at ${context.address}` : "";
  const database = context.database ? `"${context.database}"` : "(default)";
  const user = context.username ? ` of user "${context.username}"` : "";
  switch (true) {
    case code === "Neo.ClientError.Security.Unauthorized":
      return new BackupError(
        `${action}: the server${where} refused the credentials${user}`,
        { code: "CONNECTION", cause: error },
      );
    case code === "Neo.ClientError.Security.AuthenticationRateLimit":
      return new BackupError(
        `${action}: the server${where} blocks logins${user} after too many failures; wait and retry`,
        { code: "CONNECTION", cause: error },
      );
    case code === "Neo.ClientError.Database.DatabaseNotFound":
      return new BackupError(
        `${action}: the server${where} has no database ${database}`,
        { code: "CONNECTION", cause: error },
      );
    case code === "Neo.ClientError.Security.Forbidden" ||
      code.startsWith("Neo.ClientError.Security.") &&
        /permission|privilege|not allowed|denied/i.test(message):
      return new BackupError(
        `${action}: the user${user} lacks a privilege this needs: ${message}`,
        { code: "PERMISSION", cause: error },
      );
    case code === "Neo.ClientError.General.WriteOnReadOnlyAccessDatabase" ||
      code === "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase" ||
      code.startsWith("Neo.ClientError.") && /\bread[- ]only\b/i.test(message):
      return new BackupError(
        `${action}: the database ${database}${where} is read-only: ${message}`,
        { code: "PERMISSION", cause: error },
      );
    case code === "ServiceUnavailable" || code === "SessionExpired" ||
      !code.startsWith("Neo.") && NETWORK_FAILURE.test(message): {
      const cause = connectionCause(error);
      const lost = code === "SessionExpired" ||
        !CONNECT_FAILURE.test(`${message} ${cause}`) &&
          LOST_CONNECTION.test(cause);
      return new BackupError(
        lost
          ? `${action}: lost the connection to the Neo4j server${where}: ${cause}`
          : `${action}: cannot reach a Neo4j server${where}: ${cause}`,
        { code: "CONNECTION", cause: error },
      );
    }
    case isDatabaseUnavailable(error):
      return new BackupError(
        `${action}: the database${
          context.database ? ` "${context.database}"` : ""
        }${where} became unavailable: the server is stopping or restarting it`,
        { code: "CONNECTION", cause: error, address: context.address },
      );
    case isMemoryLimit(error):
      return new BackupError(
        `${action}: the server${where} refused a transaction for its memory limit (db.memory.transaction.max or the global pool): ${message}`,
        { code: "SERVER", cause: error, address: context.address },
      );
    case code.startsWith("Neo."):
      return new BackupError(
        `${action}: the server failed a query: ${message} (${code})`,
        { code: "SERVER", cause: error },
      );
    case FILE_ERROR_CODES.has(code):
      return new BackupError(`${action}: ${describeFileError(error)}`, {
        code: "IO",
        cause: error,
      });
    default:
      return new BackupError(`${action}: ${message}`, {
        code: "SERVER",
        cause: error,
      });
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

const NETWORK_FAILURE =
  /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|certificate|SSL|TLS/i;
/** Failing to connect at all (as opposed to losing a connection that worked). */
const CONNECT_FAILURE =
  /Failed to connect|Could not perform discovery|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|TLS|SSL|certificate|handshake/i;
/** A connection that worked and broke. */
const LOST_CONNECTION =
  /closed by server|Connection was closed|ECONNRESET|EPIPE|socket hang up|connection lost|Pool is closed/i;
const FILE_ERROR_CODES = new Set([
  "ENOSPC",
  "EDQUOT",
  "EROFS",
  "EIO",
  "EACCES",
  "EPERM",
  "EMFILE",
  "ENFILE",
]);

/**
 * The useful part of a connection failure. The driver buries the reason after "Caused by:", and
 * with routing (`neo4j://`) behind "Could not perform discovery" in the error's `cause`.
 */
function connectionCause(error: unknown): string {
  let reason = "";
  for (
    let e: unknown = error, depth = 0;
    e instanceof Error && depth < 5;
    e = e.cause, depth++
  ) {
    const text = firstLine(e.message);
    const caused = /Caused by: (.*)$/.exec(text);
    if (caused) {
      reason = caused[1]!.trim();
      break;
    }
    if (!/^Could not perform discovery/.test(text) && !reason) reason = text;
  }
  reason ||= firstLine((error as Error)?.message ?? String(error));
  if (
    /disconnected before secure TLS connection was established/.test(reason)
  ) {
    return "the server did not answer the TLS handshake: it does not offer encryption on this port (use bolt:// or neo4j://, without +s, for an unencrypted server)";
  }
  if (/^Could not perform discovery/.test(reason)) {
    return "no server of the cluster answered";
  }
  return reason;
}
