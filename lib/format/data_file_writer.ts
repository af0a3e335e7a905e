import { join } from "node:path";
import { BackupError } from "../errors.ts";
import {
  describeFileError,
  type FileSink,
  openLocalSink,
  SinkWorker,
} from "./_file_sink.ts";
import { DATA_DIR, dataFilePath, type RecordKind } from "./layout.ts";
import type { DataFileEntry } from "./manifest.ts";

/** Options for {@linkcode DataFileWriter}. */
export interface DataFileWriterOptions {
  /**
   * Gzip the files (`.json.gz`); otherwise plain `.json`.
   * @default {true}
   */
  compress?: boolean;
  /**
   * Start a new file once this many bytes of JSON have gone into the current one.
   * @default {134217728} (128 MiB of JSON, about 15 to 30 MiB gzipped)
   */
  fileSize?: number;
  /**
   * Records whose text spans several lines (an indent) are indented by this much inside the
   * file's array; 0 keeps one record per line.
   * @default {0}
   */
  indent?: number;
  /**
   * The number the first file counts from, for the `<N>` of `nodes_<N>.json.gz`.
   * @default {0}
   */
  recordsBefore?: number;
  /**
   * Compress, hash and write in a worker, off the calling thread (`false`: on it).
   * @default {true}
   */
  worker?: boolean;
}

/** The default of {@linkcode DataFileWriterOptions.fileSize}. */
export const DEFAULT_FILE_SIZE = 128 * 1024 * 1024;

const FLUSH_CHARS = 256 * 1024;

interface OpenFile {
  temporary: string;
  sink: FileSink;
  records: number;
  jsonBytes: number;
}

/**
 * A sink of batches of record texts (one JSON value each) that writes them as the data files of a backup:
 * JSON arrays, gzip-compressed, cut into files by size, each hashed with SHA-256 on the way to
 * disk. A file is written under a temporary name and gets its final name
 * (`data/nodes_<N>.json.gz`, N counting records up to its end) only once complete. Writes wait
 * for the disk: a slow disk holds back whatever feeds this stream.
 *
 * @example Write two node records
 * ```ts ignore
 * import { DataFileWriter } from "./data_file_writer.ts";
 *
 * const writer = new DataFileWriter("backup", "nodes");
 * await ReadableStream.from([['{"node_id":0,"node_labels":[],"node_props":{}}']])
 *   .pipeTo(writer);
 * console.log(writer.files); // [{ path: "data/nodes_1.json.gz", records: 1, ... }]
 * ```
 */
export class DataFileWriter extends WritableStream<string[]> {
  #files: DataFileEntry[];
  #current: () => number;

  /** Writes into `<dir>/data/`, which is created if missing. */
  constructor(
    dir: string,
    kind: RecordKind,
    options: DataFileWriterOptions = {},
  ) {
    const compress = options.compress ?? true;
    const fileSize = options.fileSize ?? DEFAULT_FILE_SIZE;
    const indent = options.indent ?? 0;
    if (!Number.isSafeInteger(fileSize) || fileSize < 1) {
      throw new RangeError(
        `fileSize must be a positive integer, got ${fileSize}`,
      );
    }
    const files: DataFileEntry[] = [];
    const prefix = indent > 0 ? " ".repeat(indent) : "";
    const encoder = new TextEncoder();
    let total = options.recordsBefore ?? 0;
    let sequence = 0;
    let current: OpenFile | undefined;
    let pending: string[] = [];
    let pendingChars = 0;
    // Compression, hashing and writing run in a worker when one can start.
    let worker: SinkWorker | undefined | null = options.worker === false
      ? null
      : undefined;

    // The file being written (or closed): deleted, and the worker ended, when anything fails.
    let active: OpenFile | undefined;

    const fail = (error: unknown, path: string): BackupError =>
      error instanceof BackupError ? error : new BackupError(
        `Cannot write ${join(dir, path)}: ${describeFileError(error)}`,
        { code: "IO", file: path, cause: error },
      );

    const open = async (): Promise<OpenFile> => {
      const temporary = `${DATA_DIR}/${kind}.${sequence++}.partial`;
      const path = join(dir, temporary);
      try {
        await Deno.mkdir(join(dir, DATA_DIR), { recursive: true });
        if (worker === undefined) worker = SinkWorker.start() ?? null;
        const sink = worker
          ? await worker.open(path, compress)
          : await openLocalSink(path, compress);
        active = { temporary, sink, records: 0, jsonBytes: 0 };
        return active;
      } catch (error) {
        // A file may have been created before the failure.
        await Deno.remove(path).catch(() => {});
        throw fail(error, temporary);
      }
    };

    const flush = async (file: OpenFile): Promise<void> => {
      if (pending.length === 0) return;
      const chunk = encoder.encode(pending.join(""));
      pending = [];
      pendingChars = 0;
      file.jsonBytes += chunk.byteLength;
      try {
        await file.sink.write(chunk);
      } catch (error) {
        throw fail(error, file.temporary);
      }
    };

    const close = async (file: OpenFile): Promise<void> => {
      pending.push("\n]\n");
      pendingChars += 3;
      await flush(file);
      let written: { bytes: number; sha256: string };
      try {
        written = await file.sink.close();
      } catch (error) {
        throw fail(error, file.temporary);
      }
      const path = dataFilePath(kind, total + file.records, compress);
      try {
        await Deno.rename(join(dir, file.temporary), join(dir, path));
      } catch (error) {
        throw fail(error, file.temporary);
      }
      active = undefined;
      total += file.records;
      files.push({ path, kind, records: file.records, ...written });
    };

    const stop = (): void => {
      worker?.terminate();
      worker = null;
    };

    // Gives up: the file being written is deleted and the worker ends (or it would keep the
    // process alive). A stream whose sink failed is not aborted by the streams machinery.
    const discard = async (): Promise<void> => {
      const file = active;
      active = undefined;
      current = undefined;
      pending = [];
      pendingChars = 0;
      if (file) {
        await file.sink.abort().catch(() => {});
        await Deno.remove(join(dir, file.temporary)).catch(() => {});
      }
      stop();
    };

    super({
      write: async (texts) => {
        try {
          for (const text of texts) {
            current ??= await open();
            const file = current;
            const body = prefix
              ? prefix + text.replaceAll("\n", "\n" + prefix)
              : text;
            const head = file.records === 0 ? "[\n" : ",\n";
            pending.push(head, body);
            pendingChars += head.length + body.length;
            file.records++;
            if (file.jsonBytes + pendingChars >= fileSize) {
              current = undefined;
              await close(file);
            } else if (pendingChars >= FLUSH_CHARS) {
              await flush(file);
            }
          }
        } catch (error) {
          await discard();
          throw error;
        }
      },
      close: async () => {
        try {
          if (current) {
            const file = current;
            current = undefined;
            await close(file);
          }
        } catch (error) {
          await discard();
          throw error;
        } finally {
          stop();
        }
      },
      abort: discard,
    });
    this.#files = files;
    this.#current = () => current?.sink.written() ?? 0;
  }

  /**
   * Bytes on disk so far: the completed files, and what of the current one has reached the disk
   * (compressed, when compressing).
   */
  get bytes(): number {
    let total = this.#current();
    for (const file of this.#files) total += file.bytes;
    return total;
  }

  /** The files completed so far, in order. */
  get files(): DataFileEntry[] {
    return [...this.#files];
  }
}
