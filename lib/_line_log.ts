import { dirname } from "node:path";

/**
 * An append-only file of JSON lines that survives being killed at any moment: the import's
 * journal and the extract's checkpoint. The first line (the header) goes in through a temporary
 * file that is flushed and renamed, so the file exists only with its header; each later line is
 * appended whole, in order (parallel writers' lines never interleave), and flushed when asked.
 * A last line cut short (the process died while writing it) is not a line: readers skip it.
 */
export class LineLog {
  readonly path: string;
  readonly #file: Deno.FsFile;
  readonly #encoder = new TextEncoder();
  readonly #fail: (error: unknown) => Error;
  /** The appends in order. */
  #queue: Promise<void> = Promise.resolve();

  private constructor(
    path: string,
    file: Deno.FsFile,
    fail: (error: unknown) => Error,
  ) {
    this.path = path;
    this.#file = file;
    this.#fail = fail;
  }

  /**
   * Starts a new log at `path` (replacing any file there) with `header` as its first line, then
   * opens it to append. Errors go through `fail`.
   */
  static async create(
    path: string,
    header: unknown,
    fail: (error: unknown) => Error,
  ): Promise<LineLog> {
    const temporary = `${path}.tmp`;
    try {
      await Deno.mkdir(dirname(path), { recursive: true });
      {
        using file = await Deno.open(temporary, {
          write: true,
          create: true,
          truncate: true,
        });
        await writeAll(
          file,
          new TextEncoder().encode(JSON.stringify(header) + "\n"),
        );
        await file.syncData();
      }
      await Deno.rename(temporary, path);
    } catch (error) {
      await Deno.remove(temporary).catch(() => {});
      throw fail(error);
    }
    return await LineLog.open(path, fail);
  }

  /** Opens an existing log to append to it. */
  static async open(
    path: string,
    fail: (error: unknown) => Error,
  ): Promise<LineLog> {
    try {
      return new LineLog(path, await Deno.open(path, { append: true }), fail);
    } catch (error) {
      throw fail(error);
    }
  }

  /**
   * The complete lines of the log at `path` (not parsed); undefined when there is none. The
   * piece after the last newline is empty or a line cut short: either way, not a line.
   */
  static async read(
    path: string,
    fail: (error: unknown) => Error,
  ): Promise<string[] | undefined> {
    try {
      return (await Deno.readTextFile(path)).split("\n").slice(0, -1);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw fail(error);
    }
  }

  /** Deletes the log at `path`, if any. */
  static async discard(
    path: string,
    fail: (error: unknown) => Error,
  ): Promise<void> {
    try {
      await Deno.remove(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw fail(error);
    }
  }

  /** Appends `value` as a line, after the lines appended before; flushed to disk when `sync`. */
  append(value: unknown, sync: boolean): Promise<void> {
    const bytes = this.#encoder.encode(JSON.stringify(value) + "\n");
    const appended = this.#queue.then(async () => {
      try {
        await writeAll(this.#file, bytes);
        if (sync) await this.#file.syncData();
      } catch (error) {
        throw this.#fail(error);
      }
    });
    this.#queue = appended.catch(() => {});
    return appended;
  }

  /** Closes the file (after the appends begun). */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // Already closed.
    }
  }

  /** Closes and deletes the log. */
  async remove(): Promise<void> {
    await this.#queue;
    this.close();
    await Deno.remove(this.path).catch(() => {});
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await file.write(bytes.subarray(offset));
  }
}
