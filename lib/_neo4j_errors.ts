import {
  errorCode,
  isConnectionFailure,
  isDatabaseUnavailable,
  isMemoryLimit,
} from "./_retry.ts";
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
  const words = new Words(error, action, context);
  return accessError(words) ?? connectionError(words) ??
    serverError(words);
}

/** What a message about `error` says where, and the facts every BackupError of it carries. */
class Words {
  readonly error: unknown;
  readonly action: string;
  readonly code: string;
  /** The error's first line. */
  readonly message: string;
  /** ` at host:port`, or nothing. */
  readonly where: string;
  /** `"name"`, or `(default)`. */
  readonly database: string;
  /** ` of user "name"`, or nothing. */
  readonly user: string;
  /** For callers that word the failure themselves (the CLI names user and address). */
  readonly facts: {
    cause: unknown;
    address: string | undefined;
    database: string | undefined;
  };

  constructor(error: unknown, action: string, context: ConnectionContext) {
    this.error = error;
    this.action = action;
    this.code = errorCode(error);
    this.message = firstLine((error as Error)?.message ?? String(error));
    this.where = context.address ? ` at ${context.address}` : "";
    this.database = context.database ? `"${context.database}"` : "(default)";
    this.user = context.username ? ` of user "${context.username}"` : "";
    this.facts = {
      cause: error,
      address: context.address,
      database: context.database,
    };
  }
}

/** Credentials, privileges, a missing or read-only database. */
function accessError(w: Words): BackupError | undefined {
  const { action, code, message, where, user, facts } = w;
  switch (true) {
    case code === "Neo.ClientError.Security.Unauthorized":
      return new BackupError(
        `${action}: the server${where} refused the credentials${user}`,
        { code: "CONNECTION", connection: "unauthorized", ...facts },
      );
    case code === "Neo.ClientError.Security.AuthenticationRateLimit":
      return new BackupError(
        `${action}: the server${where} blocks logins${user} after too many failures; wait and retry`,
        { code: "CONNECTION", connection: "rate-limited", ...facts },
      );
    case code === "Neo.ClientError.Database.DatabaseNotFound":
      return new BackupError(
        `${action}: the server${where} has no database ${w.database}`,
        { code: "CONNECTION", connection: "no-database", ...facts },
      );
    case code === "Neo.ClientError.Security.Forbidden" ||
      code.startsWith("Neo.ClientError.Security.") &&
        /permission|privilege|not allowed|denied/i.test(message):
      return new BackupError(
        `${action}: the user${user} lacks a privilege this needs: ${message}`,
        { code: "PERMISSION", detail: message, ...facts },
      );
    case code === "Neo.ClientError.General.WriteOnReadOnlyAccessDatabase" ||
      code === "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase" ||
      code.startsWith("Neo.ClientError.") && /\bread[- ]only\b/i.test(message):
      return new BackupError(
        `${action}: the database ${w.database}${where} is read-only: ${message}`,
        { code: "PERMISSION", detail: message, ...facts },
      );
    default:
      return undefined;
  }
}

/** A server that cannot be reached, a connection lost, a database the server is restarting. */
function connectionError(w: Words): BackupError | undefined {
  const { action, code, message, where, facts } = w;
  if (isDatabaseUnavailable(w.error)) {
    return new BackupError(
      `${action}: the database${
        facts.database ? ` "${facts.database}"` : ""
      }${where} became unavailable: the server is stopping or restarting it`,
      { code: "CONNECTION", connection: "unavailable", ...facts },
    );
  }
  if (
    !(isConnectionFailure(w.error) ||
      !code.startsWith("Neo.") && NETWORK_FAILURE.test(message))
  ) return undefined;
  const cause = connectionCause(w.error);
  const lost = brokeAfterConnecting(w.error);
  return new BackupError(
    lost
      ? `${action}: lost the connection to the Neo4j server${where}: ${cause}`
      : `${action}: cannot reach a Neo4j server${where}: ${cause}`,
    {
      code: "CONNECTION",
      connection: lost ? "lost" : "unreachable",
      detail: cause,
      ...facts,
    },
  );
}

/**
 * Whether `error` says that a connection to the server was lost after it was made (while it
 * logged in or later), as opposed to one that could not be made: worth another try even where
 * a server that cannot be reached should fail at once (the first contact).
 */
export function isLostConnection(error: unknown): boolean {
  return isConnectionFailure(error) && brokeAfterConnecting(error);
}

function brokeAfterConnecting(error: unknown): boolean {
  const cause = connectionCause(error);
  return errorCode(error) === "SessionExpired" ||
    !CONNECT_FAILURE.test(
        `${firstLine((error as Error)?.message ?? String(error))} ${cause}`,
      ) &&
      LOST_CONNECTION.test(cause);
}

/** What the server (or the disk) refused otherwise. */
function serverError(w: Words): BackupError {
  const { action, code, message, where, facts } = w;
  if (isMemoryLimit(w.error)) {
    return new BackupError(
      `${action}: the server${where} refused a transaction for its memory limit (db.memory.transaction.max or the global pool): ${message}`,
      { code: "SERVER", detail: message, ...facts },
    );
  }
  if (code.startsWith("Neo.")) {
    return new BackupError(
      `${action}: the server failed a query: ${message} (${code})`,
      { code: "SERVER", cause: w.error },
    );
  }
  if (FILE_ERROR_CODES.has(code)) {
    return new BackupError(`${action}: ${describeFileError(w.error)}`, {
      code: "IO",
      cause: w.error,
    });
  }
  return new BackupError(`${action}: ${message}`, {
    code: "SERVER",
    cause: w.error,
  });
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
