/**
 * A backup location that is a tar archive: a stream (standard output to write, standard input to
 * read) or a `.tar` file. The archive is plain ustar (PAX for long names), written and parsed by
 * the `modern-tar` package, so that tar(1) lists and extracts it.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  createTarDecoder,
  createTarPacker,
  type ParsedTarEntry,
} from "npm:modern-tar@0.8.6";
import { BackupError } from "../errors.ts";
import type { Location, LocationEntry, ReadableOptions } from "./location.ts";
import { tempFileStream } from "./_temp_file_stream.ts";
import {
  checkOffset,
  checkPath,
  checkPrefix,
  notFound,
  reason,
} from "./_path.ts";

/** Options for {@linkcode TarLocation}. */
export interface TarLocationOptions {
  /**
   * What the location is called in messages (e.g. `tar stream on stdout`).
   * @default {"tar stream"}
   */
  name?: string;
  /**
   * The folder for the temporary files: a file being written is spooled there until it is
   * closed (a tar header holds the size, before the data); a stream being read spools there the
   * entries it passes on its way to the one asked for.
   * @default {the system's temporary folder}
   */
  tempDir?: string;
  /** Called once the end marker is written (e.g. to rename a `.tar` file into place). */
  onFinish?: () => Promise<void>;
}

interface Indexed {
  path: string;
  bytes: number;
  /** Position in the archive (0-based, files only). */
  position: number;
}

interface Cursor {
  reader: ReadableStreamDefaultReader<ParsedTarEntry>;
  /** Files passed so far. */
  position: number;
  done: boolean;
  /** The body handed out last, until it is read or cancelled. */
  busy: Promise<void>;
}

/**
 * A tar archive as a {@linkcode Location}: either written (a stream of entries, in the order the
 * files are closed, then the end marker on {@linkcode TarLocation.close}) or read (entries in
 * archive order).
 *
 * Writing: since a tar header carries the entry's size before its data, each file written
 * through {@linkcode TarLocation.writable} is spooled to a temporary file, and appended to the
 * archive, whole, when its stream closes (several may be open at once; they are appended one
 * after the other). {@linkcode TarLocation.put} appends at once. An entry already in the archive
 * cannot be removed.
 *
 * Reading: a file asked for further on in the archive is streamed straight from it; the entries
 * passed on the way are spooled to temporary files (a stream) or only indexed, and read again
 * from the start when asked for (a `.tar` file). Reading in archive order, each stream to its end
 * before the next is asked for, spools nothing. A file streamed straight from a stream can be
 * read only once.
 *
 * @example Write a tar to a stream and read it back
 * ```ts
 * import { TarLocation } from "./tar_location.ts";
 *
 * const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
 * const written = (async () => {
 *   await using tar = TarLocation.writer(writable);
 *   await tar.put("hello.txt", new TextEncoder().encode("hello"));
 * })();
 * await using back = TarLocation.reader(readable);
 * const text = await new Response(await back.readable("hello.txt")).text();
 * await written;
 * console.assert(text === "hello");
 * ```
 */
export class TarLocation implements Location {
  readonly #name: string;
  readonly #tempDir: string | undefined;
  readonly #writing: boolean;
  // Writing.
  #controller: ReturnType<typeof createTarPacker>["controller"] | undefined;
  #pumped: Promise<void> = Promise.resolve();
  #appending: Promise<void> = Promise.resolve();
  #failure: BackupError | undefined;
  readonly #written = new Map<string, number>();
  readonly #onFinish: (() => Promise<void>) | undefined;
  // Reading.
  readonly #source: (() => Promise<ReadableStream<Uint8Array>>) | undefined;
  readonly #rewindable: boolean;
  #cursor: Cursor | undefined;
  readonly #index = new Map<string, Indexed>();
  readonly #spooled = new Map<string, string>();
  readonly #consumed = new Set<string>();
  #spoolDir: string | undefined;
  #closed = false;
  #finished: Promise<void> | undefined;

  private constructor(
    options: TarLocationOptions,
    writing: boolean,
    source?: () => Promise<ReadableStream<Uint8Array>>,
    rewindable = false,
  ) {
    this.#name = options.name ?? "tar stream";
    this.#tempDir = options.tempDir;
    this.#writing = writing;
    this.#source = source;
    this.#rewindable = rewindable;
    this.#onFinish = options.onFinish;
  }

  /**
   * A location that writes a tar archive to `target` (e.g. `Deno.stdout.writable`).
   *
   * @example
   * ```ts ignore
   * await using tar = TarLocation.writer(Deno.stdout.writable, { name: "tar stream on stdout" });
   * ```
   */
  static writer(
    target: WritableStream<Uint8Array>,
    options: TarLocationOptions = {},
  ): TarLocation {
    const location = new TarLocation(options, true);
    const { readable, controller } = createTarPacker();
    location.#controller = controller;
    location.#pumped = readable.pipeTo(target).catch((error) => {
      location.#failure ??= location.#error("write", undefined, error);
      throw location.#failure;
    });
    location.#pumped.catch(() => {});
    return location;
  }

  /**
   * A location that reads the tar archive `source` (e.g. `Deno.stdin.readable`), once, in order.
   *
   * @example
   * ```ts ignore
   * await using tar = TarLocation.reader(Deno.stdin.readable, { name: "tar stream on stdin" });
   * ```
   */
  static reader(
    source: ReadableStream<Uint8Array>,
    options: TarLocationOptions = {},
  ): TarLocation {
    let taken = false;
    return new TarLocation(options, false, () => {
      if (taken) throw new Error("the stream cannot be read twice");
      taken = true;
      return Promise.resolve(source);
    });
  }

  /**
   * A location that reads the tar file at `path`; entries passed over are read again from the
   * file when asked for, rather than spooled.
   *
   * @example
   * ```ts ignore
   * await using tar = TarLocation.open("monday.tar");
   * ```
   */
  static open(path: string, options: TarLocationOptions = {}): TarLocation {
    const file = resolve(path);
    const name = options.name ?? file;
    return new TarLocation({ ...options, name }, false, async () => {
      try {
        return (await Deno.open(file, { read: true })).readable;
      } catch (error) {
        throw error instanceof Deno.errors.NotFound
          ? new BackupError(`Cannot read ${file}: no such file`, {
            code: "IO",
            detail: "not found",
            cause: error,
          })
          : error;
      }
    }, true);
  }

  /**
   * A location that writes the tar file at `path`: to a temporary file beside it, renamed to
   * `path` by {@linkcode TarLocation.close}, so that the file exists only once it is whole.
   *
   * @example
   * ```ts ignore
   * await using tar = await TarLocation.create("monday.tar");
   * ```
   */
  static async create(
    path: string,
    options: TarLocationOptions = {},
  ): Promise<TarLocation> {
    const target = resolve(path);
    const name = options.name ?? target;
    const temp = join(
      dirname(target),
      `.${target.slice(dirname(target).length + 1)}.${
        crypto.randomUUID().slice(0, 8)
      }.partial`,
    );
    let file: Deno.FsFile;
    try {
      await Deno.mkdir(dirname(target), { recursive: true });
      file = await Deno.open(temp, { write: true, createNew: true });
    } catch (error) {
      throw new BackupError(`Cannot write ${target}: ${reason(error)}`, {
        code: "IO",
        detail: reason(error),
        cause: error,
      });
    }
    const location = TarLocation.writer(file.writable, {
      ...options,
      name,
      onFinish: async () => {
        await Deno.rename(temp, target);
        await options.onFinish?.();
      },
    });
    location.#pumped.catch(() => Deno.remove(temp).catch(() => {}));
    return location;
  }

  /** The archive, or a file in it. */
  describe(path?: string): string {
    return path === undefined
      ? this.#name
      : `${checkPath(path)} in ${this.#name}`;
  }

  /**
   * Writing: the files appended so far, sorted. Reading: every file of the archive, in archive
   * order (a stream is read, and spooled, to its end).
   */
  async *list(prefix = ""): AsyncIterable<LocationEntry> {
    checkPrefix(prefix);
    if (this.#writing) {
      const paths = [...this.#written.keys()].filter((p) =>
        p.startsWith(prefix)
      )
        .sort();
      for (const path of paths) {
        yield { path, bytes: this.#written.get(path)! };
      }
      return;
    }
    await this.#seek(undefined);
    const entries = [...this.#index.values()].sort((a, b) =>
      a.position - b.position
    );
    for (const { path, bytes } of entries) {
      if (path.startsWith(prefix)) yield { path, bytes };
    }
  }

  /** A stream of the bytes of a file of the archive (reading only). */
  async readable(
    path: string,
    options: ReadableOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    checkPath(path);
    const offset = checkOffset(options.offset);
    if (this.#writing) {
      throw new TypeError(
        `Cannot read ${this.describe(path)}: it is being written`,
      );
    }
    this.#checkOpen();
    const spooled = this.#spooled.get(path);
    if (spooled) return await openFrom(spooled, offset);
    if (this.#consumed.has(path)) {
      throw new BackupError(
        `Cannot read ${this.describe(path)} again: a stream is read only once`,
        { code: "IO", file: path, detail: "read twice" },
      );
    }
    const known = this.#index.get(path);
    if (
      known && this.#rewindable && this.#cursor &&
      known.position < this.#cursor.position
    ) {
      this.#rewind();
    }
    const entry = await this.#seek(path);
    if (!entry) throw notFound(this.describe(path), path);
    if (!this.#rewindable) this.#consumed.add(path);
    return this.#handOut(entry.body, offset);
  }

  /** A stream that spools a file and appends it to the archive when it closes (writing only). */
  async writable(path: string): Promise<WritableStream<Uint8Array>> {
    checkPath(path);
    this.#checkWriting(path);
    const spool = join(await this.#spoolFolder(), crypto.randomUUID());
    return await tempFileStream(spool, {
      sync: false,
      finish: (bytes) =>
        this.#append(
          path,
          bytes,
          async () => (await Deno.open(spool)).readable,
        ),
      removeAfter: true,
      fail: (error) =>
        error instanceof BackupError
          ? error
          : this.#error("write", path, error),
    });
  }

  /** Appends a file to the archive (writing only). */
  async put(path: string, bytes: Uint8Array): Promise<void> {
    checkPath(path);
    this.#checkWriting(path);
    const copy = bytes.slice();
    await this.#append(
      path,
      copy.length,
      () => Promise.resolve(new Blob([copy]).stream()),
    );
  }

  /** Nothing happens for a file not in the archive; one already in it cannot be removed. */
  remove(path: string): Promise<void> {
    checkPath(path);
    if (!this.#writing) {
      throw new TypeError(
        `Cannot remove ${this.describe(path)}: the archive is read-only`,
      );
    }
    if (this.#written.has(path)) {
      return Promise.reject(
        new BackupError(
          `Cannot remove ${this.describe(path)}: it is already in the archive`,
          { code: "IO", file: path, detail: "already written" },
        ),
      );
    }
    return Promise.resolve();
  }

  /**
   * Writing: waits for the files being appended, then writes the end marker (a tar without one
   * is incomplete). Reading: stops reading and removes the spooled files.
   */
  close(): Promise<void> {
    this.#finished ??= this.#finish();
    return this.#finished;
  }

  /** Same as {@linkcode TarLocation.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #finish(): Promise<void> {
    this.#closed = true;
    try {
      if (this.#writing) {
        await this.#appending.catch(() => {});
        if (!this.#failure) {
          this.#controller!.finalize();
          await this.#pumped;
          await this.#onFinish?.();
        } else {
          this.#controller!.error(this.#failure);
          await this.#pumped.catch(() => {});
          throw this.#failure;
        }
      } else if (this.#cursor) {
        void this.#cursor.reader.cancel().catch(() => {});
      }
    } finally {
      if (this.#spoolDir) {
        await Deno.remove(this.#spoolDir, { recursive: true }).catch(() => {});
      }
    }
  }

  #append(
    path: string,
    bytes: number,
    body: () => Promise<ReadableStream<Uint8Array>>,
  ): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#failure) throw this.#failure;
      if (this.#written.has(path)) {
        throw new BackupError(
          `Cannot write ${this.describe(path)}: it is already in the archive`,
          { code: "IO", file: path, detail: "already written" },
        );
      }
      try {
        const stream = this.#controller!.add({
          name: path,
          size: bytes,
          type: "file",
          mode: 0o644,
          mtime: new Date(),
        });
        await (await body()).pipeTo(stream);
      } catch (error) {
        // The archive holds part of an entry: nothing more can be added.
        this.#failure ??= this.#error("write", path, error);
        throw this.#failure;
      }
      this.#written.set(path, bytes);
    };
    const appended = this.#appending.then(run, run);
    this.#appending = appended.catch(() => {});
    return appended;
  }

  /** Moves the cursor to `path` (undefined: to the end), spooling or indexing what it passes. */
  async #seek(path: string | undefined): Promise<ParsedTarEntry | undefined> {
    for (;;) {
      const cursor = this.#cursor ?? await this.#open();
      await cursor.busy;
      if (cursor.done) return undefined;
      let read: ReadableStreamReadResult<ParsedTarEntry>;
      try {
        read = await cursor.reader.read();
      } catch (error) {
        cursor.done = true;
        throw this.#error("read", undefined, error);
      }
      if (read.done) {
        cursor.done = true;
        return undefined;
      }
      const entry = read.value;
      const type = entry.header.type ?? "file";
      const name = normalize(entry.header.name);
      if (type !== "file") {
        await this.#drain(cursor, entry.body);
        continue;
      }
      if (name === undefined) {
        await this.#drain(cursor, entry.body);
        cursor.done = true;
        throw new BackupError(
          `Cannot read ${this.#name}: the entry ${
            JSON.stringify(entry.header.name)
          } is not a relative path`,
          { code: "INVALID_BACKUP", detail: "unsafe entry name" },
        );
      }
      const position = cursor.position++;
      if (!this.#index.has(name)) {
        this.#index.set(name, {
          path: name,
          bytes: entry.header.size,
          position,
        });
      }
      if (name === path) return entry;
      if (this.#rewindable || this.#spooled.has(name)) {
        await this.#drain(cursor, entry.body);
      } else {
        const spool = join(await this.#spoolFolder(), crypto.randomUUID());
        try {
          await entry.body.pipeTo(
            (await Deno.open(spool, { write: true, createNew: true })).writable,
          );
        } catch (error) {
          cursor.done = true;
          throw this.#error("read", undefined, error);
        }
        this.#spooled.set(name, spool);
      }
    }
  }

  async #drain(
    cursor: Cursor,
    body: ReadableStream<Uint8Array>,
  ): Promise<void> {
    try {
      await drain(body);
    } catch (error) {
      cursor.done = true;
      throw this.#error("read", undefined, error);
    }
  }

  async #open(): Promise<Cursor> {
    let source: ReadableStream<Uint8Array>;
    try {
      source = await this.#source!();
    } catch (error) {
      throw this.#error("read", undefined, error);
    }
    this.#cursor = {
      reader: source.pipeThrough(createTarDecoder({ strict: true }))
        .getReader(),
      position: 0,
      done: false,
      busy: Promise.resolve(),
    };
    return this.#cursor;
  }

  #rewind(): void {
    const old = this.#cursor!;
    this.#cursor = undefined;
    void old.reader.cancel().catch(() => {});
  }

  /** The body of an entry, from `offset` on; the cursor waits until it is read or cancelled. */
  #handOut(
    body: ReadableStream<Uint8Array>,
    offset: number,
  ): ReadableStream<Uint8Array> {
    const cursor = this.#cursor!;
    let release!: () => void;
    cursor.busy = new Promise((resolve) => release = resolve);
    const reader = body.getReader();
    let skip = offset;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          let read: ReadableStreamReadResult<Uint8Array>;
          try {
            read = await reader.read();
          } catch (error) {
            release();
            controller.error(this.#error("read", undefined, error));
            return;
          }
          if (read.done) {
            reader.releaseLock();
            release();
            controller.close();
            return;
          }
          let chunk = read.value;
          if (skip > 0) {
            const cut = Math.min(skip, chunk.length);
            skip -= cut;
            chunk = chunk.subarray(cut);
            if (chunk.length === 0) continue;
          }
          controller.enqueue(chunk);
          return;
        }
      },
      cancel: async () => {
        // modern-tar stalls after a cancelled body: read the rest instead.
        reader.releaseLock();
        await drain(body).catch(() => {});
        release();
      },
    }, { highWaterMark: 0 });
  }

  async #spoolFolder(): Promise<string> {
    this.#spoolDir ??= await Deno.makeTempDir({
      prefix: "neo4j-backup-tar-",
      ...(this.#tempDir === undefined ? {} : { dir: this.#tempDir }),
    });
    return this.#spoolDir;
  }

  #checkWriting(path: string): void {
    if (!this.#writing) {
      throw new TypeError(
        `Cannot write ${this.describe(path)}: the archive is read-only`,
      );
    }
    this.#checkOpen();
    if (this.#failure) throw this.#failure;
  }

  #checkOpen(): void {
    if (this.#closed) throw new TypeError(`The ${this.#name} is closed`);
  }

  #error(verb: string, path: string | undefined, error: unknown): BackupError {
    if (error instanceof BackupError) return error;
    const where = path === undefined ? this.#name : this.describe(path);
    let why = reason(error);
    if (/truncated/i.test(why)) why = "the archive is truncated";
    else if (error instanceof Deno.errors.BrokenPipe) {
      why = "the reader went away";
    }
    return new BackupError(`Cannot ${verb} ${where}: ${sentenceTail(why)}`, {
      code: /truncated|checksum|invalid/i.test(why) ? "INVALID_BACKUP" : "IO",
      ...(path === undefined ? {} : { file: path }),
      detail: why,
      cause: error,
    });
  }
}

/** `./data/x` is `data/x`; undefined for a name that is not a safe relative path. */
function normalize(name: string): string | undefined {
  let path = name;
  while (path.startsWith("./")) path = path.slice(2);
  if (path.endsWith("/")) path = path.slice(0, -1);
  try {
    return checkPath(path);
  } catch {
    return undefined;
  }
}

/** Reads a body to its end (modern-tar stalls on the next entry after a cancelled one). */
function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  return body.pipeTo(new WritableStream());
}

function sentenceTail(text: string): string {
  const trimmed = text.replace(/\.$/, "");
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

async function openFrom(
  path: string,
  offset: number,
): Promise<ReadableStream<Uint8Array>> {
  const file = await Deno.open(path, { read: true });
  if (offset > 0) await file.seek(offset, Deno.SeekMode.Start);
  return file.readable;
}
