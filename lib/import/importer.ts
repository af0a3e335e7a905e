import neo4j, { type Driver } from "../_driver.ts";
import { assertLosslessIntegers } from "../_lossless.ts";
import { type ConnectionContext, toBackupError } from "../_neo4j_errors.ts";
import { isMemoryLimit } from "../_retry.ts";
import type { SchemaCounts } from "../_schema_counts.ts";
import { readServerInfo, type ServerInfo } from "../_server_info.ts";
import { BackupError, type BackupErrorHint } from "../errors.ts";
import { type BackupReader, openBackup } from "../format/backup_reader.ts";
import { checkBackup, type CheckedBackup } from "../verify/_check_backup.ts";
import { type Selection, Selector } from "../format/selection.ts";
import type { BackupRecord } from "../format/record.ts";
import { Renames } from "./_renames.ts";
import { needsZonedFix } from "./_bolt4_zoned.ts";
import { takesDynamicLabels } from "./_write_batch.ts";
import { BatchWriter } from "./_batch_writer.ts";
import type { DatabaseContents } from "./_clean.ts";
import { Journal, type JournalContents } from "./_journal.ts";
import { processEnv, stateDir } from "../_state_dir.ts";
import {
  type ElsewhereOptions,
  isElsewhere,
  readElsewhere,
} from "../location/_working_copy.ts";
import {
  covers,
  defaultJournalPath,
  fingerprint,
  journalBaseline,
  journalHeader,
  readJournal,
  type ResumePoint,
  resumePoint,
} from "./_resume.ts";
import { type CreatedSchema, createSchema } from "./_schema_writer.ts";
import { type GraphCounts, Target } from "./_target.ts";
import { checkTarget, confirmTarget, prepareTarget } from "./_target_checks.ts";

export type { SkippedSchema } from "./_schema_statements.ts";
import type { SkippedSchema } from "./_schema_statements.ts";

/**
 * Options for {@linkcode Importer}: the Python tool's, in camelCase, and more. The
 * {@linkcode Selection} (`labels`, `excludeLabels`, `types`, `excludeTypes`, `schema`, `data`)
 * takes part of a backup, as the Extractor's takes part of a database; renames apply after it.
 */
export interface ImporterOptions extends Selection, ElsewhereOptions {
  /**
   * The backup to read: a directory, `s3://bucket/prefix`, `-` (a tar stream on standard input)
   * or a `.tar` file. Elsewhere than a directory, its files are downloaded into a copy in the
   * state folder first (kept until the import succeeds, for a resume); nothing is written to it.
   */
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
   * Records per transaction, at most.
   * @default {10000}
   */
  batchSize?: number;
  /**
   * About this many bytes of property values per transaction, at most (a larger record goes in a
   * transaction of its own). A transaction the server refuses for its memory
   * (`db.memory.transaction.max`) is split and retried however large this is, down to a single
   * record; the import then keeps its transactions below the size refused.
   * @default {8388608} (8 MiB)
   */
  batchBytes?: number;
  /**
   * Transactions written at once, each on its own session: nodes, then relationships.
   * @default {2}
   */
  jobs?: number;
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
   * The import journal that makes `resume` possible; deleted when the import finishes. It is
   * never written into the backup's directory by default, so that a backup on a read-only
   * mount, in a bucket or on standard input stays untouched.
   * @default {"<journalDir>/import-<backup digest>-<database id>.journal"}
   */
  journal?: string;
  /**
   * The folder of the journal when `journal` is not given.
   * @default {the state folder: NEO4J_BACKUP_STATE_DIR, $XDG_STATE_HOME/neo4j-backup or ~/.local/state/neo4j-backup}
   */
  journalDir?: string;
  /**
   * Labels to rename on the way, old name to new name (the selection names the old ones).
   * @default {{}}
   */
  renameLabels?: Record<string, string>;
  /**
   * Relationship types to rename on the way, old name to new name.
   * @default {{}}
   */
  renameTypes?: Record<string, string>;
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
    | "prepare"
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
  /**
   * Transactions tried again after a transient failure: a lost connection, a server restarting
   * the database, a deadlock between parallel writers.
   */
  retries: number;
  /** Relationships of a selected type left out because an endpoint was not selected. */
  relationshipsLeftOut: number;
  /** Names the selection gives (selected or excluded) that the backup does not hold. */
  unmatched: { labels: string[]; types: string[] };
  /** Bytes the map from backup node ids to new node ids took. */
  idMapBytes: number;
  /** Wall time, in milliseconds. */
  elapsedMs: number;
}

const DEFAULT_BATCH_SIZE = 10_000;
/** See {@linkcode ImporterOptions.batchBytes}. */
const DEFAULT_BATCH_BYTES = 8 << 20;
/** See {@linkcode ImporterOptions.jobs}. */
const DEFAULT_JOBS = 2;
const ACTION = "Cannot import backup";

/** Everything one run of an import knows, gathered in the order it learns it. */
interface ImportRun {
  readonly backup: BackupReader;
  readonly target: Target;
  readonly server: ServerInfo;
  /** Where the servers's address and the database go into messages. */
  readonly context: ConnectionContext;
  readonly journalPath: string;
  /** The backup's identity, for the journal. */
  readonly backupId: string;
  /** The journal of an earlier run (with `resume`, the one to continue). */
  readonly previous: JournalContents | undefined;
  /** What the target held before (undefined when resuming). */
  readonly contents: DatabaseContents | undefined;
  /** What the check of the backup found, with its node ids (and what the selection takes). */
  readonly checked: CheckedBackup;
  /** What the import writes: the records selected, counted with their new names. */
  readonly expected: ExpectedGraph;
}

/** What an import writes into the target. */
interface ExpectedGraph {
  nodes: number;
  relationships: number;
  relationshipsLeftOut: number;
  /** Per label set key and per type, renamed. */
  counts: GraphCounts;
}

/** Where the writing starts: a fresh journal, or the one of the run being resumed. */
interface WriteStart {
  journal: Journal;
  /** What the target held before the import's first write. */
  baseline: GraphCounts;
  from: ResumePoint;
  resumed: boolean;
}

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
 * import neo4j from "npm:neo4j-driver@6.3.0";
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
  readonly #selector: Selector;
  readonly #renames: Renames;

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
    const jobs = options.jobs ?? DEFAULT_JOBS;
    if (!Number.isSafeInteger(jobs) || jobs < 1 || jobs > 64) {
      throw new RangeError(
        `jobs must be an integer from 1 to 64, got ${options.jobs}`,
      );
    }
    const bytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
    if (!Number.isSafeInteger(bytes) || bytes < 1) {
      throw new RangeError(
        `batchBytes must be a positive integer, got ${options.batchBytes}`,
      );
    }
    this.#selector = new Selector(options);
    this.#renames = new Renames(options.renameLabels, options.renameTypes);
    this.#options = options;
    this.#batchSize = batchSize;
  }

  /** The selection and renames, for the journal (undefined: everything, as backed up). */
  get #selectionId(): string | undefined {
    if (this.#selector.all && this.#renames.none) return undefined;
    const s = this.#selector;
    return JSON.stringify({
      ...s.toRecord(0),
      relationshipsLeftOut: undefined,
      renames: this.#renames.toJson(),
    });
  }

  /**
   * Runs the import and returns what it did: opens and identifies the backup, connects, checks
   * the journal of an earlier run, refuses (or confirms) a non-empty target, checks every file
   * of the backup, then writes.
   *
   * @throws {BackupError} when the backup is incomplete or corrupt, the server cannot be reached
   *   or fails, the database is not empty and that was not confirmed, there is nothing to
   *   resume, or the database does not hold what the backup holds afterwards.
   */
  async importData(): Promise<ImportCounts> {
    const started = performance.now();
    const o = this.#options;
    o.signal?.throwIfAborted();
    if (isElsewhere(o.projectDir)) {
      return await readElsewhere(
        "import",
        o.projectDir,
        o,
        undefined,
        (dir) =>
          new Importer({
            ...o,
            projectDir: dir,
            ...(o.journalDir ?? o.stateDir
              ? { journalDir: o.journalDir ?? o.stateDir }
              : {}),
          }).importData(),
      );
    }
    const backup = await openForImport(o.projectDir);
    const target = new Target(o.driver, o.database, o.signal);
    const context: ConnectionContext = { database: o.database };
    const server = await guard(() => this.#connect(context), context);
    const backupId = await fingerprint(backup);
    const journalPath = o.journal ??
      defaultJournalPath(
        o.journalDir ?? stateDir(processEnv),
        backupId,
        server,
      );
    const previous = await readJournal(
      journalPath,
      {
        backup: backupId,
        databaseId: server.databaseId,
        selection: this.#selectionId,
      },
      { resume: o.resume ?? false, clean: o.clean ?? false },
      ACTION,
    );
    // A target that is not empty is refused (or confirmed) before the long check of the
    // backup; it is emptied, if asked, only once the backup is known to be good.
    const contents = o.resume ? undefined : await guard(
      () =>
        confirmTarget(target, server, {
          clean: o.clean ?? false,
          inputYes: o.inputYes ?? false,
          confirm: o.confirm,
        }, ACTION),
      context,
    );
    const checked = await checkBackup(backup, {
      context: ACTION,
      selector: this.#selector,
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (p) =>
        o.onProgress?.({
          phase: p.phase === "checksums" ? "checksums" : "verify",
          done: p.done,
          total: p.total,
        }),
    });
    const run: ImportRun = {
      backup,
      target,
      server,
      context,
      journalPath,
      backupId,
      previous,
      contents,
      checked,
      expected: this.#expected(checked),
    };
    const unmatched = this.#selector.unmatched({
      labels: [...checked.labelSets.keys()].flatMap((key) =>
        JSON.parse(key) as string[]
      ),
      types: checked.relationshipTypes.keys(),
    });
    return {
      ...await this.#write(run),
      relationshipsLeftOut: run.expected.relationshipsLeftOut,
      unmatched,
      elapsedMs: elapsed(started),
    };
  }

  /** What the import writes: the records the selection takes, with their new names. */
  #expected(checked: CheckedBackup): ExpectedGraph {
    const selected = checked.selected;
    const taken = selected ?? {
      ...checked.counts,
      labelSets: checked.labelSets,
      relationshipTypes: checked.relationshipTypes,
      relationshipsLeftOut: 0,
    };
    return {
      nodes: taken.nodes,
      relationships: taken.relationships,
      relationshipsLeftOut: taken.relationshipsLeftOut,
      counts: this.#renames.counts(taken),
    };
  }

  /** Reads what the server is, and checks that the driver keeps integers exact. */
  async #connect(context: ConnectionContext): Promise<ServerInfo> {
    const o = this.#options;
    const server = await readServerInfo(o.driver, o.database, {
      signal: o.signal,
    });
    context.address = server.address;
    await assertLosslessIntegers(o.driver, o.database);
    return server;
  }

  /**
   * Writes the data and the schema, journaled, then checks the counts. A failure after the
   * journal exists says, as its hint, whether a resume can finish the import.
   */
  async #write(
    run: ImportRun,
  ): Promise<
    Omit<ImportCounts, "elapsedMs" | "relationshipsLeftOut" | "unmatched">
  > {
    const o = this.#options;
    let journal: Journal | undefined;
    try {
      const start = await this.#start(run);
      journal = start.journal;
      const retries = await this.#writeData(run, start);
      o.signal?.throwIfAborted();
      const schema = await this.#writeSchema(run, start.baseline);
      o.signal?.throwIfAborted();
      o.onProgress?.({ phase: "check", done: 0, total: 0 });
      await checkTarget(
        run.target,
        start.baseline,
        run.expected.counts,
        ACTION,
      );
      await journal.remove();
      journal = undefined;
      return {
        nodes: run.expected.nodes,
        relationships: run.expected.relationships,
        ...schema.created,
        skipped: schema.skipped,
        resumed: start.resumed,
        retries,
        idMapBytes: run.checked.nodeIds.byteLength,
      };
    } catch (error) {
      const failure = toBackupError(error, ACTION, run.context);
      const hint = journal ? resumeHint(failure) : undefined;
      throw hint ? failure.with({ hint }) : failure;
    } finally {
      journal?.close();
    }
  }

  /**
   * Continues the journal of the run being resumed (settling its uncertain transactions), or
   * prepares the target (emptying it when asked) and starts a new journal.
   */
  async #start(run: ImportRun): Promise<WriteStart> {
    const o = this.#options;
    o.onProgress?.({ phase: "prepare", done: 0, total: 0 });
    const ids = run.checked.nodeIds;
    if (o.resume && run.previous) {
      const from = await resumePoint(run.target, run.previous, ids);
      return {
        journal: await Journal.append(run.journalPath),
        baseline: journalBaseline(run.previous.header),
        from,
        resumed: true,
      };
    }
    // Starting over: the old journal describes data the clean is about to delete, so it must
    // not survive to be resumed should this run be killed before its own journal exists.
    if (run.previous) await Journal.discard(run.journalPath);
    const baseline = await prepareTarget(run.target, run.contents!, {
      clean: o.clean ?? false,
      batchSize: this.#batchSize,
      onClean: (done, total) => o.onProgress?.({ phase: "clean", done, total }),
    });
    const journal = await Journal.create(
      run.journalPath,
      journalHeader(run.backupId, run.server, baseline, this.#selectionId),
    );
    return {
      journal,
      baseline,
      from: {
        done: new Map(),
        written: { nodes: 0, relationships: 0 },
        sequence: 0,
      },
      resumed: false,
    };
  }

  /**
   * Writes every data file from where it stands, nodes first (the relationships need every
   * node's new id), `jobs` transactions at once.
   */
  async #writeData(run: ImportRun, start: WriteStart): Promise<number> {
    const o = this.#options;
    if (!this.#selector.data) return 0;
    const writer = new BatchWriter(run.target, {
      openSession: () =>
        o.driver.session({
          database: o.database,
          defaultAccessMode: neo4j.session.WRITE,
        }),
      journal: start.journal,
      ids: run.checked.nodeIds,
      from: start.from,
    }, {
      batchSize: this.#batchSize,
      batchBytes: o.batchBytes ?? DEFAULT_BATCH_BYTES,
      jobs: o.jobs ?? DEFAULT_JOBS,
      zonedFix: needsZonedFix(run.server),
      dynamic: takesDynamicLabels(run.server),
      memorySetting: run.server.major === 4
        ? "dbms.memory.transaction.max_size"
        : "db.memory.transaction.max",
      action: ACTION,
      ...this.#filters(run.checked),
    });
    const { files } = run.backup;
    const progress = { ...start.from.written };
    try {
      for (const kind of ["nodes", "relationships"] as const) {
        o.signal?.throwIfAborted();
        const total = run.expected[kind];
        // The phase starts now, before its first commit (the first batch may take a while).
        o.onProgress?.({ phase: kind, done: progress[kind], total });
        const todo = [...files.keys()].filter((f) =>
          files[f]!.kind === kind &&
          !covers(start.from.done.get(f), files[f]!.records)
        );
        await writer.writeFiles(run.backup, todo, (n) => {
          progress[kind] += n;
          o.onProgress?.({ phase: kind, done: progress[kind], total });
        });
      }
    } finally {
      await writer.close();
    }
    return writer.retries;
  }

  /** Which records the writer takes, and how it renames them. */
  #filters(checked: CheckedBackup): {
    select?: (record: BackupRecord) => boolean;
    rename?: (record: BackupRecord) => BackupRecord;
  } {
    const selector = this.#selector;
    const renames = this.#renames;
    const nodes = checked.selected?.nodeIds;
    return {
      ...(nodes === undefined ? {} : {
        select: (record: BackupRecord): boolean =>
          record.kind === "node"
            ? selector.node(record.labels)
            : selector.type(record.type) && nodes.has(record.startId) &&
              nodes.has(record.endId),
      }),
      ...(renames.none ? {} : {
        rename: (record: BackupRecord): BackupRecord =>
          record.kind === "node"
            ? { ...record, labels: renames.labels(record.labels) }
            : { ...record, type: renames.type(record.type) },
      }),
    };
  }

  /** Creates the backup's schema (unless `schema` is false). */
  async #writeSchema(
    run: ImportRun,
    baseline: GraphCounts,
  ): Promise<CreatedSchema> {
    const o = this.#options;
    if (!this.#selector.schema) {
      return {
        created: {
          constraints: 0,
          indexes: 0,
          constraintIndexes: 0,
          lookupIndexes: 0,
        },
        skipped: [],
      };
    }
    const schema = this.#renames.schema(
      this.#selector.selectSchema(run.backup.schema),
    );
    return await createSchema(run.target, schema, run.server, {
      sourceVersion: run.backup.manifest?.source.version,
      targetWasEmpty: baseline.labelSets.size === 0 &&
        baseline.relationshipTypes.size === 0,
      resume: o.resume ?? false,
      onProgress: (done, total) =>
        o.onProgress?.({ phase: "schema", done, total }),
    });
  }
}

/** Opens the backup; its errors name the import. */
async function openForImport(dir: string): Promise<BackupReader> {
  try {
    return await openBackup(dir);
  } catch (error) {
    if (error instanceof BackupError) {
      throw error.with({
        message: `${ACTION}: ${error.message}`,
        cause: error,
      });
    }
    throw error;
  }
}

/** Runs `work`, turning what the driver or server throws into a BackupError. */
async function guard<T>(
  work: () => Promise<T>,
  context: ConnectionContext,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw toBackupError(error, ACTION, context);
  }
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
  // A record too large for the server's transaction memory: the message names the setting.
  if (isMemoryLimit(cause)) return "resume";
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (
    failure.code === "SERVER" && typeof code === "string" &&
    code.startsWith("Neo.ClientError.")
  ) return "resume-after-fix";
  return "resume";
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
