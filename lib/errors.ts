/**
 * What went wrong, for callers that branch on it.
 *
 * - `INVALID_BACKUP`: the directory is not a backup, or a file in it is corrupt, truncated,
 *   missing, unexpected or of an unknown format version.
 * - `INCOMPLETE_BACKUP`: the extract that wrote the directory did not finish.
 * - `TARGET_NOT_EMPTY`: a directory or database holds data and overwriting it was not confirmed.
 * - `CONNECTION`: the server cannot be reached, refuses the credentials, or lacks the database.
 * - `PERMISSION`: the user lacks a privilege the operation needs.
 * - `SERVER`: the server failed a query.
 * - `VERIFICATION`: after an import, the database does not hold what the backup holds.
 * - `RESUME`: an import or extract cannot be resumed (no journal or checkpoint, another backup,
 *   target or source, other options).
 * - `IO`: reading or writing the local files failed (disk full, permissions).
 * - `ABORTED`: the operation was cancelled through its `AbortSignal`.
 */
export type BackupErrorCode =
  | "INVALID_BACKUP"
  | "INCOMPLETE_BACKUP"
  | "TARGET_NOT_EMPTY"
  | "CONNECTION"
  | "PERMISSION"
  | "SERVER"
  | "VERIFICATION"
  | "RESUME"
  | "IO"
  | "ABORTED";

/**
 * What the caller can do about a failure, as a fact for it to phrase in its own terms (the CLI
 * names its flags; a library caller its options). No hint: running again as it was fails the
 * same way, and the message says why.
 *
 * - `resume`: running the same import again with `resume` continues where it stopped.
 * - `resume-after-fix`: resuming fails the same way until the cause named in the message is
 *   removed from the database; `clean` starts over instead.
 * - `resume-or-clean`: an earlier import did not finish: continue it with `resume`, or start
 *   over with `clean`.
 * - `confirm`: it was refused for want of confirmation (`inputYes`).
 * - `confirm-or-clean`: the same, or empty the target first with `clean`.
 * - `resume-extract`: running the same extract again with `resume` continues where it stopped.
 * - `resume-or-overwrite`: the directory holds an extract that did not finish: continue it
 *   with `resume`, or start over with `inputYes`.
 */
export type BackupErrorHint =
  | "resume"
  | "resume-after-fix"
  | "resume-or-clean"
  | "confirm"
  | "confirm-or-clean"
  | "resume-extract"
  | "resume-or-overwrite";

/**
 * Why a connection failed (`CONNECTION`), for callers that word it themselves:
 * `unauthorized` (credentials refused), `rate-limited` (logins blocked after failures),
 * `no-database`, `unreachable` (no server answered), `lost` (a connection that worked broke),
 * `unavailable` (the server is stopping or restarting the database).
 */
export type ConnectionFailure =
  | "unauthorized"
  | "rate-limited"
  | "no-database"
  | "unreachable"
  | "lost"
  | "unavailable";

/** Options for {@linkcode BackupError}. */
export interface BackupErrorOptions extends ErrorOptions {
  /** What went wrong. */
  code: BackupErrorCode;
  /** The backup file concerned, relative to the backup directory. */
  file?: string | undefined;
  /** The 1-based number of the record concerned within `file`. */
  record?: number | undefined;
  /** What the caller can do about it. */
  hint?: BackupErrorHint | undefined;
  /** The server's address (`host:port`), when one is concerned. */
  address?: string | undefined;
  /** The database concerned, when one is (undefined: the user's home database). */
  database?: string | undefined;
  /** For `CONNECTION`: what failed. */
  connection?: ConnectionFailure | undefined;
  /** The underlying reason in a few words (e.g. the network error), when there is one. */
  detail?: string | undefined;
}

/**
 * The error the extract and import engines throw for every failure a caller should expect: bad
 * input, an unreachable server, a full disk. `cause` holds the underlying error; `file` and
 * `record` say where, when a backup file is concerned.
 *
 * @example Tell an incomplete backup from other failures
 * ```ts
 * import { BackupError } from "./errors.ts";
 *
 * const error = new BackupError(
 *   "Cannot import backup: invalid record 42 in data/nodes_3.json.gz",
 *   { code: "INVALID_BACKUP", file: "data/nodes_3.json.gz", record: 42 },
 * );
 * if (error.code === "INVALID_BACKUP") console.log(error.file, error.record);
 * ```
 */
export class BackupError extends Error {
  /** Always `BackupError`. */
  override name = "BackupError";
  /** What went wrong. */
  readonly code: BackupErrorCode;
  /** The backup file concerned, relative to the backup directory. */
  readonly file: string | undefined;
  /** The 1-based number of the record concerned within `file`. */
  readonly record: number | undefined;
  /** What the caller can do about it; undefined when running again fails the same way. */
  readonly hint: BackupErrorHint | undefined;
  /** The server's address (`host:port`), when one is concerned. */
  readonly address: string | undefined;
  /** The database concerned, when one is (undefined: the user's home database). */
  readonly database: string | undefined;
  /** For `CONNECTION`: what failed. */
  readonly connection: ConnectionFailure | undefined;
  /** The underlying reason in a few words (e.g. the network error), when there is one. */
  readonly detail: string | undefined;

  /** Makes an error with a message and its context. */
  constructor(message: string, options: BackupErrorOptions) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.code = options.code;
    this.file = options.file;
    this.record = options.record;
    this.hint = options.hint;
    this.address = options.address;
    this.database = options.database;
    this.connection = options.connection;
    this.detail = options.detail;
  }

  /** The same error with other fields (message, hint, ...); the original becomes its cause. */
  with(
    changes: Partial<BackupErrorOptions> & { message?: string },
  ): BackupError {
    const { message = this.message, ...options } = changes;
    return new BackupError(message, {
      code: this.code,
      file: this.file,
      record: this.record,
      hint: this.hint,
      address: this.address,
      database: this.database,
      connection: this.connection,
      detail: this.detail,
      cause: this.cause,
      ...options,
    });
  }
}
