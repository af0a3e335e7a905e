/**
 * A backup location that is a local directory.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
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

/** Options for {@linkcode LocalLocation}. */
export interface LocalLocationOptions {
  /**
   * Flush each file to disk (`fsync`) before it is renamed into place, so that a crash of the
   * machine cannot leave a file that exists but is empty.
   * @default {true}
   */
  sync?: boolean;
}

const PARTIAL = /^\..+\.[0-9a-f]{8}\.partial$/;

/**
 * A local directory as a {@linkcode Location}. Files are written to a hidden temporary file
 * beside their final name (`.name.1a2b3c4d.partial`) and renamed into place when complete;
 * {@linkcode LocalLocation.list} never shows such a file. The directory is created on the first
 * write.
 *
 * @example Write a file and read it back
 * ```ts
 * import { LocalLocation } from "./local_location.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await using location = new LocalLocation(dir);
 * await location.put("data/hello.txt", new TextEncoder().encode("hello"));
 * const text = await new Response(await location.readable("data/hello.txt")).text();
 * console.assert(text === "hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class LocalLocation implements Location {
  /** The directory, as an absolute path. */
  readonly root: string;
  readonly #sync: boolean;

  /** A location for the directory `root` (which need not exist yet). */
  constructor(root: string, options: LocalLocationOptions = {}) {
    if (typeof root !== "string" || root === "") {
      throw new TypeError("The directory must be a non-empty string");
    }
    this.root = resolve(root);
    this.#sync = options.sync ?? true;
  }

  /** The directory, or a file in it. */
  describe(path?: string): string {
    return path === undefined ? this.root : join(this.root, checkPath(path));
  }

  /** The files under the directory whose path starts with `prefix`, sorted by path. */
  async *list(prefix = ""): AsyncIterable<LocationEntry> {
    checkPrefix(prefix);
    // Walk only the directory the prefix names, if it names one.
    const slash = prefix.lastIndexOf("/");
    const base = slash < 0 ? "" : prefix.slice(0, slash);
    const found: LocationEntry[] = [];
    try {
      await this.#walk(base, found);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw this.#error("list", base, error);
      }
    }
    found.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    for (const entry of found) {
      if (entry.path.startsWith(prefix)) yield entry;
    }
  }

  async #walk(dir: string, found: LocationEntry[]): Promise<void> {
    for await (const entry of Deno.readDir(join(this.root, dir))) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) await this.#walk(path, found);
      else if (entry.isFile && !PARTIAL.test(entry.name)) {
        const { size } = await Deno.stat(join(this.root, path));
        found.push({ path, bytes: size });
      }
    }
  }

  /** The bytes of a file, from `offset` on. */
  async readable(
    path: string,
    options: ReadableOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    checkPath(path);
    const offset = checkOffset(options.offset);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(join(this.root, path), { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw notFound(this.describe(path), path);
      }
      throw this.#error("read", path, error);
    }
    if (offset > 0) await file.seek(offset, Deno.SeekMode.Start);
    return file.readable;
  }

  /** A stream that writes a temporary file and renames it to `path` when it closes. */
  async writable(path: string): Promise<WritableStream<Uint8Array>> {
    checkPath(path);
    const target = join(this.root, path);
    const temp = await this.#temp(path, target);
    return await tempFileStream(temp, {
      sync: this.#sync,
      finish: () => Deno.rename(temp, target),
      removeAfter: false,
      fail: (error) => this.#error("write", path, error),
    });
  }

  /** Writes a temporary file in one piece, then renames it to `path`. */
  async put(path: string, bytes: Uint8Array): Promise<void> {
    checkPath(path);
    const target = join(this.root, path);
    const temp = await this.#temp(path, target);
    try {
      const file = await Deno.open(temp, { write: true, createNew: true });
      try {
        let written = 0;
        while (written < bytes.length) {
          written += await file.write(bytes.subarray(written));
        }
        if (this.#sync) await file.sync();
      } finally {
        file.close();
      }
      await Deno.rename(temp, target);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw this.#error("write", path, error);
    }
  }

  /** Removes a file, if there is one. */
  async remove(path: string): Promise<void> {
    checkPath(path);
    try {
      await Deno.remove(join(this.root, path));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw this.#error("remove", path, error);
      }
    }
  }

  /** Nothing to finish for a directory. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as {@linkcode LocalLocation.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #temp(path: string, target: string): Promise<string> {
    const dir = dirname(target);
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (error) {
      throw this.#error("write", path, error);
    }
    const name = target.slice(dir.length + 1);
    const random = crypto.randomUUID().slice(0, 8);
    return join(dir, `.${name}.${random}.partial`);
  }

  #error(verb: string, path: string, error: unknown): BackupError {
    if (error instanceof BackupError) return error;
    const where = path === "" ? this.root : join(this.root, path);
    const why = error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : reason(error);
    return new BackupError(`Cannot ${verb} ${where}: ${why}`, {
      code: "IO",
      ...(path === "" ? {} : { file: path }),
      detail: why,
      cause: error,
    });
  }
}
