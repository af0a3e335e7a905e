import { Pool } from "../_pool.ts";
import type { Session } from "../_driver.ts";
import { isMemoryLimit, isRefusedByServer, isRetryable } from "../_retry.ts";
import { BackupError } from "../errors.ts";
import type { BackupReader } from "../format/backup_reader.ts";
import type { BackupRecord } from "../format/record.ts";
import type { IdMap } from "../verify/_id_map.ts";
import type { Journal, JournalEntry } from "./_journal.ts";
import { recordSize } from "./_record_size.ts";
import {
  applyEntry,
  type CommittedRanges,
  landed,
  type ResumePoint,
  TakenIds,
} from "./_resume.ts";
import type { Target } from "./_target.ts";
import { createNodes, createRelationships } from "./_write_batch.ts";

/** How long a batch is retried after a lost connection or a transient failure. */
const RETRY_MS = 60_000;

/** Options of {@linkcode BatchWriter}. */
export interface BatchWriterOptions {
  /** Records per transaction, at most. */
  batchSize: number;
  /** About this many bytes of values per transaction, at most (a larger record goes alone). */
  batchBytes: number;
  /** Transactions at once, each on its own session. */
  jobs: number;
  /** Whether DateTimes with a named zone are rebuilt in Cypher (Neo4j 4.x, see _bolt4_zoned.ts). */
  zonedFix: boolean;
  /** Whether the server takes dynamic labels and types (one statement for every label set). */
  dynamic: boolean;
  /** How error messages about the backup start. */
  action: string;
  /** The server's setting that caps a transaction's memory, for the message of a record too large. */
  memorySetting: string;
  /** Which records to write (default: all). */
  select?: (record: BackupRecord) => boolean;
  /** What to write for a record (default: itself), e.g. with labels renamed. */
  rename?: (record: BackupRecord) => BackupRecord;
}

/** A transaction's worth of records of one data file. */
interface Unit {
  kind: "n" | "r";
  file: number;
  path: string;
  records: BackupRecord[];
  /** Each record's position in the file. */
  positions: number[];
  /** The unit covers the file's records [a, b): those it writes and those left out among them. */
  a: number;
  b: number;
  bytes: number;
}

/**
 * Writes the records of a backup's data files into the target, a transaction per batch, up to
 * `jobs` transactions at once, each journaled so that an interrupted import resumes exactly: the
 * ids a transaction created reach the journal before its commit, and a failed attempt is settled
 * (did it commit?) before the batch is tried again. A batch the server refuses for its memory
 * is split in two, down to a single record, and later batches are kept below the size that failed.
 */
export class BatchWriter {
  readonly #target: Target;
  readonly #openSession: () => Session;
  readonly #journal: Journal;
  readonly #ids: IdMap;
  readonly #done: ReadonlyMap<number, CommittedRanges>;
  readonly #options: BatchWriterOptions;
  readonly #sessions: Session[] = [];
  readonly #idle: Session[] = [];
  #sequence: number;
  #byteLimit: number;
  #retries = 0;
  /** Transactions committed so far: the clock of the settles. */
  #clock = 0;
  /**
   * The attempts under way or waiting to be settled (journal sequence -> the clock when they
   * started), and the transactions committed since the oldest of them started: a failed
   * attempt's ids may have gone to one of those (the server hands out a rolled-back
   * transaction's ids again).
   */
  readonly #open = new Map<number, number>();
  #recent: { clock: number; entry: JournalEntry }[] = [];
  /** Transactions between their first statement and their end. */
  #running = 0;
  #quiet: PromiseWithResolvers<void> | undefined;
  /** While attempts are settled, no transaction starts (see `#settle`). */
  #settlers = 0;
  #gate: PromiseWithResolvers<void> | undefined;

  /** A writer that goes on from `from` (a fresh import: nothing done, sequence 0). */
  constructor(
    target: Target,
    state: {
      openSession: () => Session;
      journal: Journal;
      ids: IdMap;
      from: ResumePoint;
    },
    options: BatchWriterOptions,
  ) {
    this.#target = target;
    this.#openSession = state.openSession;
    this.#journal = state.journal;
    this.#ids = state.ids;
    this.#done = state.from.done;
    this.#sequence = state.from.sequence;
    this.#options = options;
    this.#byteLimit = options.batchBytes;
  }

  /** Transactions tried again after a transient failure (a lost connection, a deadlock). */
  get retries(): number {
    return this.#retries;
  }

  /**
   * Writes the records of `files` (indexes of the backup's files, all of one kind) that are not
   * committed yet; reports each committed batch's records.
   */
  async writeFiles(
    backup: BackupReader,
    files: number[],
    onCommitted: (records: number) => void,
  ): Promise<void> {
    const pool = new Pool(this.#options.jobs);
    try {
      for (const f of files) {
        for await (const unit of this.#units(backup, f)) {
          this.#target.signal?.throwIfAborted();
          await pool.run(() => this.#write(unit, onCommitted));
        }
      }
    } catch (error) {
      await pool.settle();
      throw error;
    }
    await pool.drain();
  }

  /** Closes the sessions. */
  async close(): Promise<void> {
    await Promise.all(
      this.#sessions.splice(0).map((s) => s.close().catch(() => {})),
    );
    this.#idle.length = 0;
  }

  /** The file's records not committed yet, cut into transactions. */
  async *#units(backup: BackupReader, f: number): AsyncGenerator<Unit> {
    const { batchSize, action, select, rename } = this.#options;
    const file = backup.files[f]!;
    const signal = this.#target.signal;
    const done = this.#done.get(f) ?? [];
    const records = backup.records(file, {
      context: action,
      ...(signal ? { signal } : {}),
    }).pipeThrough(
      // Read ahead while the server works on the previous batches.
      new TransformStream<BackupRecord[], BackupRecord[]>(
        undefined,
        { highWaterMark: 16 },
        { highWaterMark: 16 },
      ),
    );
    const kind = file.kind === "nodes" ? "n" : "r";
    const start = (a: number): Unit => ({
      kind,
      file: f,
      path: file.path,
      records: [],
      positions: [],
      a,
      b: a,
      bytes: 0,
    });
    let unit = start(0);
    let position = 0;
    let range = 0;
    for await (const batch of records) {
      for (const record of batch) {
        const p = position++;
        while (range < done.length && done[range]![1] <= p) range++;
        if (range < done.length && done[range]![0] <= p) {
          // Committed by an earlier run.
          if (unit.records.length > 0) yield { ...unit, b: p };
          unit = start(p + 1);
          continue;
        }
        if (select && !select(record)) continue;
        const written = rename ? rename(record) : record;
        const size = recordSize(written);
        if (
          unit.records.length > 0 && unit.bytes + size > this.#byteLimit
        ) {
          yield { ...unit, b: p };
          unit = start(p);
        }
        unit.records.push(written);
        unit.positions.push(p);
        unit.bytes += size;
        if (unit.records.length >= batchSize) {
          yield { ...unit, b: p + 1 };
          unit = start(p + 1);
        }
      }
    }
    if (unit.records.length > 0) yield { ...unit, b: position };
  }

  /** Writes a unit on a free session, splitting it when the server refuses it for memory. */
  async #write(
    unit: Unit,
    onCommitted: (records: number) => void,
  ): Promise<void> {
    let session = this.#idle.pop();
    if (!session) {
      session = this.#openSession();
      this.#sessions.push(session);
    }
    try {
      await this.#writeSplitting(session, unit, onCommitted);
    } finally {
      this.#idle.push(session);
    }
  }

  async #writeSplitting(
    session: Session,
    unit: Unit,
    onCommitted: (records: number) => void,
  ): Promise<void> {
    try {
      await this.#commit(session, unit);
      onCommitted(unit.records.length);
    } catch (error) {
      if (!isMemoryLimit(error)) throw error;
      if (unit.records.length === 1) throw this.#tooLarge(unit, error);
      this.#byteLimit = Math.max(
        1,
        Math.min(this.#byteLimit, Math.floor(unit.bytes / 2)),
      );
      for (const half of split(unit)) {
        this.#target.signal?.throwIfAborted();
        await this.#writeSplitting(session, half, onCommitted);
      }
    }
  }

  /**
   * Writes one unit in one transaction, journaled. Retries what may succeed on a second try:
   * after a commit the server refused, whose journal entry is aborted at once (as it is before a
   * refusal for memory is thrown, so that the halves start clean), and after a lost connection,
   * settling first whether the failed attempt committed.
   */
  async #commit(session: Session, unit: Unit): Promise<void> {
    const deadline = Date.now() + RETRY_MS;
    let entry = this.#entry(unit);
    let attempt: JournalEntry | undefined;
    for (let delay = 200;; delay = Math.min(delay * 2, 5_000)) {
      try {
        if (attempt) {
          // A previous attempt got as far as the journal: did it commit?
          if (await this.#settle(attempt)) return;
          attempt = undefined;
          entry = this.#entry(unit);
        }
        await this.#attempt(session, unit, entry, () => attempt = entry);
        await this.#journal.commit(entry.s);
        applyEntry(entry, this.#ids);
        return;
      } catch (error) {
        if (attempt && isRefusedByServer(error)) {
          // The server refused the commit (for memory, a lock, ...): the transaction rolled
          // back. No query can tell so afterwards: the server may give its ids to another
          // writer's nodes at once (seen in CI with parallel writers).
          await this.#journal.abort(attempt.s);
          this.#close(attempt);
          attempt = undefined;
          entry = this.#entry(unit);
        }
        if (!isRetryable(error) || Date.now() + delay > deadline) throw error;
        this.#target.signal?.throwIfAborted();
        this.#retries++;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Whether a journaled attempt whose commit went unanswered committed (then recorded so); if
   * not, it is aborted. Asked with no transaction under way and none starting (the others wait),
   * and not of ids that a transaction committed since the attempt started holds: had it
   * committed, they could not be another's. Otherwise its ids existing, or not, tells.
   */
  async #settle(attempt: JournalEntry): Promise<boolean> {
    this.#settlers++;
    this.#gate ??= Promise.withResolvers<void>();
    try {
      while (this.#running > 0) {
        await (this.#quiet ??= Promise.withResolvers<void>()).promise;
      }
      const since = this.#open.get(attempt.s) ?? 0;
      const taken = new TakenIds(
        this.#recent.filter((r) => r.clock > since).map((r) => r.entry),
      );
      if (!taken.holdsAny(attempt) && await landed(this.#target, attempt)) {
        await this.#journal.commit(attempt.s);
        applyEntry(attempt, this.#ids);
        this.#committed(attempt);
        return true;
      }
      await this.#journal.abort(attempt.s);
      return false;
    } finally {
      this.#close(attempt);
      if (--this.#settlers === 0) {
        this.#gate?.resolve();
        this.#gate = undefined;
      }
    }
  }

  /** Notes a transaction that committed, for the settles of attempts older than it. */
  #committed(entry: JournalEntry): void {
    this.#clock++;
    if (this.#open.size > 0) this.#recent.push({ clock: this.#clock, entry });
  }

  /** Ends an attempt's time in `#open`; what no open attempt needs any more is dropped. */
  #close(entry: JournalEntry): void {
    this.#open.delete(entry.s);
    if (this.#open.size === 0) {
      this.#recent = [];
      return;
    }
    const oldest = Math.min(...this.#open.values());
    if (this.#recent.length > 0 && this.#recent[0]!.clock <= oldest) {
      this.#recent = this.#recent.filter((r) => r.clock > oldest);
    }
  }

  #entry(unit: Unit): JournalEntry {
    return {
      s: this.#sequence++,
      k: unit.kind,
      f: unit.file,
      a: unit.a,
      b: unit.b,
      ids: [],
    };
  }

  /** One transaction: write, journal the ids it created (`onJournaled`), commit. */
  async #attempt(
    session: Session,
    unit: Unit,
    entry: JournalEntry,
    onJournaled: () => void,
  ): Promise<void> {
    const { zonedFix, dynamic } = this.#options;
    while (this.#gate) await this.#gate.promise;
    this.#running++;
    this.#open.set(entry.s, this.#clock);
    // Whether the commit went out and failed: the attempt then stays open until it is settled.
    let unsettled = false;
    const tx = session.beginTransaction();
    try {
      entry.ids = entry.k === "n"
        ? await createNodes(tx, unit.records, { zonedFix, dynamic })
        : await createRelationships(tx, unit.records, this.#ids, {
          zonedFix,
          dynamic,
        });
      await this.#journal.begin(entry);
      onJournaled();
      unsettled = true;
      await tx.commit();
      unsettled = false;
      this.#committed(entry);
    } catch (error) {
      if (tx.isOpen()) await tx.rollback().catch(() => {});
      throw error;
    } finally {
      if (!unsettled) this.#close(entry);
      if (--this.#running === 0) {
        this.#quiet?.resolve();
        this.#quiet = undefined;
      }
    }
  }

  /** The error for a single record the server has not the memory to take in a transaction. */
  #tooLarge(unit: Unit, cause: unknown): BackupError {
    const record = unit.positions[0]! + 1;
    const item = unit.records[0]!;
    return new BackupError(
      `${this.#options.action}: record ${record} in ${unit.path} (${
        item.kind === "node" ? "node" : "relationship"
      } ${item.id}, about ${
        formatSize(unit.bytes)
      } of values) needs more memory than the server allows one transaction: raise ${this.#options.memorySetting} on the target server`,
      { code: "SERVER", file: unit.path, record, cause },
    );
  }
}

/** A unit cut in two halves of records (each covering its part of the file). */
function split(unit: Unit): [Unit, Unit] {
  const mid = Math.ceil(unit.records.length / 2);
  const at = unit.positions[mid]!;
  const part = (from: number, to: number, a: number, b: number): Unit => {
    const records = unit.records.slice(from, to);
    return {
      ...unit,
      records,
      positions: unit.positions.slice(from, to),
      a,
      b,
      bytes: records.reduce((sum, r) => sum + recordSize(r), 0),
    };
  };
  return [
    part(0, mid, unit.a, at),
    part(mid, unit.records.length, at, unit.b),
  ];
}

function formatSize(bytes: number): string {
  return bytes >= 1 << 20
    ? `${(bytes / (1 << 20)).toFixed(1)} MiB`
    : `${Math.ceil(bytes / 1024)} KiB`;
}
