import { join } from "node:path";
import neo4j, { type Driver } from "../_driver.ts";
import { DataFileWriter } from "../format/data_file_writer.ts";
import type { SinkWorkerPool } from "../format/sink_worker_pool.ts";
import { DATA_DIR } from "../format/layout.ts";
import { DEFAULT_CHUNK_CHARS } from "../format/record_stringify_stream.ts";
import { textChunks } from "../format/_text_chunks.ts";
import type { DonePartition } from "./_checkpoint.ts";
import type { Partition } from "./_partition_plan.ts";
import { RecordTally, rowId } from "./_record_tally.ts";
import { rowBatches, setFirstPull } from "./_row_stream.ts";
import { fileError } from "./_files.ts";
import { HeapCollector } from "./_heap_collector.ts";
import {
  placePartitionFiles,
  removePartitionFiles,
} from "./_partition_files.ts";

/** The folder of the partitions' files while an extract runs, in the backup directory. */
export const PARTITIONS_DIR = ".partitions";

/**
 * Records of the first pull of a partition. Measured (bench/extract_memory.ts): with the first
 * pull at 2000 rows of 768-dimension embeddings, 30 MB arrive before the byte bound can act.
 */
const FIRST_FETCH = 100;

/**
 * A record estimated at this many bytes or more ends its query, and the partition goes on with
 * a new one from the next id: measured (bench/extract_memory.ts), Neo4j 5.26 serves every later
 * record of a query about 14 ms slower after a 5 MB string.
 */
const HUGE_RECORD = 1024 * 1024;

/** Options of {@linkcode writePartition}. */
export interface WritePartitionOptions {
  /** The database to read. */
  database: string | undefined;
  /** The backup directory. */
  dir: string;
  /** Gzip the data files. */
  compress: boolean;
  /** Start a new data file after this many bytes of JSON. */
  fileSize: number;
  /** Spaces of indentation per level (0: one record per line). */
  indent: number;
  /** Records per Bolt fetch, at most (the first fetch is smaller, until rows are weighed). */
  fetchSize: number;
  /** Bytes of records (estimated as JSON) that may wait between the driver and the encoder. */
  batchBytes: number;
  /** Stops the stream; the files being written are deleted. */
  signal: AbortSignal | undefined;
  /** Called after each batch with the records of that batch. */
  onBatch: (records: number) => void;
  /**
   * Compress, hash and write in a worker of their own (`false`: on this thread).
   * @default {true}
   */
  sinkWorker?: boolean;
  /** Where that worker comes from and goes back to (without: one of its own, ended after). */
  sinkWorkers?: SinkWorkerPool;
  /**
   * Ask V8 for full collections after huge records and after batches that leave much garbage
   * (see `HeapCollector`; it sets `--expose-gc` for the whole process).
   * @default {false}
   */
  collectGarbage?: boolean;
}

/**
 * Reads one partition in a read transaction of its own (so that a routing driver may send it to
 * any member of a cluster) and streams its records into data files in the partition's folder
 * (`.partitions/<key>/data/`): pull-based, so that a slow disk holds back the reading, with
 * encoding and compression overlapping it (in a worker). Once the read has committed, the files
 * move into `data/` under the partition's names (`nodes_000003_1.json.gz`). Whatever an earlier
 * try left (in the folder or in `data/`) is removed first; on failure, so is what this one
 * wrote. Returns what the checkpoint records of it.
 */
export async function writePartition(
  driver: Driver,
  partition: Partition,
  options: WritePartitionOptions,
): Promise<DonePartition> {
  const folder = `${PARTITIONS_DIR}/${partition.key}`;
  const path = join(options.dir, folder);
  await Deno.remove(path, { recursive: true }).catch(() => {});
  await removePartitionFiles(options.dir, partition.kind, partition.index);
  try {
    await Deno.mkdir(join(path, DATA_DIR), { recursive: true });
  } catch (error) {
    throw fileError(path, error, "create");
  }
  const tally = new RecordTally(options.indent);
  const toText = partition.kind === "nodes" ? tally.node : tally.relationship;
  const writer = new DataFileWriter(path, partition.kind, {
    compress: options.compress,
    fileSize: options.fileSize,
    indent: options.indent,
    worker: options.sinkWorker ?? true,
    ...(options.sinkWorkers ? { workers: options.sinkWorkers } : {}),
  });
  const session = driver.session({
    database: options.database,
    defaultAccessMode: neo4j.session.READ,
    // The first pull goes out with the query, before any row is weighed: small, so that wide
    // rows cannot flood memory; rowBatches sizes the later pulls by the bytes of the rows.
    fetchSize: Math.min(FIRST_FETCH, options.fetchSize),
  });
  const collector = options.collectGarbage ? HeapCollector.get() : undefined;
  let records = 0;
  // Settled when the generator has finished with the driver's result, however it ended
  // (undefined while it has not started).
  let reading: Promise<void> | undefined;
  let committed = false;
  // The texts of the records, in chunks of at most DEFAULT_CHUNK_CHARS, made as the writer
  // takes them.
  async function* texts(): AsyncGenerator<string[]> {
    const done = Promise.withResolvers<void>();
    reading = done.promise;
    let tx: Awaited<ReturnType<typeof session.beginTransaction>> | undefined;
    try {
      // Kept for setFirstPull: what the promise resolves to is a copy the driver does not read.
      const begun = session.beginTransaction();
      tx = await begun;
      // A range is read again from after the last record once a huge one has come (Neo4j
      // serves the rest of a query slowly after one), in the same transaction.
      let query = partition.query;
      for (;;) {
        let huge = false;
        let last: bigint | undefined;
        // Room for two fetches, so that the server sends the next while this one is encoded.
        const rows = rowBatches(
          tx.run(query.text, query.parameters),
          2 * options.fetchSize,
          {
            bytes: options.batchBytes,
            ...(partition.range
              ? { hugeBytes: HUGE_RECORD, onHuge: () => (huge = true) }
              : {}),
          },
        );
        for await (const batch of rows) {
          if (batch.length === 0) continue;
          yield* textChunks(batch, toText, DEFAULT_CHUNK_CHARS);
          records += batch.length;
          last = rowId(batch.at(-1)!);
          options.onBatch(batch.length);
          if (!huge) collector?.afterBatch();
        }
        if (!huge || last === undefined) break;
        collector?.afterHuge();
        setFirstPull(begun, 1);
        query = {
          ...query,
          parameters: { ...query.parameters, lo: last + 1n },
        };
      }
      await tx.commit();
      committed = true;
    } finally {
      if (!committed) await tx?.close().catch(() => {});
      done.resolve();
    }
  }
  try {
    await ReadableStream.from(texts()).pipeTo(
      writer,
      options.signal ? { signal: options.signal } : {},
    );
  } catch (error) {
    await reading;
    await session.close().catch(() => {});
    await Deno.remove(path, { recursive: true }).catch(() => {});
    throw error;
  }
  // A cancelled pipe settles before the cancellation has reached the generator through the
  // transform; closing the session before the generator has let go of the driver's result
  // would make the driver send that result's DISCARD later, on a connection already back in
  // the pool, and fail whatever query uses it next.
  await reading;
  const bookmark = session.lastBookmarks().join(",");
  await session.close().catch(() => {});
  const files = await placePartitionFiles(
    options.dir,
    writer.files.map((file) => ({ ...file, path: `${folder}/${file.path}` })),
    partition,
    options.compress,
  );
  await Deno.remove(path, { recursive: true }).catch(() => {});
  return {
    done: partition.key,
    files,
    records,
    labelSets: tally.labelSets(),
    types: tally.relationshipTypes(),
    bookmark,
  };
}
