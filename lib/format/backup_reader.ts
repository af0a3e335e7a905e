import { join } from "node:path";
import { BackupError } from "../errors.ts";
import { JsonArrayParseStream } from "./json_array_parse_stream.ts";
import {
  type BackupFile,
  DATA_DIR,
  INCOMPLETE_FILE,
  MANIFEST_FILE,
  type RecordKind,
} from "./layout.ts";
import { type Manifest, readManifest, type Schema } from "./manifest.ts";
import {
  isPythonBackup,
  openPythonBackup,
  type PythonBackup,
} from "./_python_backup.ts";
import { PythonRecordParseStream } from "./_python_record.ts";
import type { BackupRecord } from "./record.ts";
import { RecordParseStream } from "./record_parse_stream.ts";

export type { BackupFile };

/** Options for {@linkcode BackupReader.records}. */
export interface ReadRecordsOptions {
  /**
   * How error messages start.
   * @default {"Invalid backup"}
   */
  context?: string;
  /** Cancels reading. */
  signal?: AbortSignal;
}

/** An opened backup directory: what it holds, and its records as streams. */
export interface BackupReader {
  /** The directory. */
  readonly dir: string;
  /** `neo4j-backup`: this tool's format; `python`: the Python neo4j-backup 1.0.0's. */
  readonly format: "neo4j-backup" | "python";
  /** The manifest (this tool's format only). */
  readonly manifest: Manifest | null;
  /** Data files in import order: node files, then relationship files. */
  readonly files: BackupFile[];
  /** The schema the backup holds. */
  readonly schema: Schema;
  /** Streams a data file's records, in batches. */
  records(
    file: BackupFile,
    options?: ReadRecordsOptions,
  ): ReadableStream<BackupRecord[]>;
}

/**
 * Opens a backup directory: reads and validates its manifest. A directory an extract did not
 * finish, or that holds no backup, is refused with a {@linkcode BackupError} that says so.
 *
 * A directory without `manifest.json` (and without this tool's `INCOMPLETE` marker) that holds
 * the metadata files of the Python package neo4j-backup 1.0.0 (`compressed.json` and
 * `unique_prop_key.json`) opens as a backup of that tool: format `python`, no manifest, files
 * without sizes, checksums or record counts, and its uniqueness constraints as the schema.
 *
 * @example Count a backup's records
 * ```ts ignore
 * import { openBackup } from "./backup_reader.ts";
 *
 * const backup = await openBackup("backup");
 * for (const file of backup.files) {
 *   for await (const batch of backup.records(file)) console.log(file.path, batch.length);
 * }
 * ```
 */
export async function openBackup(dir: string): Promise<BackupReader> {
  const names = await listDirectory(dir);
  if (names.has(MANIFEST_FILE)) {
    return fromManifest(dir, await readManifest(dir));
  }
  if (names.has(INCOMPLETE_FILE) || names.has(`${MANIFEST_FILE}.partial`)) {
    throw new BackupError(
      `${dir} is an incomplete backup: the extract that wrote it did not finish (no ${MANIFEST_FILE}); extract again`,
      { code: "INCOMPLETE_BACKUP", file: MANIFEST_FILE },
    );
  }
  if (isPythonBackup(names)) {
    return fromPython(dir, await openPythonBackup(dir));
  }
  throw new BackupError(
    `${dir} is not a backup: it has no ${MANIFEST_FILE} (nor the compressed.json and unique_prop_key.json of a backup of the Python neo4j-backup)`,
    { code: "INVALID_BACKUP", file: MANIFEST_FILE },
  );
}

function fromManifest(dir: string, manifest: Manifest): BackupReader {
  const files = manifest.files.map((file): BackupFile => ({
    path: file.path,
    kind: file.kind,
    records: file.records,
    bytes: file.bytes,
    sha256: file.sha256,
    compressed: file.path.endsWith(".gz"),
  }));
  const order = (kind: RecordKind): number => (kind === "nodes" ? 0 : 1);
  files.sort((a, b) => order(a.kind) - order(b.kind));
  return {
    dir,
    format: "neo4j-backup",
    manifest,
    files,
    schema: manifest.schema,
    records: (file, options = {}) =>
      readDataFile(dir, file, (path) =>
        new RecordParseStream({
          kind: file.kind,
          file: path,
          context: options.context ?? "Invalid backup",
        }), options),
  };
}

function fromPython(dir: string, python: PythonBackup): BackupReader {
  return {
    dir,
    format: "python",
    manifest: null,
    files: python.files,
    schema: python.schema,
    records: (file, options = {}) =>
      readDataFile(dir, file, (path) =>
        new PythonRecordParseStream({
          kind: file.kind,
          file: path,
          colonLabels: python.colonLabels,
          context: options.context ?? "Invalid backup",
        }), options),
  };
}

/**
 * Streams the records of one data file: bytes, gunzip, text, array elements, records.
 * `parser` turns batches of element texts into batches of records (or of whatever it makes of
 * them).
 */
export function readDataFile<T = BackupRecord[]>(
  dir: string,
  file: BackupFile,
  parser: (path: string) => TransformStream<string[], T>,
  options: ReadRecordsOptions = {},
): ReadableStream<T> {
  const context = options.context ?? "Invalid backup";
  const path = file.path;
  const fail = (error: unknown): BackupError => {
    if (error instanceof BackupError) return error;
    if (error instanceof Deno.errors.NotFound) {
      return new BackupError(`${context}: ${path} is missing`, {
        code: "INVALID_BACKUP",
        file: path,
        cause: error,
      });
    }
    const reason = (error as Error)?.message ?? String(error);
    return new BackupError(`${context}: ${path} is corrupt: ${reason}`, {
      code: "INVALID_BACKUP",
      file: path,
      cause: error,
    });
  };
  async function* generate(): AsyncGenerator<T> {
    let handle: Deno.FsFile;
    try {
      handle = await Deno.open(join(dir, path), { read: true });
    } catch (error) {
      throw fail(error);
    }
    const bytes = file.compressed
      ? handle.readable.pipeThrough(
        new DecompressionStream("gzip") as TransformStream<
          Uint8Array,
          Uint8Array
        >,
      )
      : handle.readable;
    const records = bytes
      .pipeThrough(new TextDecoderStream("utf-8", { fatal: true }))
      .pipeThrough(new JsonArrayParseStream())
      .pipeThrough(parser(path));
    try {
      for await (const batch of records) {
        options.signal?.throwIfAborted();
        yield batch;
      }
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") {
        throw error;
      }
      throw fail(error);
    }
  }
  return ReadableStream.from(generate());
}

/** The names in a directory; a missing directory is a BackupError. */
export async function listDirectory(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  try {
    for await (const entry of Deno.readDir(dir)) names.add(entry.name);
  } catch (error) {
    throw new BackupError(
      error instanceof Deno.errors.NotFound
        ? `${dir} does not exist`
        : `Cannot read ${dir}: ${(error as Error).message}`,
      {
        code: error instanceof Deno.errors.NotFound ? "INVALID_BACKUP" : "IO",
        cause: error,
      },
    );
  }
  return names;
}

/** The data files present in `<dir>/data/`. */
export async function listDataFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(join(dir, DATA_DIR))) {
      names.push(`${DATA_DIR}/${entry.name}`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}
