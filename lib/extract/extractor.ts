import { join } from "node:path";
import neo4j, { type Driver, DRIVER_VERSION } from "../_driver.ts";
import { assertLosslessIntegers } from "../_lossless.ts";
import { type ConnectionContext, toBackupError } from "../_neo4j_errors.ts";
import { withRetry } from "../_retry.ts";
import { countSchema, type SchemaCounts } from "../_schema_counts.ts";
import { readServerInfo, type ServerInfo } from "../_server_info.ts";
import type { BackupError } from "../errors.ts";
import { DEFAULT_FILE_SIZE } from "../format/data_file_writer.ts";
import {
  FORMAT_NAME,
  FORMAT_VERSION,
  INCOMPLETE_FILE,
  type RecordKind,
} from "../format/layout.ts";
import {
  type DataFileEntry,
  type Manifest,
  type Schema,
  writeManifest,
} from "../format/manifest.ts";
import type { BackupRecord } from "../format/record.ts";
import { VERSION } from "../version.ts";
import { type DatabaseState, readDatabaseState } from "./_database_state.ts";
import { prepareDirectory } from "./_directory.ts";
import { removeFile, writeTextFile } from "./_files.ts";
import { writeLegacyMetadata } from "./_legacy_metadata.ts";
import {
  type Row,
  writeRecords,
  type WrittenRecords,
} from "./_record_stream.ts";
import { RecordTally } from "./_record_tally.ts";
import { readSchema } from "../_schema.ts";
import { type Selection, Selector } from "../format/selection.ts";
import {
  countSelectedTypes,
  nodeQueries,
  type Query,
  readTokens,
  relationshipQueries,
} from "./_selected_queries.ts";

/**
 * Options for {@linkcode Extractor}: the Python tool's, in camelCase, and more. The
 * {@linkcode Selection} (`labels`, `excludeLabels`, `types`, `excludeTypes`, `schema`, `data`)
 * chooses what part of the database the backup holds; the server does the selecting (label
 * scans, type patterns), and the manifest records it.
 */
export interface ExtractorOptions extends Selection {
  /** The backup directory to write. */
  projectDir: string;
  /**
   * A neo4j-driver `Driver` connected to the source server (created with `useBigInt: true`
   * or the default integer setting; not `disableLosslessIntegers`). The extractor does not close it.
   */
  driver: Driver;
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
  /** Cancels the extract; the directory is left incomplete (no manifest). */
  signal?: AbortSignal;
  /** Called as the extract goes on (after each fetch of `fetchSize` records). */
  onProgress?: (progress: ExtractProgress) => void;
}

/** Where an extract is. */
export interface ExtractProgress {
  /** The phase running. */
  phase: "nodes" | "relationships" | "finishing";
  /** Records of this phase written so far. */
  done: number;
  /** Records this phase expects (the database's count when the extract started). */
  total: number;
  /**
   * Bytes of data files on disk so far, all phases together (compressed, when compressing; the
   * compressor's buffer not yet counted).
   */
  bytes: number;
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
  /** Wall time, in milliseconds. */
  elapsedMs: number;
}

/** Records per Bolt fetch (see {@linkcode ExtractorOptions.fetchSize}). */
const DEFAULT_FETCH_SIZE = 2_000;
const ACTION = "Cannot extract";

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
   * incomplete), notes the database's schema and state, streams the nodes and the
   * relationships, notes them again, and writes the manifest last.
   *
   * @throws {BackupError} when the server cannot be reached or fails, the directory is not
   *   empty and overwriting was not confirmed, the disk fails, or the signal aborts.
   */
  async extractData(): Promise<ExtractCounts> {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const o = this.#options;
    o.signal?.throwIfAborted();
    const context: ConnectionContext = { database: o.database };
    const server = await this.#connect(context);
    await prepareDirectory(o.projectDir, {
      inputYes: o.inputYes ?? false,
      confirm: o.confirm,
    });
    await writeTextFile(
      join(o.projectDir, INCOMPLETE_FILE),
      `This backup is incomplete: the extract that started writing it at ${startedAt} has not finished.\n`,
    );
    try {
      const before = await this.#snapshot();
      const selection = await this.#survey(before.state);
      const tally = new RecordTally();
      const nodes = await this.#write(
        "nodes",
        nodeQueries(this.#selector),
        tally.node,
        { total: selection.nodes, bytesBefore: 0 },
      );
      const relationships = await this.#write(
        "relationships",
        relationshipQueries(this.#selector),
        tally.relationship,
        {
          total: this.#selector.filtersNodes ? 0 : selection.relationships,
          bytesBefore: sumBytes(nodes.files),
        },
      );
      const relationshipsLeftOut = this.#selector.filtersNodes
        ? Math.max(0, selection.relationships - relationships.records)
        : 0;
      o.signal?.throwIfAborted();
      const files = [...nodes.files, ...relationships.files];
      o.onProgress?.({
        phase: "finishing",
        done: 0,
        total: 0,
        bytes: sumBytes(files),
      });
      const after = await this.#snapshot();
      const manifest = this.#manifest(server, startedAt, {
        nodes,
        relationships,
        tally,
        before,
        after,
        relationshipsLeftOut,
      });
      await this.#finish(manifest);
      return {
        nodes: nodes.records,
        relationships: relationships.records,
        ...countSchema(manifest.schema),
        files: files.length,
        bytes: sumBytes(files),
        writesDetected: manifest.consistency.writesDetected ||
          manifest.consistency.schemaChanged,
        relationshipsLeftOut,
        unmatched: selection.unmatched,
        elapsedMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      throw extractError(error, context);
    }
  }

  /** Reads what the server is, and checks that the driver keeps integers exact. */
  async #connect(context: ConnectionContext): Promise<ServerInfo> {
    const o = this.#options;
    try {
      const server = await readServerInfo(o.driver, o.database);
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
   * while it was read. Reads that are safe to repeat are retried when the connection drops (the
   * streams of records are not: a dropped stream fails the extract).
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

  /** Streams one kind of record into data files, reporting progress. */
  #write(
    kind: RecordKind,
    queries: Query[],
    toRecord: (row: Row) => BackupRecord,
    progress: { total: number; bytesBefore: number },
  ): Promise<WrittenRecords> {
    const o = this.#options;
    return writeRecords(o.driver, queries, {
      database: o.database,
      kind,
      toRecord,
      dir: o.projectDir,
      compress: o.compress ?? true,
      fileSize: o.jsonFileSize ?? DEFAULT_FILE_SIZE,
      indent: o.indentSize ?? 0,
      fetchSize: o.fetchSize ?? DEFAULT_FETCH_SIZE,
      signal: o.signal,
      onBatch: (done, bytes) =>
        o.onProgress?.({
          phase: kind,
          done,
          total: progress.total,
          bytes: progress.bytesBefore + bytes,
        }),
    });
  }

  /** The manifest of what was written. */
  #manifest(
    server: ServerInfo,
    startedAt: string,
    written: {
      nodes: WrittenRecords;
      relationships: WrittenRecords;
      tally: RecordTally;
      before: Snapshot;
      after: Snapshot;
      relationshipsLeftOut: number;
    },
  ): Manifest {
    const { nodes, relationships, tally, before, after } = written;
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
      startedAt,
      finishedAt: new Date().toISOString(),
      compressed: this.#options.compress ?? true,
      counts: {
        nodes: nodes.records,
        relationships: relationships.records,
        labelSets: tally.labelSets(),
        relationshipTypes: tally.relationshipTypes(),
      },
      files: [...nodes.files, ...relationships.files],
      schema: after.schema,
      consistency: {
        writesDetected: before.state.bookmarks !== after.state.bookmarks,
        schemaChanged: JSON.stringify(before.schema, jsonBigInt) !==
          JSON.stringify(after.schema, jsonBigInt),
        nodesAtStart: before.state.nodes,
        nodesAtEnd: after.state.nodes,
        relationshipsAtStart: before.state.relationships,
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
