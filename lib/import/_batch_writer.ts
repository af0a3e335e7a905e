import type { Session } from "../_driver.ts";
import { isRetryable } from "../_retry.ts";
import type { BackupFile, BackupReader } from "../format/backup_reader.ts";
import type { BackupRecord } from "../format/record.ts";
import type { IdMap } from "../verify/_id_map.ts";
import type { Journal, JournalEntry } from "./_journal.ts";
import { applyEntry, landed, type ResumePoint } from "./_resume.ts";
import type { Target } from "./_target.ts";
import { createNodes, createRelationships } from "./_write_batch.ts";

/** How long a batch is retried after a lost connection or a transient failure. */
const RETRY_MS = 60_000;

/** Options of {@linkcode BatchWriter}. */
export interface BatchWriterOptions {
  /** Records per transaction. */
  batchSize: number;
  /** Whether DateTimes with a named zone are rebuilt in Cypher (Neo4j 4.x, see _bolt4_zoned.ts). */
  zonedFix: boolean;
  /** How error messages about the backup start. */
  action: string;
  /** Which records to write (default: all). */
  select?: (record: BackupRecord) => boolean;
  /** What to write for a record (default: itself), e.g. with labels renamed. */
  rename?: (record: BackupRecord) => BackupRecord;
}

/**
 * Writes the records of a backup's data files into the target, a transaction per batch, each
 * journaled so that an interrupted import resumes exactly: the ids a transaction created reach
 * the journal before its commit, and a failed attempt is settled (did it commit?) before the
 * batch is tried again.
 */
export class BatchWriter {
  readonly #target: Target;
  readonly #session: Session;
  readonly #journal: Journal;
  readonly #ids: IdMap;
  readonly #options: BatchWriterOptions;
  #sequence: number;

  /** A writer that goes on from `from` (a fresh import: nothing done, sequence 0). */
  constructor(
    target: Target,
    state: {
      session: Session;
      journal: Journal;
      ids: IdMap;
      from: ResumePoint;
    },
    options: BatchWriterOptions,
  ) {
    this.#target = target;
    this.#session = state.session;
    this.#journal = state.journal;
    this.#ids = state.ids;
    this.#sequence = state.from.sequence;
    this.#options = options;
  }

  /** Writes the records of `file` from record `start` on; reports each committed batch. */
  async writeFile(
    backup: BackupReader,
    fileIndex: number,
    file: BackupFile,
    start: number,
    onCommitted: (records: number) => void,
  ): Promise<void> {
    const { batchSize, action, select, rename } = this.#options;
    const signal = this.#target.signal;
    const records = backup.records(file, {
      context: action,
      ...(signal ? { signal } : {}),
    }).pipeThrough(
      // Read ahead while the server works on the previous batch.
      new TransformStream<BackupRecord[], BackupRecord[]>(
        undefined,
        { highWaterMark: 16 },
        { highWaterMark: 16 },
      ),
    );
    // A unit covers the records [unitStart, position) of the file: those it writes, and those
    // the selection left out among them.
    let position = 0;
    let unit: BackupRecord[] = [];
    let unitStart = start;
    const flush = async (): Promise<void> => {
      if (unit.length === 0) return;
      signal?.throwIfAborted();
      await this.#commit(unit, {
        s: this.#sequence++,
        k: file.kind === "nodes" ? "n" : "r",
        f: fileIndex,
        a: unitStart,
        b: position,
        ids: [],
      });
      onCommitted(unit.length);
      unitStart = position;
      unit = [];
    };
    for await (const batch of records) {
      for (const record of batch) {
        if (position++ < start) continue;
        if (select && !select(record)) continue;
        unit.push(rename ? rename(record) : record);
        if (unit.length === batchSize) await flush();
      }
    }
    await flush();
  }

  /**
   * Writes one batch in one transaction, journaled. Retries what may succeed on a second try,
   * settling first whether the failed attempt committed.
   */
  async #commit(unit: BackupRecord[], entry: JournalEntry): Promise<void> {
    const deadline = Date.now() + RETRY_MS;
    let attempt: JournalEntry | undefined;
    for (let delay = 200;; delay = Math.min(delay * 2, 5_000)) {
      try {
        if (attempt) {
          // A previous attempt got as far as the journal: did it commit?
          if (await landed(this.#target, attempt)) {
            await this.#journal.commit(attempt.s);
            applyEntry(attempt, this.#ids);
            return;
          }
          await this.#journal.abort(attempt.s);
          attempt = undefined;
          entry = { ...entry, s: this.#sequence++ };
        }
        await this.#attempt(unit, entry, () => attempt = entry);
        await this.#journal.commit(entry.s);
        applyEntry(entry, this.#ids);
        return;
      } catch (error) {
        if (!isRetryable(error) || Date.now() + delay > deadline) throw error;
        this.#target.signal?.throwIfAborted();
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** One transaction: write, journal the ids it created (`onJournaled`), commit. */
  async #attempt(
    unit: BackupRecord[],
    entry: JournalEntry,
    onJournaled: () => void,
  ): Promise<void> {
    const { zonedFix } = this.#options;
    const tx = this.#session.beginTransaction();
    try {
      entry.ids = entry.k === "n"
        ? await createNodes(tx, unit, zonedFix)
        : await createRelationships(tx, unit, this.#ids, zonedFix);
      await this.#journal.begin(entry);
      onJournaled();
      await tx.commit();
    } catch (error) {
      if (tx.isOpen()) await tx.rollback().catch(() => {});
      throw error;
    }
  }
}
