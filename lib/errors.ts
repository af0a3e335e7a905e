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
 * - `RESUME`: an import cannot be resumed (no journal, another backup or another target).
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

/** Options for {@linkcode BackupError}. */
export interface BackupErrorOptions extends ErrorOptions {
  /** What went wrong. */
  code: BackupErrorCode;
  /** The backup file concerned, relative to the backup directory. */
  file?: string;
  /** The 1-based number of the record concerned within `file`. */
  record?: number;
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
 * console.log(error.code, error.file, error.record);
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

  /** Makes an error with a message and its context. */
  constructor(message: string, options: BackupErrorOptions) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.code = options.code;
    this.file = options.file;
    this.record = options.record;
  }
}
