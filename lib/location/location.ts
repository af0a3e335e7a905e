/**
 * Where a backup lives: a local directory, objects under an `s3://` prefix, or a tar stream. The
 * readers and writers use this interface only, so they need not know which it is.
 *
 * @module
 */

/** A file of a location, as {@linkcode Location.list} yields it. */
export interface LocationEntry {
  /** Relative to the location, with `/` between segments (e.g. `data/nodes_1.json.gz`). */
  path: string;
  /** Its size in bytes. */
  bytes: number;
}

/** Options for {@linkcode Location.readable}. */
export interface ReadableOptions {
  /**
   * The first byte to read (to resume a read that broke off).
   * @default {0}
   */
  offset?: number;
}

/**
 * A place that holds the files of one backup. Paths are relative, with `/` between segments, and
 * never contain `.` or `..` segments, a backslash or an empty segment (a `TypeError` otherwise).
 *
 * A file written through {@linkcode Location.writable} or {@linkcode Location.put} exists only
 * once it is complete: a reader never sees half of one, and a write that fails or is aborted
 * leaves nothing (local: a temporary file renamed into place; S3: a multipart upload completed
 * on close and aborted on error; tar: an entry appended whole, in the order the files are
 * closed). Failures are {@linkcode BackupError}s whose message names the file and the location,
 * and never holds a secret; a file that does not exist is one with code `IO` and detail
 * `not found`.
 *
 * @example Copy every file of one location to another
 * ```ts ignore
 * import { openLocation } from "./open_location.ts";
 *
 * await using from = await openLocation("backups/monday");
 * await using to = await openLocation("s3://my-bucket/backups/monday", { mode: "write" });
 * for await (const { path } of from.list()) {
 *   if (path === "manifest.json") continue;
 *   await (await from.readable(path)).pipeTo(await to.writable(path));
 * }
 * await to.put("manifest.json", await new Response(await from.readable("manifest.json")).bytes());
 * await to.close();
 * ```
 */
export interface Location extends AsyncDisposable {
  /**
   * The location, or a file in it, for messages: `/backups/monday`, `s3://bucket/prefix/x.json`,
   * `tar stream on stdout`. Never holds a credential.
   */
  describe(path?: string): string;
  /**
   * The files whose path starts with `prefix`, with their sizes (sorted by path, except for a
   * tar stream being read, which yields them in archive order).
   */
  list(prefix?: string): AsyncIterable<LocationEntry>;
  /** A stream of the bytes of a file, from `offset` on. */
  readable(
    path: string,
    options?: ReadableOptions,
  ): Promise<ReadableStream<Uint8Array>>;
  /**
   * A stream that writes a file: it exists, whole, once the stream closes; aborting the stream,
   * or a failed write, leaves no file.
   */
  writable(path: string): Promise<WritableStream<Uint8Array>>;
  /** Writes a small file in one piece, atomically (the manifest, last of all). */
  put(path: string, bytes: Uint8Array): Promise<void>;
  /** Removes a file; nothing happens if there is none. */
  remove(path: string): Promise<void>;
  /**
   * Finishes the location: a tar stream being written gets its end marker (before it, the tar
   * is incomplete); for the others it releases what is held. Safe to call twice.
   */
  close(): Promise<void>;
}
