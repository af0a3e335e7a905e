import { join } from "node:path";
import { createHash } from "node:crypto";
import neo4j, {
  type Driver,
  type QueryResult,
  type Session,
  type Transaction,
} from "../_driver.ts";
import { escapeName, labelExpression } from "../_cypher.ts";
import { assertLosslessIntegers } from "../_lossless.ts";
import { type ConnectionContext, toBackupError } from "../_neo4j_errors.ts";
import { isMemoryLimit, isRetryable, withRetry } from "../_retry.ts";
import { describeSchemaCounts, type SchemaCounts } from "../_schema_counts.ts";
import { readServerInfo, type ServerInfo } from "../_server_info.ts";
import type { Properties } from "../codec/types.ts";
import { BackupError, type BackupErrorHint } from "../errors.ts";
import {
  type BackupFile,
  type BackupReader,
  openBackup,
} from "../format/backup_reader.ts";
import type { BackupRecord } from "../format/record.ts";
import {
  cleanDatabase,
  type DatabaseContents,
  databaseContents,
} from "./_clean.ts";
import type { IdMap } from "./_id_map.ts";
import {
  Journal,
  type JournalContents,
  type JournalEntry,
  type JournalHeader,
} from "./_journal.ts";
import { schemaStatements } from "./_schema_statements.ts";
import { needsZonedFix, splitZoned, zonedSetClauses } from "./_bolt4_zoned.ts";
import { labelSetKey } from "./_label_set_key.ts";
import { checkBackup, type CheckedBackup } from "./verify_backup.ts";

/** Options for {@linkcode Importer}: the Python tool's, in camelCase, and more. */
export interface ImporterOptions {
  /** The backup directory to read. */
  projectDir: string;
  /**
   * A neo4j-driver `Driver` connected to the target server (created with `useBigInt: true` or
   * the default integer setting; not `disableLosslessIntegers`). The importer does not close it.
   */
  driver: Driver;
  /**
   * The database to import into.
   * @default {the user's home database}
   */
  database?: string;
  /**
   * Import into a database that is not empty (and, with `clean`, empty it) without asking.
   * @default {false}
   */
  inputYes?: boolean;
  /**
   * Asked before importing into a non-empty database or emptying it when `inputYes` is false;
   * without it, such an import is refused.
   */
  confirm?: (question: string) => boolean | Promise<boolean>;
  /**
   * Records per transaction.
   * @default {10000}
   */
  batchSize?: number;
  /**
   * Empty the database first: every node, relationship, constraint and index.
   * @default {false}
   */
  clean?: boolean;
  /**
   * Continue an import that stopped (killed, server restarted, network lost) where it stopped,
   * to the same result as an uninterrupted one.
   * @default {false}
   */
  resume?: boolean;
  /**
   * The import journal that makes `resume` possible; deleted when the import finishes.
   * @default {"<projectDir>/import-<database id>.journal"}
   */
  journal?: string;
  /**
   * Create the backup's constraints and indexes (after the data).
   * @default {true}
   */
  schema?: boolean;
  /** Cancels the import; it can be resumed later. */
  signal?: AbortSignal;
  /** Called as the import goes on. */
  onProgress?: (progress: ImportProgress) => void;
}

/** Where an import is. */
export interface ImportProgress {
  /** The phase running. */
  phase:
    | "checksums"
    | "verify"
    | "clean"
    | "nodes"
    | "relationships"
    | "schema"
    | "check";
  /** Records (bytes for `checksums`) done so far in this phase. */
  done: number;
  /** What `done` goes up to (0 when unknown). */
  total: number;
}

/** Something of the backup's schema the target cannot have, and why. */
export interface SkippedSchema {
  /** The constraint's or index's name. */
  name: string;
  /** Whether it is a constraint or an index. */
  kind: "constraint" | "index";
  /** Its type, as the source reported it (e.g. `NODE_KEY`, `VECTOR`). */
  type: string;
  /** Why the target did not take it (the server's message, or this tool's). */
  reason: string;
}

/**
 * What an import did. The schema is counted as everywhere (see `SchemaCounts`): `indexes` are
 * those of their own, `constraintIndexes` back the constraints created, `lookupIndexes` are the
 * token lookup indexes.
 */
export interface ImportCounts extends SchemaCounts {
  /** Nodes the database holds from the backup. */
  nodes: number;
  /** Relationships the database holds from the backup. */
  relationships: number;
  /** Schema the target could not take (e.g. Enterprise constraints on Community), and why. */
  skipped: SkippedSchema[];
  /** Whether this run continued an interrupted import. */
  resumed: boolean;
  /** Bytes the map from backup node ids to new node ids took. */
  idMapBytes: number;
  /** Wall time, in milliseconds. */
  elapsedMs: number;
}

/** A row of a write query: backup id, endpoints, properties, moved DateTimes (4.x). */
interface Row {
  k: bigint;
  s?: bigint;
  e?: bigint;
  p: Properties;
  z?: Record<string, unknown>;
}

interface Baseline {
  labelSets: Map<string, number>;
  relationshipTypes: Map<string, number>;
}

const DEFAULT_BATCH_SIZE = 10_000;
const RETRY_MS = 60_000;

/**
 * Restores a backup made by the extract into a database: every node with its labels and
 * properties, every relationship, then the schema. Before writing anything it checks every data
 * file against the manifest; after, it checks the counts per label set and relationship type.
 * Nodes find their relationships through a compact id map and id seeks (no scan, no temporary
 * property, label or index); a local journal makes an interrupted import resumable to an exact
 * result.
 *
 * @example Restore a backup into an empty database
 * ```ts ignore
 * import neo4j from "npm:neo4j-driver@^6.3.0";
 * import { Importer } from "./importer.ts";
 *
 * const driver = neo4j.driver("neo4j://localhost:7687", neo4j.auth.basic("neo4j", "secret"), {
 *   useBigInt: true,
 * });
 * const counts = await new Importer({ projectDir: "backup", driver }).importData();
 * console.log(`${counts.nodes} nodes, ${counts.relationships} relationships`);
 * await driver.close();
 * ```
 */
export class Importer {
  readonly #options: ImporterOptions;
  readonly #batchSize: number;
  /** Whether DateTimes with a named zone are rebuilt in Cypher (Neo4j 4.x, see _bolt4_zoned.ts). */
  #zonedFix = false;

  /** Checks the options; nothing runs until {@linkcode Importer.importData}. */
  constructor(options: ImporterOptions) {
    if (
      !options || typeof options.projectDir !== "string" || !options.projectDir
    ) {
      throw new TypeError("projectDir must be a non-empty string");
    }
    if (!options.driver || typeof options.driver.session !== "function") {
      throw new TypeError("driver must be a neo4j-driver Driver");
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (
      !Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 1_000_000
    ) {
      throw new RangeError(
        `batchSize must be an integer from 1 to 1000000, got ${options.batchSize}`,
      );
    }
    this.#options = options;
    this.#batchSize = batchSize;
  }

  /**
   * Runs the import and returns what it did.
   *
   * @throws {BackupError} when the backup is incomplete or corrupt, the server cannot be reached
   *   or fails, the database is not empty and that was not confirmed, there is nothing to
   *   resume, or the database does not hold what the backup holds afterwards.
   */
  async importData(): Promise<ImportCounts> {
    const started = performance.now();
    const o = this.#options;
    const action = "Cannot import backup";
    const context: ConnectionContext = { database: o.database };
    o.signal?.throwIfAborted();

    const backup = await this.#open(action);
    let server: ServerInfo;
    try {
      server = await readServerInfo(o.driver, o.database);
      this.#zonedFix = needsZonedFix(server);
      context.address = server.address;
      await assertLosslessIntegers(o.driver, o.database);
    } catch (error) {
      if (error instanceof TypeError) throw error;
      throw toBackupError(error, action, context);
    }
    const journalPath = o.journal ??
      join(
        o.projectDir,
        `import-${(server.databaseId ?? server.database).slice(0, 16)}.journal`,
      );
    const backupId = await fingerprint(backup);
    const previous = await Journal.read(journalPath);
    if (o.resume) {
      if (!previous) {
        throw new BackupError(
          `${action}: there is nothing to resume (no import journal at ${journalPath})`,
          { code: "RESUME" },
        );
      }
      if (previous.header.backup !== backupId) {
        throw new BackupError(
          `${action}: the journal ${journalPath} belongs to the import of another backup`,
          { code: "RESUME" },
        );
      }
      if (previous.header.target.databaseId !== server.databaseId) {
        throw new BackupError(
          `${action}: the journal ${journalPath} belongs to an import into another database`,
          { code: "RESUME" },
        );
      }
    } else if (previous && !o.clean) {
      throw new BackupError(
        `${action}: an earlier import of this backup into this database did not finish`,
        { code: "RESUME", hint: "resume-or-clean" },
      );
    }

    // Refuse a target that is not empty before the long check of the backup (the user answers
    // now, not minutes later); it is emptied, if asked, only once the backup is known good.
    let contents: DatabaseContents | undefined;
    if (!o.resume) {
      try {
        contents = await this.#confirmTarget(server, action);
      } catch (error) {
        throw toBackupError(error, action, context);
      }
    }

    // Check every file before writing anything.
    const checked = await checkBackup(backup, {
      context: action,
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (p) =>
        o.onProgress?.({
          phase: p.phase === "checksums" ? "checksums" : "verify",
          done: p.done,
          total: p.total,
        }),
    });
    const ids = checked.nodeIds;

    const session = o.driver.session({
      database: o.database,
      defaultAccessMode: neo4j.session.WRITE,
    });
    let journal: Journal | undefined;
    try {
      let baseline: Baseline;
      let resumeFrom: JournalContents | undefined;
      if (o.resume && previous) {
        resumeFrom = await this.#settle(previous);
        baseline = {
          labelSets: new Map(
            previous.header.baseline.labelSets.map((
              s,
            ) => [labelSetKey(s.labels), s.count]),
          ),
          relationshipTypes: new Map(
            previous.header.baseline.relationshipTypes.map((
              t,
            ) => [t.type, t.count]),
          ),
        };
        journal = await Journal.append(journalPath);
      } else {
        // Starting over: the old journal describes data the clean is about to delete, so it
        // must not survive to be resumed should this run be killed before its own journal exists.
        if (previous) await Journal.discard(journalPath);
        baseline = await this.#prepareTarget(contents!);
        journal = await Journal.create(
          journalPath,
          {
            journal: "neo4j-backup-import",
            version: 1,
            backup: backupId,
            target: {
              address: server.address,
              database: server.database,
              databaseId: server.databaseId,
            },
            createdAt: new Date().toISOString(),
            baseline: {
              labelSets: [...baseline.labelSets].map(([key, count]) => ({
                labels: JSON.parse(key),
                count,
              })),
              relationshipTypes: [...baseline.relationshipTypes].map((
                [type, count],
              ) => ({ type, count })),
            },
          } satisfies JournalHeader,
        );
      }

      // Where each file stands: records committed from its start.
      const done = new Map<number, number>();
      let sequence = resumeFrom?.nextSequence ?? 0;
      for (const entry of resumeFrom?.committed ?? []) {
        done.set(entry.f, Math.max(done.get(entry.f) ?? 0, entry.b));
        if (entry.k === "n") {
          for (let i = 0; i < entry.ids.length; i += 2) {
            ids.set(BigInt(entry.ids[i]!), entry.ids[i + 1]!);
          }
        }
      }

      const totals = {
        nodes: checked.counts.nodes,
        relationships: checked.counts.relationships,
      };
      const progress = { nodes: 0, relationships: 0 };
      for (const [f, file] of backup.files.entries()) {
        progress[file.kind] += done.get(f) ?? 0;
      }
      for (const [f, file] of backup.files.entries()) {
        o.signal?.throwIfAborted();
        const start = done.get(f) ?? 0;
        if (file.records !== null && start >= file.records) continue;
        sequence = await this.#importFile(
          backup,
          f,
          file,
          start,
          { session, journal, ids, sequence, action },
          (n) => {
            progress[file.kind] += n;
            o.onProgress?.({
              phase: file.kind,
              done: progress[file.kind],
              total: totals[file.kind],
            });
          },
        );
      }

      o.signal?.throwIfAborted();
      const schema = o.schema ?? true;
      const { created, skipped } = schema
        ? await this.#createSchema(backup, server, baseline)
        : { created: NO_SCHEMA, skipped: [] };

      o.signal?.throwIfAborted();
      o.onProgress?.({ phase: "check", done: 0, total: 0 });
      await this.#check(checked, baseline, action);
      await journal.remove();
      journal = undefined;
      return {
        nodes: totals.nodes,
        relationships: totals.relationships,
        ...created,
        skipped,
        resumed: resumeFrom !== undefined,
        idMapBytes: ids.byteLength,
        elapsedMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      const failure = toBackupError(error, action, context);
      const hint = journal ? resumeHint(failure) : undefined;
      throw hint ? failure.with({ hint }) : failure;
    } finally {
      journal?.close();
      await session.close().catch(() => {});
    }
  }

  async #open(action: string): Promise<BackupReader> {
    try {
      return await openBackup(this.#options.projectDir);
    } catch (error) {
      if (error instanceof BackupError) {
        throw new BackupError(`${action}: ${error.message}`, {
          code: error.code,
          ...(error.file === undefined ? {} : { file: error.file }),
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * Asks before importing into a target that is not empty, or before emptying it (`clean`), and
   * refuses when that is not confirmed; returns what the target holds.
   */
  async #confirmTarget(
    server: ServerInfo,
    action: string,
  ): Promise<DatabaseContents> {
    const o = this.#options;
    const contents = await databaseContents(o.driver, o.database);
    if (isEmpty(contents)) return contents;
    const where = `database "${server.database}" at ${server.address}`;
    const summary =
      `${contents.nodes} nodes, ${contents.relationships} relationships, ${
        describeSchemaCounts(contents)
      }`;
    const question = o.clean
      ? `Delete everything in ${where} (${summary})?`
      : `${where} is not empty (${summary}). Import into it anyway? The backup's nodes, relationships and schema are added to what it holds; nothing in it is changed or deleted.`;
    if (o.inputYes || (o.confirm && await o.confirm(question))) return contents;
    throw o.clean
      ? new BackupError(
        `${action}: emptying ${where} (${summary}) was not confirmed`,
        { code: "TARGET_NOT_EMPTY", hint: "confirm", address: server.address },
      )
      : new BackupError(`${action}: ${where} is not empty (${summary})`, {
        code: "TARGET_NOT_EMPTY",
        hint: "confirm-or-clean",
        address: server.address,
      });
  }

  /**
   * Empties the target when asked (confirmed by {@linkcode Importer.#confirmTarget}); returns what
   * it holds before the first write.
   */
  async #prepareTarget(contents: DatabaseContents): Promise<Baseline> {
    const o = this.#options;
    if (isEmpty(contents)) {
      return { labelSets: new Map(), relationshipTypes: new Map() };
    }
    if (!o.clean) return await this.#countTarget();
    o.onProgress?.({ phase: "clean", done: 0, total: contents.nodes });
    await cleanDatabase(o.driver, o.database, this.#batchSize);
    o.onProgress?.({
      phase: "clean",
      done: contents.nodes,
      total: contents.nodes,
    });
    return { labelSets: new Map(), relationshipTypes: new Map() };
  }

  /** Nodes per label set and relationships per type, as the target holds them now. */
  async #countTarget(): Promise<Baseline> {
    const { records: sets } = await this.#query(
      "MATCH (n) RETURN labels(n) AS labels, count(*) AS count",
    );
    const labelSets = new Map<string, number>();
    for (const record of sets) {
      const key = labelSetKey(record.get("labels") as string[]);
      labelSets.set(
        key,
        (labelSets.get(key) ?? 0) + Number(record.get("count")),
      );
    }
    const { records: types } = await this.#query(
      "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count",
    );
    return {
      labelSets,
      relationshipTypes: new Map(
        types.map((r) => [String(r.get("type")), Number(r.get("count"))]),
      ),
    };
  }

  /**
   * Settles the transactions the journal began but did not see commit: committed when every id
   * they created exists, not when none does.
   */
  async #settle(journal: JournalContents): Promise<JournalContents> {
    const committed = [...journal.committed];
    for (const entry of journal.uncertain) {
      if (await this.#landed(entry)) committed.push(entry);
    }
    return { ...journal, committed, uncertain: [] };
  }

  /** Runs a query that is safe to repeat, retrying what may succeed on a second try. */
  #query(
    cypher: string,
    params: Record<string, unknown> = {},
    write = false,
  ): Promise<QueryResult> {
    const o = this.#options;
    return withRetry(
      () =>
        o.driver.executeQuery(cypher, params, {
          database: o.database,
          routing: write ? neo4j.routing.WRITE : neo4j.routing.READ,
        }),
      { signal: o.signal },
    );
  }

  /** Whether a journal entry's transaction committed. */
  async #landed(entry: JournalEntry): Promise<boolean> {
    const created = entry.k === "n"
      ? entry.ids.filter((_, i) => i % 2 === 1)
      : entry.ids;
    if (created.length === 0) return true;
    const query = entry.k === "n"
      ? "MATCH (n) WHERE id(n) IN $ids RETURN count(n) AS count"
      : "MATCH ()-[r]->() WHERE id(r) IN $ids RETURN count(r) AS count";
    const { records } = await this.#query(query, {
      ids: created.map((id) => neo4j.int(id)),
    });
    const found = Number(records[0]?.get("count") ?? 0);
    if (found === created.length) return true;
    if (found === 0) return false;
    throw new BackupError(
      `Cannot resume: the database holds ${found} of the ${created.length} ${
        entry.k === "n" ? "nodes" : "relationships"
      } of an interrupted transaction; it was changed by something else since`,
      { code: "RESUME" },
    );
  }

  /** Imports a data file from record `start` on, a transaction per batch. */
  async #importFile(
    backup: BackupReader,
    fileIndex: number,
    file: BackupFile,
    start: number,
    state: {
      session: Session;
      journal: Journal;
      ids: IdMap;
      sequence: number;
      action: string;
    },
    onCommitted: (records: number) => void,
  ): Promise<number> {
    const o = this.#options;
    const records = backup.records(file, {
      context: state.action,
      ...(o.signal ? { signal: o.signal } : {}),
    }).pipeThrough(
      // Read ahead while the server works on the previous batch.
      new TransformStream<BackupRecord[], BackupRecord[]>(
        undefined,
        { highWaterMark: 16 },
        { highWaterMark: 16 },
      ),
    );
    let position = 0;
    let unit: BackupRecord[] = [];
    let unitStart = start;
    const flush = async (): Promise<void> => {
      if (unit.length === 0) return;
      o.signal?.throwIfAborted();
      const entry: JournalEntry = {
        s: state.sequence++,
        k: file.kind === "nodes" ? "n" : "r",
        f: fileIndex,
        a: unitStart,
        b: unitStart + unit.length,
        ids: [],
      };
      await this.#commit(unit, entry, state);
      onCommitted(unit.length);
      unitStart += unit.length;
      unit = [];
    };
    for await (const batch of records) {
      for (const record of batch) {
        if (position++ < start) continue;
        unit.push(record);
        if (unit.length === this.#batchSize) await flush();
      }
    }
    await flush();
    return state.sequence;
  }

  /**
   * Writes one batch in one transaction, journaled: the ids it created are flushed to the
   * journal before the commit. Retries what the driver calls retryable, settling first whether
   * the failed attempt committed.
   */
  async #commit(
    unit: BackupRecord[],
    entry: JournalEntry,
    state: { session: Session; journal: Journal; ids: IdMap; sequence: number },
  ): Promise<void> {
    const deadline = Date.now() + RETRY_MS;
    let attempt: JournalEntry | undefined;
    for (let delay = 200;; delay = Math.min(delay * 2, 5_000)) {
      try {
        if (attempt) {
          // A previous attempt got as far as the journal: did it commit?
          if (await this.#landed(attempt)) {
            await state.journal.commit(attempt.s);
            this.#apply(attempt, state.ids);
            return;
          }
          await state.journal.abort(attempt.s);
          attempt = undefined;
          entry = { ...entry, s: state.sequence++ };
        }
        const tx = state.session.beginTransaction();
        try {
          entry.ids = entry.k === "n"
            ? await this.#createNodes(tx, unit)
            : await this.#createRelationships(tx, unit, state.ids);
          await state.journal.begin(entry);
          attempt = entry;
          await tx.commit();
        } catch (error) {
          if (tx.isOpen()) await tx.rollback().catch(() => {});
          throw error;
        }
        await state.journal.commit(entry.s);
        this.#apply(entry, state.ids);
        return;
      } catch (error) {
        if (!isRetryable(error) || Date.now() + delay > deadline) throw error;
        this.#options.signal?.throwIfAborted();
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  #apply(entry: JournalEntry, ids: IdMap): void {
    if (entry.k !== "n") return;
    for (let i = 0; i < entry.ids.length; i += 2) {
      ids.set(BigInt(entry.ids[i]!), entry.ids[i + 1]!);
    }
  }

  /**
   * On a Neo4j 4.x target, moves the DateTimes with a named zone of `row.p` to `row.z` and adds
   * their keys to `zoned` (see _bolt4_zoned.ts); otherwise leaves the row as it is.
   */
  #moveZoned(row: Row, zoned: Set<string>): Row {
    const split = this.#zonedFix ? splitZoned(row.p) : undefined;
    if (split) {
      for (const key of Object.keys(split.zoned)) zoned.add(key);
      row.p = split.properties;
      row.z = split.zoned;
    }
    return row;
  }

  /** Creates a batch of nodes, a query per label set; returns [backup id, new id] pairs. */
  async #createNodes(
    tx: Transaction,
    unit: BackupRecord[],
  ): Promise<number[]> {
    const groups = new Map<
      string,
      { labels: string[]; rows: Row[]; zoned: Set<string> }
    >();
    for (const record of unit) {
      if (record.kind !== "node") continue;
      const key = labelSetKey(record.labels);
      let group = groups.get(key);
      if (!group) {
        groups.set(
          key,
          group = { labels: record.labels, rows: [], zoned: new Set() },
        );
      }
      group.rows.push(
        this.#moveZoned({ k: record.id, p: record.properties }, group.zoned),
      );
    }
    const results = await Promise.all(
      [...groups.values()].map(({ labels, rows, zoned }) =>
        tx.run(
          `UNWIND $rows AS row CREATE (n${
            labelExpression(labels)
          }) SET n = row.p${
            zonedSetClauses("n", zoned)
          } RETURN row.k AS k, id(n) AS id`,
          { rows },
        )
      ),
    );
    const pairs: number[] = [];
    for (const result of results) {
      for (const record of result.records) {
        pairs.push(Number(record.get(0)), Number(record.get(1)));
      }
    }
    if (pairs.length !== unit.length * 2) {
      throw new BackupError(
        `Created ${pairs.length / 2} of ${unit.length} nodes in a transaction`,
        { code: "SERVER" },
      );
    }
    return pairs;
  }

  /** Creates a batch of relationships, a query per type; returns the new ids. */
  async #createRelationships(
    tx: Transaction,
    unit: BackupRecord[],
    ids: IdMap,
  ): Promise<number[]> {
    const groups = new Map<string, { rows: Row[]; zoned: Set<string> }>();
    for (const record of unit) {
      if (record.kind !== "relationship") continue;
      const start = ids.get(record.startId);
      const end = ids.get(record.endId);
      if (start === undefined || end === undefined) {
        throw new BackupError(
          `Relationship ${record.id} ends at node ${
            start === undefined ? record.startId : record.endId
          }, which was not imported`,
          { code: "INVALID_BACKUP" },
        );
      }
      let group = groups.get(record.type);
      if (!group) {
        groups.set(record.type, group = { rows: [], zoned: new Set() });
      }
      group.rows.push(
        this.#moveZoned({
          k: record.id,
          s: BigInt(start),
          e: BigInt(end),
          p: record.properties,
        }, group.zoned),
      );
    }
    const results = await Promise.all(
      [...groups].map(([type, { rows, zoned }]) =>
        tx.run(
          `UNWIND $rows AS row MATCH (a) WHERE id(a) = row.s MATCH (b) WHERE id(b) = row.e CREATE (a)-[r${
            labelExpression([type])
          }]->(b) SET r = row.p${
            zonedSetClauses("r", zoned)
          } RETURN id(r) AS id`,
          { rows },
        )
      ),
    );
    const created: number[] = [];
    for (const result of results) {
      for (const record of result.records) created.push(Number(record.get(0)));
    }
    if (created.length !== unit.length) {
      throw new BackupError(
        `Created ${created.length} of ${unit.length} relationships in a transaction: endpoints are missing in the database`,
        { code: "SERVER" },
      );
    }
    return created;
  }

  /** Creates the backup's constraints and indexes and waits until they are online. */
  async #createSchema(
    backup: BackupReader,
    server: ServerInfo,
    baseline: Baseline,
  ): Promise<{ created: SchemaCounts; skipped: SkippedSchema[] }> {
    const o = this.#options;
    const { statements, skipped } = schemaStatements(backup.schema, server, {
      ...(backup.manifest
        ? { sourceVersion: backup.manifest.source.version }
        : {}),
    });
    const total = statements.length;
    const created = { ...NO_SCHEMA };
    const owners = new Set(
      backup.schema.indexes.map((i) => i.owningConstraint),
    );
    const targetWasEmpty = baseline.labelSets.size === 0 &&
      baseline.relationshipTypes.size === 0;
    const lookups = await this.#lookupIndexes();
    for (const [n, statement] of statements.entries()) {
      o.signal?.throwIfAborted();
      o.onProgress?.({ phase: "schema", done: n, total });
      if (statement.lookup) {
        const existing = lookups.get(statement.lookup);
        if (existing === statement.name) {
          created.lookupIndexes++;
          continue;
        }
        if (existing !== undefined) {
          if (!targetWasEmpty) {
            skipped.push({
              name: statement.name,
              kind: "index",
              type: statement.type,
              reason: `the database already has the lookup index "${existing}"`,
            });
            continue;
          }
          await this.#query(
            `DROP INDEX ${escapeName(existing)} IF EXISTS`,
            {},
            true,
          );
        }
      }
      try {
        try {
          await this.#query(statement.cypher, statement.params, true);
        } catch (error) {
          // A server that died while it built a constraint keeps the index it had begun for it,
          // under the constraint's name, without the constraint: take it away and build again.
          if (
            statement.kind !== "constraint" ||
            !(targetWasEmpty || o.resume) ||
            !await this.#dropOrphanIndex(statement.name, error)
          ) throw error;
          await this.#query(statement.cypher, statement.params, true);
        }
        if (statement.kind === "constraint") {
          created.constraints++;
          if (owners.has(statement.name)) created.constraintIndexes++;
        } else if (statement.lookup) created.lookupIndexes++;
        else created.indexes++;
      } catch (error) {
        if (!isUnsupported(error)) throw error;
        skipped.push({
          name: statement.name,
          kind: statement.kind,
          type: statement.type,
          reason: (error as Error).message.split("\n")[0]!,
        });
      }
    }
    o.onProgress?.({ phase: "schema", done: total, total });
    await this.#awaitIndexes();
    return { created, skipped };
  }

  /**
   * Waits until every index is online, asking the server twice a second so that a stop (the
   * signal) is honoured while a large index populates; a failed index fails the import with the
   * server's own message.
   */
  async #awaitIndexes(): Promise<void> {
    const o = this.#options;
    for (;;) {
      o.signal?.throwIfAborted();
      const { records } = await this.#query(
        "SHOW INDEXES YIELD state RETURN state, count(*) AS count",
      );
      const states = new Set(records.map((r) => String(r.get("state"))));
      if (states.has("FAILED")) {
        // The server's message names the index and why.
        await this.#query("CALL db.awaitIndexes(1)", {}, true);
        throw new BackupError("Cannot import backup: an index failed", {
          code: "SERVER",
        });
      }
      if ([...states].every((state) => state === "ONLINE")) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /**
   * After `error` from creating the constraint `name`: when the database has an index of that
   * name that no constraint owns (left by a crash while the constraint was being built), drops
   * it and says so.
   */
  async #dropOrphanIndex(name: string, error: unknown): Promise<boolean> {
    const code = (error as { code?: unknown }).code;
    if (code !== "Neo.ClientError.Schema.IndexWithNameAlreadyExists") {
      return false;
    }
    // Neo4j 4.4 has no owningConstraint: there the original error stands.
    const records = await this.#query(
      "SHOW INDEXES YIELD name, owningConstraint WHERE name = $name RETURN owningConstraint",
      { name },
    ).then((result) => result.records, () => []);
    if (records.length !== 1 || records[0]!.get("owningConstraint") !== null) {
      return false;
    }
    await this.#query(`DROP INDEX ${escapeName(name)} IF EXISTS`, {}, true);
    return true;
  }

  /** The names of the target's lookup indexes, by entity. */
  async #lookupIndexes(): Promise<Map<"NODE" | "RELATIONSHIP", string>> {
    const { records } = await this.#query(
      "SHOW INDEXES YIELD name, type, entityType WHERE type = 'LOOKUP' RETURN name, entityType",
    );
    return new Map(
      records.map((r) => [
        r.get("entityType") as "NODE" | "RELATIONSHIP",
        String(r.get("name")),
      ]),
    );
  }

  /**
   * Compares the target's counts with the backup's (plus what the target held before): the
   * counts the check of every record found, which for a backup with a manifest equal the
   * manifest's.
   */
  async #check(
    checked: CheckedBackup,
    baseline: Baseline,
    action: string,
  ): Promise<void> {
    const actual = await this.#countTarget();
    const differences: string[] = [];
    const expectedSets = new Map(baseline.labelSets);
    for (const [key, count] of checked.labelSets) {
      expectedSets.set(key, (expectedSets.get(key) ?? 0) + count);
    }
    const expectedTypes = new Map(baseline.relationshipTypes);
    for (const [type, count] of checked.relationshipTypes) {
      expectedTypes.set(type, (expectedTypes.get(type) ?? 0) + count);
    }
    for (
      const key of new Set([
        ...expectedSets.keys(),
        ...actual.labelSets.keys(),
      ])
    ) {
      const want = expectedSets.get(key) ?? 0;
      const have = actual.labelSets.get(key) ?? 0;
      if (want !== have) {
        differences.push(`nodes labelled ${key}: ${have}, expected ${want}`);
      }
    }
    for (
      const type of new Set([
        ...expectedTypes.keys(),
        ...actual.relationshipTypes.keys(),
      ])
    ) {
      const want = expectedTypes.get(type) ?? 0;
      const have = actual.relationshipTypes.get(type) ?? 0;
      if (want !== have) {
        differences.push(
          `relationships of type ${
            JSON.stringify(type)
          }: ${have}, expected ${want}`,
        );
      }
    }
    if (differences.length > 0) {
      throw new BackupError(
        `${action}: the database does not hold what the backup holds: ${
          differences.slice(0, 5).join("; ")
        }${
          differences.length > 5 ? ` (and ${differences.length - 5} more)` : ""
        }`,
        { code: "VERIFICATION" },
      );
    }
  }
}

const NO_SCHEMA: SchemaCounts = {
  constraints: 0,
  indexes: 0,
  constraintIndexes: 0,
  lookupIndexes: 0,
};

function isEmpty(contents: DatabaseContents): boolean {
  return contents.nodes === 0 && contents.relationships === 0 &&
    contents.constraints === 0 && contents.indexes === 0;
}

/**
 * What can be done about an import that failed after it began writing (its journal exists):
 * resuming finishes it unless the failure was a check of the result, a transaction too large
 * for the server (then only with smaller batches), or the database refusing the data (then only
 * once the cause is removed).
 */
function resumeHint(failure: BackupError): BackupErrorHint | undefined {
  if (failure.code === "VERIFICATION" || failure.code === "INVALID_BACKUP") {
    return undefined;
  }
  const cause = failure.cause;
  if (isMemoryLimit(cause)) return "resume-smaller-batches";
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (
    failure.code === "SERVER" && typeof code === "string" &&
    code.startsWith("Neo.ClientError.")
  ) return "resume-after-fix";
  return "resume";
}

/** A backup's identity: its manifest's bytes, or its file list. */
async function fingerprint(backup: BackupReader): Promise<string> {
  const hash = createHash("sha256");
  if (backup.manifest) {
    hash.update(await Deno.readFile(join(backup.dir, "manifest.json")));
  } else {
    for (const file of backup.files) {
      const info = await Deno.stat(join(backup.dir, file.path));
      hash.update(`${file.path}\0${info.size}\0${info.mtime?.getTime()}\n`);
    }
  }
  return hash.digest("hex");
}

/** Whether a schema statement failed because the target cannot have that schema. */
function isUnsupported(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  const message = (error as Error).message ?? "";
  return /Enterprise|not supported|unsupported|Invalid input|ConstraintCreationFailed|IndexCreationFailed|Unsupported/i
    .test(`${code} ${message}`);
}
