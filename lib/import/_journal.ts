import { LineLog } from "../_line_log.ts";
import { BackupError } from "../errors.ts";

/**
 * The import journal: a local file (JSON lines) that lets an interrupted import resume to
 * exactly the result of an uninterrupted one, without leaving anything in the database.
 *
 * Every transaction of the import covers a contiguous range of records of one data file. Before
 * committing it, the importer appends a `begin` line holding the range and the ids the
 * transaction created (read back inside the transaction), flushed to disk; after the commit
 * returns, a `commit` line. On resume, a range whose `begin` has no `commit` (the process died,
 * the server restarted, the network dropped at the worst moment) is settled by asking the
 * database whether the ids it created exist: all of them (it committed) or none (it did not).
 * Ids a rolled-back transaction allocated are not reused before that question is asked, because
 * the importer stops at the first failure.
 */

/** The first line: which backup goes into which database. */
export interface JournalHeader {
  journal: "neo4j-backup-import";
  version: 1;
  /** Identifies the backup (the manifest's SHA-256, or a digest of the file list). */
  backup: string;
  /** Identifies the target. */
  target: { address: string; database: string; databaseId: string | null };
  createdAt: string;
  /**
   * Nodes per label set and relationships per type that the target held before the import
   * (empty when it was empty), so that the final check can compare target = before + backup.
   */
  baseline: {
    labelSets: { labels: string[]; count: number }[];
    relationshipTypes: { type: string; count: number }[];
  };
  /**
   * The selection and renames the import took, as JSON (absent: everything, as backed up), so
   * that a resume takes the same.
   */
  selection?: string;
}

/** A transaction's range of records and the ids it created. */
export interface JournalEntry {
  /** Sequence number. */
  s: number;
  /** `n`: nodes, `r`: relationships. */
  k: "n" | "r";
  /** Index of the data file in the backup's file list. */
  f: number;
  /** Records [a, b) of the file (0-based). */
  a: number;
  b: number;
  /**
   * Nodes: pairs [backup id, new id, backup id, new id, ...].
   * Relationships: the new relationship ids.
   */
  ids: number[];
}

/** What a journal file holds. */
export interface JournalContents {
  header: JournalHeader;
  /** Entries whose commit is recorded. */
  committed: JournalEntry[];
  /** Entries begun but neither committed nor aborted: to be settled against the database. */
  uncertain: JournalEntry[];
  /** The next free sequence number. */
  nextSequence: number;
}

/** An open journal, appended to as the import goes. */
export class Journal {
  readonly path: string;
  readonly #log: LineLog;

  private constructor(log: LineLog) {
    this.path = log.path;
    this.#log = log;
  }

  /**
   * Starts a new journal (replacing any file at `path`). The header goes to a temporary file
   * that is flushed and then renamed, so a process killed at any moment leaves either no journal
   * or one with its header: never an empty one that would block both a resume and a new start.
   */
  static async create(path: string, header: JournalHeader): Promise<Journal> {
    return new Journal(
      await LineLog.create(path, header, (e) => journalError(path, e)),
    );
  }

  /** Deletes the journal at `path`, if any. */
  static discard(path: string): Promise<void> {
    return LineLog.discard(path, (e) => journalError(path, e));
  }

  /** Opens an existing journal to append to it. */
  static async append(path: string): Promise<Journal> {
    return new Journal(
      await LineLog.open(path, (e) => journalError(path, e)),
    );
  }

  /**
   * Reads a journal; undefined when there is none. A last line cut short (the process died while
   * writing it) is ignored: its transaction cannot have committed.
   */
  static async read(path: string): Promise<JournalContents | undefined> {
    const complete = await LineLog.read(path, (e) => journalError(path, e));
    if (complete === undefined) return undefined;
    let header: JournalHeader | undefined;
    const begun = new Map<number, JournalEntry>();
    const committed: JournalEntry[] = [];
    let nextSequence = 0;
    for (const [i, line] of complete.entries()) {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new BackupError(
          `Cannot resume: the import journal ${path} is corrupt at line ${
            i + 1
          }`,
          { code: "RESUME", cause: error },
        );
      }
      if (i === 0) {
        if (value.journal !== "neo4j-backup-import" || value.version !== 1) {
          throw new BackupError(
            `Cannot resume: ${path} is not an import journal of this tool`,
            { code: "RESUME" },
          );
        }
        header = value as unknown as JournalHeader;
      } else if (typeof value.s === "number") {
        begun.set(value.s, value as unknown as JournalEntry);
        nextSequence = Math.max(nextSequence, value.s + 1);
      } else if (typeof value.c === "number") {
        const entry = begun.get(value.c);
        if (entry) {
          committed.push(entry);
          begun.delete(value.c);
        }
      } else if (typeof value.x === "number") {
        begun.delete(value.x);
      }
    }
    if (!header) {
      throw new BackupError(
        `Cannot resume: the import journal ${path} is empty`,
        {
          code: "RESUME",
        },
      );
    }
    return { header, committed, uncertain: [...begun.values()], nextSequence };
  }

  /** Records a transaction about to commit; flushed to disk before it returns. */
  begin(entry: JournalEntry): Promise<void> {
    return this.#log.append(entry, true);
  }

  /** Records that a transaction committed. */
  commit(sequence: number): Promise<void> {
    return this.#log.append({ c: sequence }, false);
  }

  /** Records that a transaction rolled back for sure (before it is retried). */
  abort(sequence: number): Promise<void> {
    return this.#log.append({ x: sequence }, true);
  }

  /** Closes the file. */
  close(): void {
    this.#log.close();
  }

  /** Closes and deletes the journal (the import finished). */
  remove(): Promise<void> {
    return this.#log.remove();
  }
}

function journalError(path: string, error: unknown): BackupError {
  return new BackupError(
    `Cannot write the import journal ${path}: ${(error as Error).message}`,
    { code: "IO", cause: error },
  );
}
