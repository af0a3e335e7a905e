import { join } from "node:path";
import neo4j, { type Driver, DRIVER_VERSION } from "../_driver.ts";
import { assertLosslessIntegers } from "../_lossless.ts";
import { type ConnectionContext, toBackupError } from "../_neo4j_errors.ts";
import { withRetry } from "../_retry.ts";
import { countSchema, type SchemaCounts } from "../_schema_counts.ts";
import { readServerInfo, type ServerInfo } from "../_server_info.ts";
import type { Properties } from "../codec/types.ts";
import { BackupError } from "../errors.ts";
import {
  DataFileWriter,
  DEFAULT_FILE_SIZE,
} from "../format/data_file_writer.ts";
import {
  FORMAT_NAME,
  FORMAT_VERSION,
  INCOMPLETE_FILE,
  type RecordKind,
} from "../format/layout.ts";
import {
  type Counts,
  type DataFileEntry,
  type Manifest,
  type Schema,
  writeManifest,
} from "../format/manifest.ts";
import type { BackupRecord } from "../format/record.ts";
import { RecordStringifyStream } from "../format/record_stringify_stream.ts";
import { VERSION } from "../version.ts";
import { describeFileError } from "../format/_file_sink.ts";
import { prepareDirectory } from "./_directory.ts";
import { rowBatches } from "./_row_stream.ts";
import { readSchema } from "./_schema.ts";

/** Options for {@linkcode Extractor}: the Python tool's, in camelCase, and more. */
export interface ExtractorOptions {
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
   * Back up the schema (every constraint and index). The Python tool's name is kept; it covers
   * the whole schema here.
   * @default {true}
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
  /** Wall time, in milliseconds. */
  elapsedMs: number;
}

interface DatabaseState {
  bookmarks: string;
  nodes: number;
  relationships: number;
}

/** A result row, read by column index. */
interface Row {
  get(index: number): unknown;
}

/** Records per Bolt fetch (see {@linkcode ExtractorOptions.fetchSize}). */
const DEFAULT_FETCH_SIZE = 2_000;

/**
 * Writes every node, relationship and the whole schema of one database into a directory of
 * gzip-compressed JSON files (see docs/FORMAT.md), streaming: memory stays flat however large
 * the graph, and a slow disk holds back the reader. The directory gets its `manifest.json` last,
 * atomically; until then it is marked incomplete.
 *
 * @example Back up a database
 * ```ts ignore
 * import neo4j from "npm:neo4j-driver@^6.3.0";
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
    const fileSize = options.jsonFileSize ?? DEFAULT_FILE_SIZE;
    if (!Number.isSafeInteger(fileSize) || fileSize < 1) {
      throw new RangeError(
        `jsonFileSize must be a positive integer, got ${options.jsonFileSize}`,
      );
    }
    const indent = options.indentSize ?? 0;
    if (!Number.isSafeInteger(indent) || indent < 0 || indent > 10) {
      throw new RangeError(
        `indentSize must be an integer from 0 to 10, got ${options.indentSize}`,
      );
    }
    const fetchSize = options.fetchSize ?? DEFAULT_FETCH_SIZE;
    if (!Number.isSafeInteger(fetchSize) || fetchSize < 1) {
      throw new RangeError(
        `fetchSize must be a positive integer, got ${options.fetchSize}`,
      );
    }
    this.#options = options;
  }

  /**
   * Runs the extract and returns what it wrote.
   *
   * @throws {BackupError} when the server cannot be reached or fails, the directory is not
   *   empty and overwriting was not confirmed, the disk fails, or the signal aborts.
   */
  async extractData(): Promise<ExtractCounts> {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const o = this.#options;
    const dir = o.projectDir;
    const context: ConnectionContext = { database: o.database };
    const action = "Cannot extract";
    o.signal?.throwIfAborted();

    let server: ServerInfo;
    try {
      server = await readServerInfo(o.driver, o.database);
      context.address = server.address;
      await assertLosslessIntegers(o.driver, o.database);
    } catch (error) {
      if (error instanceof TypeError) throw error;
      throw toBackupError(error, action, context);
    }
    await prepareDirectory(dir, {
      inputYes: o.inputYes ?? false,
      confirm: o.confirm,
    });
    await writeFile(
      join(dir, INCOMPLETE_FILE),
      `This backup is incomplete: the extract that started writing it at ${startedAt} has not finished.\n`,
    );

    try {
      const withSchema = o.pullUniquenessConstraints ?? true;
      // Reads that are safe to repeat are retried when the connection drops (the streams of
      // records are not: a dropped stream fails the extract).
      const retry = <T>(work: () => Promise<T>): Promise<T> =>
        withRetry(work, { signal: o.signal });
      const schemaBefore = withSchema
        ? await retry(() => readSchema(o.driver, o.database))
        : emptySchema();
      const before = await retry(() => this.#state());

      const labelSets = new Map<string, { labels: string[]; count: number }>();
      const nodes = await this.#stream(
        "nodes",
        "MATCH (n) RETURN id(n) AS id, labels(n) AS labels, properties(n) AS props",
        before.nodes,
        (row): BackupRecord => {
          const labels = row.get(1) as string[];
          // One label (the usual case) keys as itself; a JSON list, which starts with "[", keys
          // any other set, sorted.
          const key = labels.length === 1
            ? "=" + labels[0]
            : JSON.stringify([...labels].sort(compareCodePoints));
          const set = labelSets.get(key);
          if (set) set.count++;
          else {
            labelSets.set(key, {
              labels: [...labels].sort(compareCodePoints),
              count: 1,
            });
          }
          return {
            kind: "node",
            id: toBigInt(row.get(0)),
            labels,
            properties: row.get(2) as Properties,
          };
        },
        0,
      );
      const nodeBytes = sumBytes(nodes.files);

      const types = new Map<string, number>();
      const relationships = await this.#stream(
        "relationships",
        "MATCH (a)-[r]->(b) RETURN id(r) AS id, type(r) AS type, id(a) AS start, id(b) AS end, properties(r) AS props",
        before.relationships,
        (row): BackupRecord => {
          const type = row.get(1) as string;
          types.set(type, (types.get(type) ?? 0) + 1);
          return {
            kind: "relationship",
            id: toBigInt(row.get(0)),
            type,
            startId: toBigInt(row.get(2)),
            endId: toBigInt(row.get(3)),
            properties: row.get(4) as Properties,
          };
        },
        nodeBytes,
      );

      o.signal?.throwIfAborted();
      o.onProgress?.({
        phase: "finishing",
        done: 0,
        total: 0,
        bytes: nodeBytes + sumBytes(relationships.files),
      });
      const schemaAfter = withSchema
        ? await retry(() => readSchema(o.driver, o.database))
        : emptySchema();
      const after = await retry(() => this.#state());
      const files = [...nodes.files, ...relationships.files];
      const counts: Counts = {
        nodes: nodes.records,
        relationships: relationships.records,
        labelSets: [...labelSets.values()].sort((a, b) =>
          compareCodePoints(JSON.stringify(a.labels), JSON.stringify(b.labels))
        ),
        relationshipTypes: [...types].map(([type, count]) => ({ type, count }))
          .sort((a, b) => compareCodePoints(a.type, b.type)),
      };
      const manifest: Manifest = {
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
        compressed: o.compress ?? true,
        counts,
        files,
        schema: schemaAfter,
        consistency: {
          writesDetected: before.bookmarks !== after.bookmarks,
          schemaChanged: JSON.stringify(schemaBefore, jsonBigInt) !==
            JSON.stringify(schemaAfter, jsonBigInt),
          nodesAtStart: before.nodes,
          nodesAtEnd: after.nodes,
          relationshipsAtStart: before.relationships,
          relationshipsAtEnd: after.relationships,
        },
      };
      await this.#writeLegacyMetadata(manifest);
      await writeManifest(dir, manifest);
      try {
        await Deno.remove(join(dir, INCOMPLETE_FILE));
      } catch (error) {
        throw fileError(join(dir, INCOMPLETE_FILE), error, "remove");
      }
      return {
        nodes: counts.nodes,
        relationships: counts.relationships,
        ...countSchema(manifest.schema),
        files: files.length,
        bytes: sumBytes(files),
        writesDetected: manifest.consistency.writesDetected ||
          manifest.consistency.schemaChanged,
        elapsedMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      const failure = toBackupError(error, action, context);
      // The writers' messages ("Cannot write ...") get the action in front.
      if (failure.code === "IO" && !failure.message.startsWith(action)) {
        throw new BackupError(
          `${action}: ${
            failure.message[0]!.toLowerCase() + failure.message.slice(1)
          }`,
          {
            code: "IO",
            ...(failure.file === undefined ? {} : { file: failure.file }),
            cause: failure.cause ?? failure,
          },
        );
      }
      throw failure;
    }
  }

  /** Streams one query's rows into data files; returns the files and the record count. */
  async #stream(
    kind: RecordKind,
    query: string,
    total: number,
    toRecord: (row: Row) => BackupRecord,
    bytesBefore: number,
  ): Promise<{ files: DataFileEntry[]; records: number }> {
    const o = this.#options;
    const writer = new DataFileWriter(o.projectDir, kind, {
      compress: o.compress ?? true,
      fileSize: o.jsonFileSize ?? DEFAULT_FILE_SIZE,
      indent: o.indentSize ?? 0,
    });
    const fetchSize = o.fetchSize ?? DEFAULT_FETCH_SIZE;
    const session = o.driver.session({
      database: o.database,
      defaultAccessMode: neo4j.session.READ,
      fetchSize,
    });
    let records = 0;
    const phase = kind;
    const progress = o.onProgress;
    // Settled when the generator has finished with the driver's result, however it ended.
    let reading: Promise<void> | undefined;
    async function* batches(): AsyncGenerator<BackupRecord[]> {
      const done = Promise.withResolvers<void>();
      reading = done.promise;
      try {
        yield* read();
      } finally {
        done.resolve();
      }
    }
    async function* read(): AsyncGenerator<BackupRecord[]> {
      // Room for two fetches, so that the server sends the next while this one is encoded.
      for await (const rows of rowBatches(session.run(query), 2 * fetchSize)) {
        const batch = rows.map(toRecord);
        records += batch.length;
        yield batch;
        progress?.({
          phase,
          done: records,
          total,
          bytes: bytesBefore + writer.bytes,
        });
      }
    }
    try {
      await ReadableStream.from(batches())
        .pipeThrough(new RecordStringifyStream({ indent: o.indentSize ?? 0 }))
        .pipeTo(writer, o.signal ? { signal: o.signal } : {});
    } finally {
      // A cancelled pipe settles before the cancellation has reached the generator through the
      // transform. Closing the session before the generator has let go of the driver's result
      // would make the driver send that result's DISCARD later, on a connection already back in
      // the pool, and fail whatever query uses it next.
      await reading;
      await session.close().catch(() => {});
    }
    progress?.({
      phase,
      done: records,
      total,
      bytes: bytesBefore + writer.bytes,
    });
    return { files: writer.files, records };
  }

  /** The database's last transaction (as a bookmark) and its counts, from the count store. */
  async #state(): Promise<DatabaseState> {
    const o = this.#options;
    const session = o.driver.session({
      database: o.database,
      defaultAccessMode: neo4j.session.READ,
    });
    try {
      const [nodes, relationships] = await session.executeRead(async (tx) => {
        const n = await tx.run("MATCH (n) RETURN count(n) AS count");
        const r = await tx.run("MATCH ()-[r]->() RETURN count(r) AS count");
        return [
          Number(n.records[0]?.get("count") ?? 0),
          Number(r.records[0]?.get("count") ?? 0),
        ];
      });
      return {
        bookmarks: session.lastBookmarks().join(","),
        nodes: nodes!,
        relationships: relationships!,
      };
    } finally {
      await session.close().catch(() => {});
    }
  }

  /** The Python tool's metadata files, where they still mean something (informative). */
  async #writeLegacyMetadata(manifest: Manifest): Promise<void> {
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
    const write = (name: string, value: unknown): Promise<void> =>
      writeFile(
        join(o.projectDir, name),
        JSON.stringify(value, null, 4) + "\n",
      );
    await write("compressed.json", manifest.compressed);
    await write(
      "node_labels.json",
      manifest.counts.labelSets.map((s) => s.labels),
    );
    await write(
      "rel_types.json",
      manifest.counts.relationshipTypes.map((t) => t.type),
    );
    await write(
      "property_keys.json",
      records.map((r) => String(r.get("propertyKey"))).sort(compareCodePoints),
    );
    await write(
      "uniqueness_constraints.json",
      manifest.schema.constraints
        .filter((c) =>
          c.entityType === "NODE" && c.properties.length === 1 &&
          c.labelsOrTypes.length === 1 &&
          (c.type === "UNIQUENESS" || c.type === "NODE_PROPERTY_UNIQUENESS")
        )
        .map((c) => ({
          node_label: c.labelsOrTypes[0],
          node_prop: c.properties[0],
          constraint_name: c.name,
        })),
    );
  }
}

/** Writes a small text file; a failure is a BackupError (`IO`) naming the file and why. */
async function writeFile(path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (error) {
    throw fileError(path, error);
  }
}

function fileError(
  path: string,
  error: unknown,
  verb = "write",
): BackupError {
  if (error instanceof BackupError) return error;
  return new BackupError(
    `Cannot extract: cannot ${verb} ${path}: ${describeFileError(error)}`,
    { code: "IO", cause: error },
  );
}

function sumBytes(files: DataFileEntry[]): number {
  return files.reduce((sum, file) => sum + file.bytes, 0);
}

function emptySchema(): Schema {
  return { constraints: [], indexes: [] };
}

function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (neo4j.isInt(value)) return (value as { toBigInt(): bigint }).toBigInt();
  if (typeof value === "number") return BigInt(value);
  throw new BackupError(`Unexpected id ${String(value)} from the server`, {
    code: "SERVER",
  });
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function jsonBigInt(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
