import { errorCode } from "./_retry.ts";
import { BackupError } from "./errors.ts";

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
    case code === "ServiceUnavailable":
      return new BackupError(
        `${action}: cannot reach a Neo4j server${where}: ${
          connectionCause(message)
        }`,
        { code: "CONNECTION", cause: error },
      );
    case code === "SessionExpired":
      return new BackupError(
        `${action}: lost the connection to the server${where}: ${message}`,
        { code: "CONNECTION", cause: error },
      );
    case code.startsWith("Neo."):
      return new BackupError(
        `${action}: the server failed a query: ${message} (${code})`,
        { code: "SERVER", cause: error },
      );
    case /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|certificate|SSL|TLS/i
      .test(message):
      return new BackupError(
        `${action}: cannot reach a Neo4j server${where}: ${
          connectionCause(message)
        }`,
        { code: "CONNECTION", cause: error },
      );
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

/** The driver's messages bury the reason after "Caused by:"; keep the useful part. */
function connectionCause(message: string): string {
  const caused = /Caused by: (.*)$/.exec(message);
  return (caused?.[1] ?? message).trim();
}
