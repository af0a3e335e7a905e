import { join } from "node:path";
import { BackupError } from "../errors.ts";
import {
  describeFileError,
  type FileSink,
  openLocalSink,
  SinkWorker,
} from "./_file_sink.ts";
import {
  giveSinkWorker,
  type SinkWorkerPool,
  takeSinkWorker,
} from "./sink_worker_pool.ts";
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
  /**
   * Where the worker comes from, and goes back to once the writer is done (with `worker`
   * not false): a writer without a pool starts a worker of its own and ends it.
   */
  workers?: SinkWorkerPool;
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
 * The state of a {@linkcode DataFileWriter} and what it does with it: the file being written,
 * the text waiting to be flushed into it, the files completed, and the worker that compresses,
 * hashes and writes.
 */
class DataFileSink implements UnderlyingSink<string[]> {
  readonly files: DataFileEntry[] = [];
  readonly #dir: string;
  readonly #kind: RecordKind;
  readonly #compress: boolean;
  readonly #fileSize: number;
  readonly #prefix: string;
  readonly #encoder = new TextEncoder();
  /** Records in the files completed, plus those before the first. */
  #total: number;
  #sequence = 0;
  /** The file records go into; undefined between files. */
  #current: OpenFile | undefined;
  /** The file on disk that is not complete (also while it closes): deleted on failure. */
  #active: OpenFile | undefined;
  #pending: string[] = [];
  #pendingChars = 0;
  /** undefined: not started yet; null: none (not wanted, or none could start). */
  #worker: SinkWorker | undefined | null;
  readonly #workers: SinkWorkerPool | undefined;

  constructor(dir: string, kind: RecordKind, options: DataFileWriterOptions) {
    this.#dir = dir;
    this.#kind = kind;
    this.#compress = options.compress ?? true;
    this.#fileSize = options.fileSize ?? DEFAULT_FILE_SIZE;
    const indent = options.indent ?? 0;
    this.#prefix = indent > 0 ? " ".repeat(indent) : "";
    this.#total = options.recordsBefore ?? 0;
    this.#worker = options.worker === false ? null : undefined;
    this.#workers = options.workers;
  }

  /** Bytes of the current file that have reached the disk. */
  get currentBytes(): number {
    return this.#current?.sink.written() ?? 0;
  }

  async write(texts: string[]): Promise<void> {
    try {
      for (const text of texts) await this.#add(text);
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async close(): Promise<void> {
    try {
      const file = this.#current;
      this.#current = undefined;
      if (file) await this.#close(file);
    } catch (error) {
      await this.abort();
      throw error;
    } finally {
      this.#stop();
    }
  }

  /**
   * Gives up: the file being written is deleted and the worker ends (or it would keep the
   * process alive), even one from a pool (a writer that failed does not vouch for its worker).
   * A stream whose sink failed is not aborted by the streams machinery.
   */
  async abort(): Promise<void> {
    const file = this.#active;
    this.#active = undefined;
    this.#current = undefined;
    this.#pending = [];
    this.#pendingChars = 0;
    if (file) {
      await file.sink.abort().catch(() => {});
      await Deno.remove(join(this.#dir, file.temporary)).catch(() => {});
    }
    this.#worker?.terminate();
    this.#worker = null;
  }

  async #add(text: string): Promise<void> {
    const file = this.#current ??= await this.#open();
    const body = this.#prefix
      ? this.#prefix + text.replaceAll("\n", "\n" + this.#prefix)
      : text;
    const head = file.records === 0 ? "[\n" : ",\n";
    this.#pending.push(head, body);
    this.#pendingChars += head.length + body.length;
    file.records++;
    if (file.jsonBytes + this.#pendingChars >= this.#fileSize) {
      this.#current = undefined;
      await this.#close(file);
    } else if (this.#pendingChars >= FLUSH_CHARS) {
      await this.#flush(file);
    }
  }

  async #open(): Promise<OpenFile> {
    const temporary = `${DATA_DIR}/${this.#kind}.${this.#sequence++}.partial`;
    const path = join(this.#dir, temporary);
    try {
      await Deno.mkdir(join(this.#dir, DATA_DIR), { recursive: true });
      if (this.#worker === undefined) {
        this.#worker = (this.#workers
          ? takeSinkWorker(this.#workers)
          : SinkWorker.start()) ??
          null;
      }
      const sink = this.#worker
        ? await this.#worker.open(path, this.#compress)
        : await openLocalSink(path, this.#compress);
      this.#active = { temporary, sink, records: 0, jsonBytes: 0 };
      return this.#active;
    } catch (error) {
      // A file may have been created before the failure.
      await Deno.remove(path).catch(() => {});
      throw this.#fail(error, temporary);
    }
  }

  async #flush(file: OpenFile): Promise<void> {
    if (this.#pending.length === 0) return;
    const text = this.#pending.join("");
    this.#pending = [];
    this.#pendingChars = 0;
    // A huge record goes in pieces of about FLUSH_CHARS, so that no more than a few of those
    // are in flight to the worker (never split between the two halves of a surrogate pair).
    for (let start = 0; start < text.length;) {
      let end = text.length - start > 2 * FLUSH_CHARS
        ? start + FLUSH_CHARS
        : text.length;
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
      const chunk = this.#encoder.encode(
        start === 0 && end === text.length ? text : text.slice(start, end),
      );
      start = end;
      file.jsonBytes += chunk.byteLength;
      try {
        await file.sink.write(chunk);
      } catch (error) {
        throw this.#fail(error, file.temporary);
      }
    }
  }

  /** Ends the file's array, finishes it, and gives it its final name. */
  async #close(file: OpenFile): Promise<void> {
    this.#pending.push("\n]\n");
    this.#pendingChars += 3;
    await this.#flush(file);
    let written: { bytes: number; sha256: string };
    try {
      written = await file.sink.close();
    } catch (error) {
      throw this.#fail(error, file.temporary);
    }
    const records = this.#total + file.records;
    const path = dataFilePath(this.#kind, records, this.#compress);
    try {
      await Deno.rename(
        join(this.#dir, file.temporary),
        join(this.#dir, path),
      );
    } catch (error) {
      throw this.#fail(error, file.temporary);
    }
    this.#active = undefined;
    this.#total = records;
    this.files.push({
      path,
      kind: this.#kind,
      records: file.records,
      ...written,
    });
  }

  /** Done with the worker: back to the pool, or ended. */
  #stop(): void {
    if (this.#worker) {
      if (this.#workers) giveSinkWorker(this.#workers, this.#worker);
      else this.#worker.terminate();
    }
    this.#worker = null;
  }

  #fail(error: unknown, path: string): BackupError {
    return error instanceof BackupError ? error : new BackupError(
      `Cannot write ${join(this.#dir, path)}: ${describeFileError(error)}`,
      { code: "IO", file: path, cause: error },
    );
  }
}

/**
 * A sink of batches of record texts (one JSON value each) that writes them as the data files of a backup:
 * JSON arrays, gzip-compressed, cut into files by size, each hashed with SHA-256 on the way to
 * disk. A file is written under a temporary name and gets its final name
 * (`data/nodes_<N>.json.gz`, N counting records up to its end) only once complete. Writes wait
 * for the disk: a slow disk holds back whatever feeds this stream.
 *
 * @example Write two node records
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { DataFileWriter } from "./data_file_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const writer = new DataFileWriter(dir, "nodes");
 * await ReadableStream.from([[
 *   '{"node_id":0,"node_labels":[],"node_props":{}}',
 *   '{"node_id":1,"node_labels":["Person"],"node_props":{}}',
 * ]]).pipeTo(writer);
 * equal(writer.files[0]!.path, "data/nodes_2.json.gz");
 * equal(writer.files[0]!.records, 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class DataFileWriter extends WritableStream<string[]> {
  readonly #sink: DataFileSink;

  /** Writes into `<dir>/data/`, which is created if missing. */
  constructor(
    dir: string,
    kind: RecordKind,
    options: DataFileWriterOptions = {},
  ) {
    const fileSize = options.fileSize ?? DEFAULT_FILE_SIZE;
    if (!Number.isSafeInteger(fileSize) || fileSize < 1) {
      throw new RangeError(
        `fileSize must be a positive integer, got ${fileSize}`,
      );
    }
    const sink = new DataFileSink(dir, kind, options);
    super(sink);
    this.#sink = sink;
  }

  /**
   * Bytes on disk so far: the completed files, and what of the current one has reached the disk
   * (compressed, when compressing).
   */
  get bytes(): number {
    let total = this.#sink.currentBytes;
    for (const file of this.#sink.files) total += file.bytes;
    return total;
  }

  /** The files completed so far, in order. */
  get files(): DataFileEntry[] {
    return [...this.#sink.files];
  }
}
