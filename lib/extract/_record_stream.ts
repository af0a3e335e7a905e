import neo4j, { type Driver } from "../_driver.ts";
import { DataFileWriter } from "../format/data_file_writer.ts";
import type { RecordKind } from "../format/layout.ts";
import type { DataFileEntry } from "../format/manifest.ts";
import type { BackupRecord } from "../format/record.ts";
import { RecordStringifyStream } from "../format/record_stringify_stream.ts";
import { rowBatches } from "./_row_stream.ts";
import type { Query } from "./_selected_queries.ts";

/** A result row, read by column index. */
export interface Row {
  get(index: number): unknown;
}

/** Options of {@linkcode writeRecords}. */
export interface WriteRecordsOptions {
  /** The database to read. */
  database: string | undefined;
  /** What the files hold. */
  kind: RecordKind;
  /** Turns a row of the queries into a record. */
  toRecord: (row: Row) => BackupRecord;
  /** The backup directory. */
  dir: string;
  /** Gzip the data files. */
  compress: boolean;
  /** Start a new data file after this many bytes of JSON. */
  fileSize: number;
  /** Spaces of indentation per level (0: one record per line). */
  indent: number;
  /** Records per Bolt fetch. */
  fetchSize: number;
  /** Stops the stream; the files being written are deleted. */
  signal: AbortSignal | undefined;
  /** Called after each batch: records so far, and bytes of this kind's files on disk. */
  onBatch: (records: number, bytes: number) => void;
}

/** What {@linkcode writeRecords} wrote. */
export interface WrittenRecords {
  files: DataFileEntry[];
  records: number;
}

/**
 * Streams the rows of `queries`, one after the other and turned into records by `toRecord`, into
 * data files of `kind`: pull-based, so that a slow disk holds back the reading; encoding and
 * compression overlap with it (in a worker).
 */
export async function writeRecords(
  driver: Driver,
  queries: readonly Query[],
  options: WriteRecordsOptions,
): Promise<WrittenRecords> {
  const { database, kind, toRecord } = options;
  const writer = new DataFileWriter(options.dir, kind, {
    compress: options.compress,
    fileSize: options.fileSize,
    indent: options.indent,
  });
  const session = driver.session({
    database,
    defaultAccessMode: neo4j.session.READ,
    fetchSize: options.fetchSize,
  });
  let records = 0;
  // Settled when the generator has finished with the driver's result, however it ended
  // (undefined while it has not started).
  let reading: Promise<void> | undefined;
  async function* batches(): AsyncGenerator<BackupRecord[]> {
    const done = Promise.withResolvers<void>();
    reading = done.promise;
    try {
      for (const query of queries) {
        // Room for two fetches, so that the server sends the next while this one is encoded.
        const rows = rowBatches(
          session.run(query.text, query.parameters),
          2 * options.fetchSize,
        );
        for await (const batch of rows) {
          const converted = batch.map(toRecord);
          records += converted.length;
          yield converted;
          options.onBatch(records, writer.bytes);
        }
      }
    } finally {
      done.resolve();
    }
  }
  try {
    await ReadableStream.from(batches())
      .pipeThrough(new RecordStringifyStream({ indent: options.indent }))
      .pipeTo(writer, options.signal ? { signal: options.signal } : {});
  } finally {
    // A cancelled pipe settles before the cancellation has reached the generator through the
    // transform. Closing the session before the generator has let go of the driver's result
    // would make the driver send that result's DISCARD later, on a connection already back in
    // the pool, and fail whatever query uses it next.
    await reading;
    await session.close().catch(() => {});
  }
  options.onBatch(records, writer.bytes);
  return { files: writer.files, records };
}
