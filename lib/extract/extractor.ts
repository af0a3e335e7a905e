import { join } from "node:path";
import neo4j, { type Driver, DRIVER_VERSION } from "../_driver.ts";
import { assertLosslessIntegers } from "../_lossless.ts";
import { type ConnectionContext, toBackupError } from "../_neo4j_errors.ts";
import { withRetry } from "../_retry.ts";
import { countSchema, type SchemaCounts } from "../_schema_counts.ts";
import { readServerInfo, type ServerInfo } from "../_server_info.ts";
import { type DriverSettings, PartitionReaders } from "./_partition_readers.ts";
import { DEFAULT_FILE_SIZE } from "../format/data_file_writer.ts";
import {
  CHECKPOINT_FILE,
  DATA_DIR,
  FORMAT_NAME,
  FORMAT_VERSION,
  INCOMPLETE_FILE,
  MANIFEST_FILE,
} from "../format/layout.ts";
import {
  type DataFileEntry,
  type Manifest,
  readManifest,
  type Schema,
  writeManifest,
} from "../format/manifest.ts";
import { VERSION } from "../version.ts";
import { type DatabaseState, readDatabaseState } from "./_database_state.ts";
import { prepareDirectory } from "./_directory.ts";
import { fileError, removeFile, writeTextFile } from "./_files.ts";
import { writeLegacyMetadata } from "./_legacy_metadata.ts";
import { readSchema } from "../_schema.ts";
import { Pool } from "../_pool.ts";
import { BackupError } from "../errors.ts";
import {
  type ElsewhereOptions,
  isElsewhere,
  writeElsewhere,
} from "../location/_working_copy.ts";
import { type Selection, Selector } from "../format/selection.ts";
import {
  Checkpoint,
  type CheckpointContents,
  type CheckpointHeader,
  type DonePartition,
} from "./_checkpoint.ts";
import {
  type DanglingRelationship,
  findDangling,
  readNodeIds,
} from "./_endpoint_check.ts";
import type { NodeIdSet } from "./_node_id_set.ts";
import {
  removePartitionFiles,
  sizeOf,
  sumTallies,
} from "./_partition_files.ts";
import {
  type Partition,
  partitionsOf,
  planPartitions,
} from "./_partition_plan.ts";
import { PARTITIONS_DIR, writePartition } from "./_partition_writer.ts";
import { SinkWorkerPool } from "../format/sink_worker_pool.ts";
import {
  countSelectedTypes,
  nodesByIdQuery,
  readTokens,
} from "./_selected_queries.ts";

/**
 * Options for {@linkcode Extractor}: the Python tool's, in camelCase, and more. The
 * {@linkcode Selection} (`labels`, `excludeLabels`, `types`, `excludeTypes`, `schema`, `data`)
 * chooses what part of the database the backup holds; the server does the selecting (label
 * scans, type patterns), and the manifest records it.
 */
export interface ExtractorOptions extends Selection, ElsewhereOptions {
  /**
   * Where the backup goes: a directory, `s3://bucket/prefix`, `-` (a tar stream on standard
   * output) or a `.tar` file. Elsewhere than a directory, the extract works in a copy in the
   * state folder and sends each partition's files on as they are written, the manifest last.
   */
  projectDir: string;
  /**
   * A neo4j-driver `Driver` connected to the source server (created with `useBigInt: true`
   * or the default integer setting; not `disableLosslessIntegers`). The extractor does not close it.
   */
  driver: Driver;
  /**
   * How to connect to the same server as `driver` (address, credentials, settings), for
   * partition readers of their own. With it, and `jobs` set from 2 up to the cores of this
   * machine, each partition is read in one of `jobs` workers with a driver of its own, so that
   * decoding the records and encoding them, the extract's main costs, run on as many threads;
   * otherwise every partition is read through `driver` on the calling thread (the command line
   * gives it). Measured on two cores shared with the server (200k nodes, 400k relationships,
   * BENCHMARKS.md): `jobs: 2` in workers took 17.5 to 18.3 s and peaked at 376 to 383 MiB,
   * against 25.9 to 31.6 s and 255 to 271 MiB for one job (a bare driver loop: 13.3 to 13.8 s).
   */
  driverSettings?: DriverSettings;
  /**
   * The database to back up.
   * @default {the user's home database}
   */
  database?: string;
  /**
   * Overwrite the backup in a non-empty `projectDir` without asking.
   * @default {false}
   */
  inputYes?: boolean;
  /**
   * Asked when `projectDir` is not empty and `inputYes` is false; without it, a non-empty
   * directory is refused.
   */
  confirm?: (question: string) => boolean | Promise<boolean>;
  /**
   * Gzip the data files.
   * @default {true}
   */
  compress?: boolean;
  /**
   * Indent each record's JSON by this many spaces per level; 0 writes one record per line.
   * @default {0}
   */
  indentSize?: number;
  /**
   * Start a new data file once this many bytes of JSON have gone into the current one.
   * @default {134217728} (128 MiB)
   */
  jsonFileSize?: number;
  /**
   * The Python tool's name for `schema` (it covers the whole schema here); `schema` wins.
   * @default {true}
   * @deprecated Use `schema`.
   */
  pullUniquenessConstraints?: boolean;
  /**
   * Records per Bolt fetch; at most about twice this many records wait between the driver and
   * the encoder. Measured: 2000 is as fast as 5000 or 10000 and keeps peak memory flat from 100k
   * to 1M nodes, where 10000 grew from 540 to 730 MiB.
   * @default {2000}
   */
  fetchSize?: number;
  /**
   * Continue the extract that wrote `projectDir` and did not finish (killed, its connection or
   * server lost, the disk full): the partitions its checkpoint records as done are kept, the
   * others are read again. An extract killed before it wrote its checkpoint starts over; one
   * that had finished is left as it is. Refused for a checkpoint of another database or of other
   * options, and for a directory that holds something else.
   * @default {false}
   */
  resume?: boolean;
  /**
   * Partitions read at once, each over a session of its own (from 1 to 64). By default it is
   * chosen from the server's round trip, timed at the start, and read on the calling thread:
   * measured on two cores shared with the server (BENCHMARKS.md, "Two partitions at once by
   * default"), 1M nodes and 2M relationships took one stream as long as the bare driver loop
   * and two a little less (one stream's thread waits while its next fetch is on the way; the
   * other's records fill the wait), with the same peak memory; four were no faster and used
   * more. A server 20 ms away each way gave one stream 80 s, two 56 s and four 46 s for 100k
   * nodes. With `driverSettings`, a `jobs` given from 2 up to the cores here reads in as many
   * workers (see there): faster where the reading is bound by this process's CPU, at the cost
   * of memory past 300 MiB, so the default keeps one thread.
   * @default {2 when the round trip is under 5 ms, else 4}
   */
  jobs?: number;
  /**
   * Records per partition, the unit of reading in parallel and of resuming (a resume reads the
   * partitions that were not finished again).
   * @default {about 1/64 of the records, from 10,000 to 500,000}
   */
  partitionSize?: number;
  /**
   * Ask V8 for a full collection of the heap after each record of 1 MiB or more, and after a
   * batch that leaves the heap in use past twice what the last collection kept (at least 96
   * MiB; at most 2% of the time). V8 lets the garbage of wide records grow to several times the
   * live data before it collects; measured (BENCHMARKS.md): peak RSS on graphs of wide records
   * from over 300 MiB to under. It sets V8's `--expose-gc` for the whole process, which a
   * library should not do to the program it runs in unasked: the CLI turns it on.
   * @default {false}
   */
  collectGarbage?: boolean;
  /** Cancels the extract; the directory is left incomplete (no manifest), resumable. */
  signal?: AbortSignal;
  /** Called as the extract goes on (after each fetch of `fetchSize` records). */
  onProgress?: (progress: ExtractProgress) => void;
  /**
   * Called with the data files of each partition once it is written completely and recorded
   * (paths relative to `projectDir`), before the next partition of that session starts: to send
   * them on as the extract goes (the command line streams them into a tar or a bucket).
   */
  onPartition?: (files: DataFileEntry[]) => void | Promise<void>;
}

/** Where an extract is. */
export interface ExtractProgress {
  /**
   * The phase running: `planning` (the highest ids, the partitions), then the records, then
   * `finishing`; `uploading` (bytes) sends what is left to a location that is not a directory.
   */
  phase: "planning" | "nodes" | "relationships" | "finishing" | "uploading";
  /** Records of this phase written so far. */
  done: number;
  /** Records this phase expects (the database's count when the extract started). */
  total: number;
  /** Bytes of data files of the partitions written completely, all phases together. */
  bytes: number;
  /** Partitions written completely (those a resume found done too), and in all. */
  partitions: { done: number; total: number };
}

/**
 * What an extract wrote. The schema is counted as everywhere (see `SchemaCounts`): `indexes` are
 * those of their own, besides `constraintIndexes` (which back constraints) and `lookupIndexes`.
 */
export interface ExtractCounts extends SchemaCounts {
  /** Nodes written. */
  nodes: number;
  /** Relationships written. */
  relationships: number;
  /** Data files written. */
  files: number;
  /** Bytes of data files written. */
  bytes: number;
  /** Whether the database changed while the extract ran (the backup may be inconsistent). */
  writesDetected: boolean;
  /**
   * Relationships of a selected type left out because an endpoint was not selected (0 without
   * a selection of labels).
   */
  relationshipsLeftOut: number;
  /** Names the selection gives (selected or excluded) that the database does not use. */
  unmatched: { labels: string[]; types: string[] };
  /** Partitions of the extract (id ranges, or label scans for a selection of labels). */
  partitions: number;
  /** Partitions read at once (`jobs`, or the one chosen from the round trip); 0 when none was read. */
  jobs: number;
  /** Partitions a resume found written completely, and kept (0 without `resume`). */
  resumedPartitions: number;
  /**
   * Partitions read before the database last changed (their records may be older than the
   * others'); 0 when it did not change.
   */
  partitionsChanged: number;
  /**
   * Relationships that ended at a node the backup lacked (the database changed while it was
   * read), and how the extract mended them: the nodes it read by id (still in the database) and
   * the partitions it read again (the node was gone, and so was the relationship). All 0 when
   * the database did not change, or nothing was amiss.
   */
  mended: Mended;
  /** Wall time, in milliseconds. */
  elapsedMs: number;
}

/** See {@linkcode ExtractCounts.mended}. */
export interface Mended {
  /** Relationships found ending at a node the backup did not hold. */
  relationships: number;
  /** Nodes read by id into a partition of their own (they appeared after their partition). */
  nodesAdded: number;
  /** Partitions of relationships read again (a relationship's endpoint was gone). */
  partitionsReread: number;
}

const NOTHING_MENDED: Mended = Object.freeze({
  relationships: 0,
  nodesAdded: 0,
  partitionsReread: 0,
});
/** The checkpoint's key of the partition of nodes the check of endpoints added. */
const ADDED_NODES = "nodes-added";
/** Rounds of reading again before the check of endpoints gives up. */
const MEND_ROUNDS = 3;

/** Records per Bolt fetch (see {@linkcode ExtractorOptions.fetchSize}). */
const DEFAULT_FETCH_SIZE = 2_000;
/** The jobs for a near server and a far one, and the round trip that tells them apart. */
const NEAR_JOBS = 2;
const FAR_JOBS = 4;
const FAR_MS = 5;
/**
 * Bytes of rows (estimated as JSON) waiting between the driver and the encoders, shared by the
 * partitions read at once, and the least each gets. Measured with bench/extract_memory.ts on the
 * production-shaped graph (40k nodes, one stream): 2 MiB peaked at 303 to 335 MiB, 1 MiB at 277
 * to 285 MiB; narrow rows reach the row limit first, so their throughput does not change.
 */
const BATCH_BYTES = 2 ** 20;
const MIN_BATCH_BYTES = 256 * 1024;
const ACTION = "Cannot extract";
/** How long a partition is retried over lost connections or an unavailable server. */
const PARTITION_RETRY_MS = 60_000;

/** What the extract saw of the database before and after reading it. */
interface Snapshot {
  schema: Schema;
  state: DatabaseState;
}

/**
 * Writes every node, relationship and the whole schema of one database into a directory of
 * gzip-compressed JSON files (see docs/FORMAT.md), streaming: memory stays flat however large
 * the graph, and a slow disk holds back the reader. The directory gets its `manifest.json` last,
 * atomically; until then it is marked incomplete.
 *
 * @example Back up a database
 * ```ts ignore
 * import neo4j from "npm:neo4j-driver@6.3.0";
 * import { Extractor } from "./extractor.ts";
 *
 * const driver = neo4j.driver("neo4j://localhost:7687", neo4j.auth.basic("neo4j", "secret"), {
 *   useBigInt: true,
 * });
 * const counts = await new Extractor({ projectDir: "backup", driver }).extractData();
 * console.log(`${counts.nodes} nodes, ${counts.relationships} relationships`);
 * await driver.close();
 * ```
 */
export class Extractor {
  readonly #options: ExtractorOptions;
  readonly #selector: Selector;
  /** The partitions read at once (known once the reading starts). */
  #jobs = 0;
  /** The workers that read partitions (with `driverSettings`), once one is needed. */
  #readers: PartitionReaders | undefined;
  /** The workers that compress and write partitions read on this thread, kept between them. */
  #sinkWorkers: SinkWorkerPool | undefined;

  /** Checks the options; nothing runs until {@linkcode Extractor.extractData}. */
  constructor(options: ExtractorOptions) {
    if (
      !options || typeof options.projectDir !== "string" || !options.projectDir
    ) {
      throw new TypeError("projectDir must be a non-empty string");
    }
    if (!options.driver || typeof options.driver.session !== "function") {
      throw new TypeError("driver must be a neo4j-driver Driver");
    }
    positive(options.jsonFileSize, "jsonFileSize");
    positive(options.fetchSize, "fetchSize");
    positive(options.partitionSize, "partitionSize");
    if (
      options.jobs !== undefined &&
      (!Number.isSafeInteger(options.jobs) || options.jobs < 1 ||
        options.jobs > 64)
    ) {
      throw new RangeError(
        `jobs must be an integer from 1 to 64, got ${options.jobs}`,
      );
    }
    const indent = options.indentSize ?? 0;
    if (!Number.isSafeInteger(indent) || indent < 0 || indent > 10) {
      throw new RangeError(
        `indentSize must be an integer from 0 to 10, got ${options.indentSize}`,
      );
    }
    this.#selector = new Selector({
      ...options,
      schema: options.schema ?? options.pullUniquenessConstraints ?? true,
    });
    this.#options = options;
  }

  /**
   * Runs the extract and returns what it wrote: connects, prepares the directory (marked
   * incomplete), notes the database's schema and state, plans the partitions (recorded in a
   * checkpoint), reads them `jobs` at a time, notes the database again, puts the files in place
   * and writes the manifest last. With `resume`, it goes on from the checkpoint instead.
   *
   * @throws {BackupError} when the server cannot be reached or fails, the directory is not
   *   empty and overwriting was not confirmed, the disk fails, the signal aborts, or a resume
   *   finds no checkpoint that fits.
   */
  async extractData(): Promise<ExtractCounts> {
    const started = performance.now();
    const o = this.#options;
    o.signal?.throwIfAborted();
    if (isElsewhere(o.projectDir)) {
      // A failure once the working copy holds the whole backup (while sending the rest) is
      // finished by a resume, which sends it again.
      let extracted = false;
      try {
        return await this.#extractElsewhere(() => (extracted = true));
      } catch (error) {
        throw extracted && error instanceof BackupError &&
            error.hint === undefined
          ? error.with({ hint: "resume-extract" })
          : error;
      }
    }
    const context: ConnectionContext = { database: o.database };
    const server = await this.#connect(context);
    let resumable = false;
    try {
      if (o.resume) {
        const complete = await this.#completed(started);
        if (complete) return complete;
      }
      const { header, done, checkpoint, unmatched } = o.resume
        ? await this.#reopen(server)
        : await this.#start(server);
      resumable = true;
      try {
        const partitions = partitionsOf(header.plan, this.#selector);
        const resumedPartitions = partitions.filter((p) => done.has(p.key))
          .length;
        await this.#readPartitions(partitions, done, checkpoint, header);
        o.signal?.throwIfAborted();
        o.onProgress?.({
          phase: "finishing",
          done: 0,
          total: 0,
          bytes: sumBytes(
            partitions.flatMap((p) => done.get(p.key)!.files),
          ),
          partitions: { done: partitions.length, total: partitions.length },
        });
        let after = await this.#snapshot();
        let mended = NOTHING_MENDED;
        if (header.before.bookmarks !== after.state.bookmarks) {
          mended = await this.#mend(partitions, done, checkpoint);
          if (mended.relationships > 0) after = await this.#snapshot();
        }
        const written = [...partitions.map((p) => p.key), ADDED_NODES]
          .flatMap((key) => done.get(key) ?? []);
        const files = written.flatMap((p) => p.files);
        const bytes = sumBytes(files);
        const nodes = sum(written, "nodes");
        const relationships = sum(written, "relationships");
        const relationshipsLeftOut = this.#selector.filtersNodes
          ? Math.max(0, header.expected.relationships - relationships)
          : 0;
        const partitionsChanged = written.filter((p) =>
          p.bookmark !== after.state.bookmarks
        ).length;
        const manifest = this.#manifest(server, header, {
          nodes,
          relationships,
          files,
          written,
          after,
          relationshipsLeftOut,
        });
        await this.#finish(manifest);
        await checkpoint.remove();
        await Deno.remove(join(o.projectDir, PARTITIONS_DIR), {
          recursive: true,
        }).catch(() => {});
        return {
          nodes,
          relationships,
          ...countSchema(manifest.schema),
          files: files.length,
          bytes,
          writesDetected: manifest.consistency.writesDetected ||
            manifest.consistency.schemaChanged,
          relationshipsLeftOut,
          unmatched,
          partitions: partitions.length,
          jobs: this.#jobs,
          resumedPartitions: o.resume ? resumedPartitions : 0,
          partitionsChanged: manifest.consistency.writesDetected
            ? partitionsChanged
            : 0,
          mended,
          elapsedMs: Math.round(performance.now() - started),
        };
      } finally {
        checkpoint.close();
        await this.#readers?.close();
        this.#readers = undefined;
        this.#sinkWorkers?.close();
        this.#sinkWorkers = undefined;
      }
    } catch (error) {
      const failure = extractError(error, context);
      throw resumable && failure.hint === undefined
        ? failure.with({ hint: "resume-extract" })
        : failure;
    }
  }

  /** The extract to a location that is not a directory, through a working copy. */
  #extractElsewhere(onExtracted: () => void): Promise<ExtractCounts> {
    const o = this.#options;
    return writeElsewhere(o.projectDir, {
      ...o,
      yes: o.inputYes ?? false,
      confirm: o.confirm,
      resume: o.resume ?? false,
      onProgress: (done, total) =>
        o.onProgress?.({
          phase: "uploading",
          done,
          total,
          bytes: done,
          partitions: { done: 0, total: 0 },
        }),
    }, (dir, onPartition) =>
      new Extractor({
        ...o,
        projectDir: dir,
        inputYes: o.resume ? o.inputYes : true,
        onPartition: async (files) => {
          await onPartition(files);
          await o.onPartition?.(files);
        },
      }).extractData().then((counts) => {
        onExtracted();
        return counts;
      }));
  }

  /**
   * For a resume of an extract that had finished (killed after its manifest was in place, before
   * it removed its checkpoint): removes what is left of the extract and returns the manifest's
   * counts; undefined when the backup is not complete.
   */
  async #completed(started: number): Promise<ExtractCounts | undefined> {
    const dir = this.#options.projectDir;
    if (await sizeOf(join(dir, MANIFEST_FILE)) === undefined) return undefined;
    const manifest = await readManifest(dir);
    await Deno.remove(join(dir, PARTITIONS_DIR), { recursive: true })
      .catch(() => {});
    for (const name of [CHECKPOINT_FILE, INCOMPLETE_FILE]) {
      await Deno.remove(join(dir, name)).catch(() => {});
    }
    return {
      nodes: manifest.counts.nodes,
      relationships: manifest.counts.relationships,
      ...countSchema(manifest.schema),
      files: manifest.files.length,
      bytes: sumBytes(manifest.files),
      writesDetected: manifest.consistency.writesDetected ||
        manifest.consistency.schemaChanged,
      relationshipsLeftOut: manifest.selection?.relationshipsLeftOut ?? 0,
      unmatched: { labels: [], types: [] },
      partitions: 0,
      jobs: 0,
      resumedPartitions: 0,
      partitionsChanged: 0,
      mended: NOTHING_MENDED,
      elapsedMs: Math.round(performance.now() - started),
    };
  }

  /** Starts a new extract: the directory, the snapshot, the plan, the checkpoint. */
  async #start(server: ServerInfo, restart = false): Promise<Started> {
    const o = this.#options;
    const startedAt = new Date().toISOString();
    await prepareDirectory(o.projectDir, {
      inputYes: restart || (o.inputYes ?? false),
      confirm: o.confirm,
    });
    await writeTextFile(
      join(o.projectDir, INCOMPLETE_FILE),
      `This backup is incomplete: the extract that started writing it at ${startedAt} has not finished.\n`,
    );
    await makeDirectory(join(o.projectDir, DATA_DIR));
    const before = await this.#snapshot();
    const survey = await this.#survey(before.state);
    o.onProgress?.({
      phase: "planning",
      done: 0,
      total: 0,
      bytes: 0,
      partitions: { done: 0, total: 0 },
    });
    const plan = await withRetry(
      () =>
        planPartitions(o.driver, this.#selector, {
          database: o.database,
          partitionSize: o.partitionSize,
          counts: before.state,
        }),
      { signal: o.signal },
    );
    const header: CheckpointHeader = {
      checkpoint: "neo4j-backup-extract",
      version: 1,
      startedAt,
      source: {
        address: server.address,
        database: server.database,
        databaseId: server.databaseId,
      },
      options: this.#shape(),
      plan,
      before: before.state,
      schemaBefore: JSON.stringify(before.schema, jsonBigInt),
      expected: { nodes: survey.nodes, relationships: survey.relationships },
    };
    const checkpoint = await Checkpoint.create(
      join(o.projectDir, CHECKPOINT_FILE),
      header,
    );
    return { header, done: new Map(), checkpoint, unmatched: survey.unmatched };
  }

  /**
   * Goes on with the extract whose checkpoint is in the directory: the same database and
   * options, the partitions recorded as done kept when their files are all there.
   */
  async #reopen(server: ServerInfo): Promise<Started> {
    const o = this.#options;
    const path = join(o.projectDir, CHECKPOINT_FILE);
    const contents = await Checkpoint.read(path);
    if (!contents) {
      // Killed before its checkpoint (or never started): nothing to keep, so start over,
      // where the directory holds nothing but what an extract of this tool began.
      if (
        await isEmpty(o.projectDir) ||
        await sizeOf(join(o.projectDir, INCOMPLETE_FILE)) !== undefined
      ) {
        return await this.#start(server, true);
      }
      throw new BackupError(
        `Cannot resume the extract: ${o.projectDir} holds no checkpoint of an extract that did not finish`,
        { code: "RESUME" },
      );
    }
    this.#checkResumable(contents, server);
    const done = new Map<string, DonePartition>();
    for (const [key, partition] of contents.done) {
      if (await filesThere(o.projectDir, partition)) done.set(key, partition);
    }
    const unmatched = (await this.#survey(contents.header.before)).unmatched;
    return {
      header: contents.header,
      done,
      checkpoint: await Checkpoint.open(path),
      unmatched,
    };
  }

  /** Refuses a checkpoint of another database, or of an extract with other options. */
  #checkResumable(contents: CheckpointContents, server: ServerInfo): void {
    const { source, options } = contents.header;
    const refuse = (why: string): never => {
      throw new BackupError(
        `Cannot resume the extract: the checkpoint in ${this.#options.projectDir} ${why}`,
        { code: "RESUME" },
      );
    };
    if (
      source.database !== server.database ||
      (source.databaseId ?? null) !== (server.databaseId ?? null)
    ) {
      refuse(
        `belongs to the database ${
          JSON.stringify(source.database)
        } (id ${source.databaseId}) at ${source.address}, not ${
          JSON.stringify(server.database)
        } (id ${server.databaseId}) at ${server.address}`,
      );
    }
    if (options !== this.#shape()) {
      refuse(
        `belongs to an extract with other options (${options}): resume with the options it started with`,
      );
    }
  }

  /** The options that shape the files, as the checkpoint records them. */
  #shape(): string {
    const o = this.#options;
    return JSON.stringify({
      compress: o.compress ?? true,
      indent: o.indentSize ?? 0,
      fileSize: o.jsonFileSize ?? DEFAULT_FILE_SIZE,
      partitionSize: o.partitionSize ?? null,
      selection: this.#selector.toRecord(0),
    });
  }

  /**
   * Reads the partitions not done, `jobs` at a time, each retried over lost connections and an
   * unavailable server; each one finished is recorded in the checkpoint.
   */
  async #readPartitions(
    partitions: Partition[],
    done: Map<string, DonePartition>,
    checkpoint: Checkpoint,
    header: CheckpointHeader,
  ): Promise<void> {
    const o = this.#options;
    const count = { nodes: 0, relationships: 0 };
    let bytes = 0;
    let finished = 0;
    for (const p of partitions) {
      const written = done.get(p.key);
      if (!written) continue;
      count[p.kind] += written.records;
      bytes += sumBytes(written.files);
      finished++;
    }
    const running = { nodes: 0, relationships: 0 };
    const report = (): void => {
      const nodesDone = partitions.every((p) =>
        p.kind !== "nodes" || done.has(p.key)
      );
      const kind = nodesDone ? "relationships" : "nodes";
      o.onProgress?.({
        phase: kind,
        done: count[kind] + running[kind],
        total: kind === "relationships" && this.#selector.filtersNodes
          ? 0
          : header.expected[kind],
        bytes,
        partitions: { done: finished, total: partitions.length },
      });
    };
    report();
    const jobs = o.jobs ?? await this.#defaultJobs();
    this.#jobs = jobs;
    const pool = new Pool(jobs);
    let nodesRead = false;
    try {
      for (const partition of partitions) {
        if (done.has(partition.key)) continue;
        // Relationships are read once every node is: a node deleted meanwhile then takes its
        // relationships with it before they are read, so none of them can end at a node the
        // backup lacks (only ids the server reuses during the extract can; #mend sees to those).
        if (partition.kind === "relationships" && !nodesRead) {
          await pool.drain();
          nodesRead = true;
        }
        await pool.run(async () => {
          let progress = 0;
          const written = await this.#write(partition, {
            onBatch: (records) => {
              progress += records;
              running[partition.kind] += records;
              report();
            },
            onRetry: () => {
              running[partition.kind] -= progress;
              progress = 0;
            },
          });
          await checkpoint.done(written);
          await o.onPartition?.(written.files);
          running[partition.kind] -= progress;
          count[partition.kind] += written.records;
          bytes += sumBytes(written.files);
          finished++;
          done.set(partition.key, written);
          report();
        });
      }
    } finally {
      // Every partition under way has settled (and cleaned up) before this returns.
      await pool.settle();
    }
    await pool.drain();
  }

  /**
   * Reads one partition into its files, retried over lost connections and an unavailable server
   * (`onRetry` when a try starts again: the records of the one before do not count).
   */
  #write(
    partition: Partition,
    hooks: { onBatch?: (records: number) => void; onRetry?: () => void } = {},
  ): Promise<DonePartition> {
    const o = this.#options;
    const onBatch = hooks.onBatch ?? (() => {});
    let tries = 0;
    const readers = this.#readersFor();
    const write: typeof writePartition = readers
      ? (_, partition, options) => readers.write(partition, options)
      : (driver, partition, options) =>
        writePartition(driver, partition, {
          ...options,
          sinkWorkers: this.#sinkWorkers ??= new SinkWorkerPool(),
        });
    return withRetry(() => {
      if (tries++ > 0) hooks.onRetry?.();
      return write(o.driver, partition, {
        database: o.database,
        dir: o.projectDir,
        compress: o.compress ?? true,
        fileSize: o.jsonFileSize ?? DEFAULT_FILE_SIZE,
        indent: o.indentSize ?? 0,
        fetchSize: o.fetchSize ?? DEFAULT_FETCH_SIZE,
        batchBytes: Math.max(
          MIN_BATCH_BYTES,
          Math.floor(BATCH_BYTES / Math.max(1, this.#jobs)),
        ),
        signal: o.signal,
        onBatch,
        collectGarbage: o.collectGarbage,
      });
    }, { signal: o.signal, maxMs: PARTITION_RETRY_MS });
  }

  /**
   * The partition readers in workers, when `driverSettings` is given and `jobs` was chosen from
   * 2 up to the cores here (beyond them, reading is bound by latency, not by this process's CPU,
   * and every worker costs memory): undefined to read on this thread.
   */
  #readersFor(): PartitionReaders | undefined {
    const o = this.#options;
    if (
      o.driverSettings && typeof Worker === "function" &&
      o.jobs !== undefined && o.jobs >= 2 &&
      o.jobs <= (navigator.hardwareConcurrency || 1)
    ) {
      this.#readers ??= new PartitionReaders(o.driverSettings);
    }
    return this.#readers;
  }

  /**
   * Once every partition is read, and only when the database changed meanwhile: finds the
   * relationships that end at a node the backup lacks (possible only where the server reused
   * the ids of deleted records during the extract, or a node came into the selection after its
   * partition was read), reads those nodes by id into a partition of their own when the
   * database still holds them, and reads again the partitions of the relationships whose
   * endpoint is gone (those relationships are gone with it); up to three rounds, then it gives
   * up with an error (resumable).
   */
  async #mend(
    partitions: Partition[],
    done: Map<string, DonePartition>,
    checkpoint: Checkpoint,
  ): Promise<Mended> {
    const o = this.#options;
    const mended: Mended = {
      relationships: 0,
      nodesAdded: 0,
      partitionsReread: 0,
    };
    const nodes = partitions.filter((p) => p.kind === "nodes");
    const added: Partition = {
      key: ADDED_NODES,
      kind: "nodes",
      index: nodes.length + 1,
      range: null,
      query: { text: "", parameters: {} },
    };
    // What an earlier try left of the added nodes is read again, if needed, from the start.
    done.delete(ADDED_NODES);
    await removePartitionFiles(o.projectDir, "nodes", added.index);
    const filesOf = (list: Partition[]): DataFileEntry[] =>
      list.flatMap((p) => done.get(p.key)?.files ?? []);
    const held = await readNodeIds(o.projectDir, filesOf(nodes), o.signal);
    let addedIds: NodeIdSet | undefined;
    const holds = (id: number): boolean =>
      held.has(id) || (addedIds?.has(id) ?? false);
    const wanted = new Set<number>();
    const seen = new Set<number>();
    let check = partitions.filter((p) => p.kind === "relationships");
    for (let round = 0; check.length > 0; round++) {
      const dangling = await this.#dangling(filesOf(check), holds);
      if (dangling.length === 0) break;
      for (const d of dangling) {
        if (!seen.has(d.id)) mended.relationships++;
        seen.add(d.id);
      }
      if (round === MEND_ROUNDS) {
        const d = dangling[0]!;
        throw new BackupError(
          `${ACTION}: the database kept changing while it was read: relationship ${d.id} (in ${d.file}) ends at node ${
            holds(d.start) ? d.end : d.start
          }, which the backup does not hold after ${MEND_ROUNDS} rounds of reading again; extract again while the database is not written, or resume`,
          { code: "VERIFICATION", file: d.file },
        );
      }
      const before = wanted.size;
      for (const d of dangling) {
        for (const id of [d.start, d.end]) if (!holds(id)) wanted.add(id);
      }
      if (wanted.size > before) {
        const ids = [...wanted].sort((a, b) => a - b);
        const written = await this.#write({
          ...added,
          range: [ids[0]!, ids.at(-1)! + 1],
          query: nodesByIdQuery(this.#selector, ids),
        });
        await checkpoint.done(written);
        done.set(ADDED_NODES, written);
        await o.onPartition?.(written.files);
        mended.nodesAdded = written.records;
        addedIds = await readNodeIds(o.projectDir, written.files, o.signal);
      }
      const gone = new Set(
        dangling.filter((d) => !holds(d.start) || !holds(d.end)).map((d) =>
          d.file
        ),
      );
      check = partitions.filter((p) =>
        p.kind === "relationships" &&
        done.get(p.key)!.files.some((f) => gone.has(f.path))
      );
      for (const partition of check) {
        const written = await this.#write(partition);
        await checkpoint.done(written);
        done.set(partition.key, written);
        try {
          await o.onPartition?.(written.files);
        } catch (error) {
          // A tar stream cannot take back the files it was sent.
          const d = dangling.find((d) => !holds(d.start) || !holds(d.end))!;
          throw new BackupError(
            `${ACTION}: relationship ${d.id} ends at node ${
              holds(d.start) ? d.end : d.start
            }, deleted while the extract ran, and its partition, read again, cannot be sent again: ${
              (error as Error).message
            }; extract again while the database is not written`,
            { code: "VERIFICATION", cause: error },
          );
        }
        mended.partitionsReread++;
      }
    }
    return mended;
  }

  /** The relationships of `files` that end at a node the backup lacks. */
  async #dangling(
    files: DataFileEntry[],
    holds: (id: number) => boolean,
  ): Promise<DanglingRelationship[]> {
    try {
      return await findDangling(
        this.#options.projectDir,
        files,
        holds,
        this.#options.signal,
      );
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new BackupError(
        `${ACTION}: the database changed too much while it was read: ${error.message}; extract again while the database is not written`,
        { code: "VERIFICATION", cause: error },
      );
    }
  }

  /**
   * The jobs when none are given: the median of five round trips (`RETURN 1`) tells a server on
   * this machine or next to it (two streams: the cores are shared, and a second stream only fills
   * the first one's waits for its fetches) from a far one (latency-bound: more parallel reads
   * hide it).
   */
  async #defaultJobs(): Promise<number> {
    const o = this.#options;
    const session = o.driver.session({
      database: o.database,
      defaultAccessMode: neo4j.session.READ,
    });
    try {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await session.run("RETURN 1");
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      return times[2]! >= FAR_MS ? FAR_JOBS : NEAR_JOBS;
    } catch {
      return NEAR_JOBS;
    } finally {
      await session.close().catch(() => {});
    }
  }

  /** Reads what the server is, and checks that the driver keeps integers exact. */
  async #connect(context: ConnectionContext): Promise<ServerInfo> {
    const o = this.#options;
    try {
      const server = await readServerInfo(o.driver, o.database, {
        signal: o.signal,
      });
      context.address = server.address;
      await assertLosslessIntegers(o.driver, o.database);
      return server;
    } catch (error) {
      if (error instanceof TypeError) throw error;
      throw toBackupError(error, ACTION, context);
    }
  }

  /**
   * The schema and the state (last transaction, counts), to tell whether the database changed
   * while it was read. Reads that are safe to repeat are retried when the connection drops.
   */
  async #snapshot(): Promise<Snapshot> {
    const o = this.#options;
    const retry = <T>(work: () => Promise<T>): Promise<T> =>
      withRetry(work, { signal: o.signal });
    const schema = this.#selector.schema
      ? this.#selector.selectSchema(
        await retry(() => readSchema(o.driver, o.database)),
      )
      : { constraints: [], indexes: [] };
    const state = await retry(() => readDatabaseState(o.driver, o.database));
    return { schema, state };
  }

  /**
   * What the selection will take, as far as the count store tells without a scan (nodes: known
   * only without a selection of labels; relationships: those of the selected types, whatever
   * their endpoints), and the names it gives that the database does not use.
   */
  async #survey(state: DatabaseState): Promise<{
    nodes: number;
    relationships: number;
    unmatched: { labels: string[]; types: string[] };
  }> {
    const o = this.#options;
    const selector = this.#selector;
    const retry = <T>(work: () => Promise<T>): Promise<T> =>
      withRetry(work, { signal: o.signal });
    const named = selector.labels.length + selector.excludeLabels.length +
        selector.types.length + selector.excludeTypes.length > 0;
    const unmatched = named
      ? selector.unmatched(await retry(() => readTokens(o.driver, o.database)))
      : { labels: [], types: [] };
    if (!selector.data) return { nodes: 0, relationships: 0, unmatched };
    const relationships = await retry(() =>
      countSelectedTypes(o.driver, o.database, selector, state.relationships)
    );
    return {
      nodes: selector.filtersNodes ? 0 : state.nodes,
      relationships,
      unmatched,
    };
  }

  /** The manifest of what was written. */
  #manifest(
    server: ServerInfo,
    header: CheckpointHeader,
    written: {
      nodes: number;
      relationships: number;
      files: DataFileEntry[];
      written: DonePartition[];
      after: Snapshot;
      relationshipsLeftOut: number;
    },
  ): Manifest {
    const { after } = written;
    const tallies = sumTallies(written.written);
    return {
      format: FORMAT_NAME,
      formatVersion: FORMAT_VERSION,
      tool: {
        name: "neo4j-backup",
        version: VERSION,
        runtime: `deno ${Deno.version.deno}`,
        driver: DRIVER_VERSION,
      },
      source: {
        address: server.address,
        database: server.database,
        databaseId: server.databaseId,
        version: server.version,
        edition: server.edition,
      },
      startedAt: header.startedAt,
      finishedAt: new Date().toISOString(),
      compressed: this.#options.compress ?? true,
      counts: {
        nodes: written.nodes,
        relationships: written.relationships,
        labelSets: tallies.labelSets,
        relationshipTypes: tallies.relationshipTypes,
      },
      files: written.files,
      schema: after.schema,
      consistency: {
        writesDetected: header.before.bookmarks !== after.state.bookmarks,
        schemaChanged: header.schemaBefore !==
          JSON.stringify(after.schema, jsonBigInt),
        nodesAtStart: header.before.nodes,
        nodesAtEnd: after.state.nodes,
        relationshipsAtStart: header.before.relationships,
        relationshipsAtEnd: after.state.relationships,
      },
      selection: this.#selector.toRecord(written.relationshipsLeftOut),
    };
  }

  /** Writes the metadata files and the manifest, then removes the incomplete marker. */
  async #finish(manifest: Manifest): Promise<void> {
    const o = this.#options;
    const { records } = await withRetry(
      () =>
        o.driver.executeQuery(
          "CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey",
          {},
          { database: o.database, routing: neo4j.routing.READ },
        ),
      { signal: o.signal },
    );
    await writeLegacyMetadata(
      o.projectDir,
      manifest,
      records.map((r) => String(r.get("propertyKey"))),
    );
    await writeManifest(o.projectDir, manifest);
    await removeFile(join(o.projectDir, INCOMPLETE_FILE));
  }
}

/** An extract under way: its checkpoint, and the partitions done. */
interface Started {
  header: CheckpointHeader;
  done: Map<string, DonePartition>;
  checkpoint: Checkpoint;
  unmatched: { labels: string[]; types: string[] };
}

/** Whether every file of a partition recorded as done is there with its size. */
async function filesThere(
  dir: string,
  partition: DonePartition,
): Promise<boolean> {
  for (const file of partition.files) {
    if (await sizeOf(join(dir, file.path)) !== file.bytes) return false;
  }
  return true;
}

async function makeDirectory(path: string): Promise<void> {
  try {
    await Deno.mkdir(path, { recursive: true });
  } catch (error) {
    throw fileError(path, error, "create");
  }
}

/** Whether `dir` is missing or holds nothing. */
async function isEmpty(dir: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dir)) return false;
    return true;
  } catch {
    return true;
  }
}

function sum(
  partitions: DonePartition[],
  kind: "nodes" | "relationships",
): number {
  return partitions.filter((p) => p.done.startsWith(`${kind}-`))
    .reduce((total, p) => total + p.records, 0);
}

/** What the extract throws for `error`: a BackupError whose message names the extract. */
function extractError(error: unknown, context: ConnectionContext): BackupError {
  const failure = toBackupError(error, ACTION, context);
  // The writers' messages ("Cannot write ...") get the action in front.
  if (failure.code === "IO" && !failure.message.startsWith(ACTION)) {
    return failure.with({
      message: `${ACTION}: ${
        failure.message[0]!.toLowerCase() + failure.message.slice(1)
      }`,
      cause: failure.cause ?? failure,
    });
  }
  return failure;
}

function positive(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

function sumBytes(files: DataFileEntry[]): number {
  return files.reduce((sum, file) => sum + file.bytes, 0);
}

function jsonBigInt(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
