import { join } from "node:path";
import { DigestStream } from "../format/_digest_stream.ts";
import {
  type BackupFile,
  type BackupReader,
  listDataFiles,
  openBackup,
} from "../format/backup_reader.ts";
import { BackupError } from "../errors.ts";
import { IdMap } from "./_id_map.ts";
import { labelSetKey } from "./_label_set_key.ts";
import type { FileCheck } from "./_verify_file.ts";
import { verifyFile } from "./_verify_file.ts";
import type { VerifyFileMessage, VerifyFileRequest } from "./_verify_worker.ts";

/** Options for {@linkcode verifyBackup}. */
export interface VerifyBackupOptions {
  /**
   * Also read and decode every record (not only sizes and checksums), and check the counts and
   * that every relationship's endpoints are nodes of the backup.
   * @default {true}
   */
  records?: boolean;
  /**
   * How many workers read data files at once (0: all on this thread).
   * @default {one per core (at most 8) for backups of 8 MiB or more, 0 below}
   */
  workers?: number;
  /** Cancels the check. */
  signal?: AbortSignal;
  /** Called as the check goes on. */
  onProgress?: (progress: VerifyProgress) => void;
}

/** Where a check is. */
export interface VerifyProgress {
  /** `checksums` (bytes), then `records`. */
  phase: "checksums" | "records";
  /** Bytes checksummed, or records read, so far. */
  done: number;
  /** What `done` goes up to (0 when unknown). */
  total: number;
}

/** What a check found. */
export interface VerifyCounts {
  /** Data files checked. */
  files: number;
  /** Their bytes on disk. */
  bytes: number;
  /** Records read (0 when `records` is false). */
  nodes: number;
  /** Relationships read (0 when `records` is false). */
  relationships: number;
}

/**
 * Checks a backup without touching any database: the manifest; every data file against it
 * (present, no other file in `data/`, size, SHA-256); then every record (valid JSON of a known
 * shape, every value of a known type), the record counts per file, per label set and per
 * relationship type, and that every relationship's endpoints are nodes of the backup.
 *
 * @throws {BackupError} naming the file, and the record where there is one, and the reason.
 *
 * @example
 * ```ts ignore
 * import { verifyBackup } from "./verify_backup.ts";
 * const counts = await verifyBackup("backup");
 * console.log(`${counts.nodes} nodes and ${counts.relationships} relationships are intact`);
 * ```
 */
export async function verifyBackup(
  dir: string,
  options: VerifyBackupOptions = {},
): Promise<VerifyCounts> {
  const backup = await openBackup(dir);
  const result = await checkBackup(backup, {
    ...options,
    context: "Invalid backup",
  });
  return result.counts;
}

/** Options of {@linkcode checkBackup}. */
export interface CheckBackupOptions extends VerifyBackupOptions {
  /** How error messages start. */
  context: string;
}

/** What {@linkcode checkBackup} found, with the node ids of the backup. */
export interface CheckedBackup {
  counts: VerifyCounts;
  /** Every node id of the backup, frozen (only when records were read). */
  nodeIds: IdMap;
  /**
   * Nodes per set of labels (keyed by {@linkcode labelSetKey}), as read from the records (empty
   * when records were not read). For a backup with a manifest, they equal its counts.
   */
  labelSets: Map<string, number>;
  /** Relationships per type, as read from the records (empty when records were not read). */
  relationshipTypes: Map<string, number>;
}

/** {@linkcode verifyBackup} on an opened backup, keeping the node ids for an import. */
export async function checkBackup(
  backup: BackupReader,
  options: CheckBackupOptions,
): Promise<CheckedBackup> {
  const { context, signal } = options;
  const counts: VerifyCounts = {
    files: 0,
    bytes: 0,
    nodes: 0,
    relationships: 0,
  };
  const invalid = (
    message: string,
    file?: string,
    record?: number,
  ): BackupError =>
    new BackupError(`${context}: ${message}`, {
      code: "INVALID_BACKUP",
      ...(file === undefined ? {} : { file }),
      ...(record === undefined ? {} : { record }),
    });

  if (backup.manifest) {
    const expected = new Set(backup.files.map((f) => f.path));
    const present = await listDataFiles(backup.dir);
    for (const path of present) {
      if (!expected.has(path)) {
        throw invalid(
          `${path} is not part of the backup (the manifest does not list it)`,
          path,
        );
      }
    }
    const presentSet = new Set(present);
    for (const file of backup.files) {
      if (!presentSet.has(file.path)) {
        throw invalid(`${file.path} is missing`, file.path);
      }
    }
  }

  const totalBytes = backup.files.reduce((sum, f) => sum + (f.bytes ?? 0), 0);
  for (const file of backup.files) {
    signal?.throwIfAborted();
    const bytes = await checkFile(
      backup.dir,
      file,
      invalid,
      (done) =>
        options.onProgress?.({
          phase: "checksums",
          done: counts.bytes + done,
          total: totalBytes,
        }),
      signal,
    );
    counts.files++;
    counts.bytes += bytes;
  }

  const nodeIds = new IdMap();
  const labelSets = new Map<string, number>();
  const types = new Map<string, number>();
  if (options.records === false) {
    nodeIds.freeze();
    return { counts, nodeIds, labelSets, relationshipTypes: types };
  }

  const totalRecords = backup.manifest
    ? backup.manifest.counts.nodes + backup.manifest.counts.relationships
    : 0;
  let done = 0;
  const tally = (
    into: Map<string, number>,
    found: [string, number][],
  ): void => {
    for (const [key, count] of found) {
      into.set(key, (into.get(key) ?? 0) + count);
    }
  };
  const sizes = (index: number, records: number): void => {
    const file = backup.files[index]!;
    if (file.records !== null && records !== file.records) {
      throw invalid(
        `${file.path} holds ${records} records; the manifest says ${file.records}`,
        file.path,
      );
    }
    if (file.kind === "nodes") counts.nodes += records;
    else counts.relationships += records;
  };
  const endpoints = (index: number, ids: Float64Array): void => {
    const file = backup.files[index]!;
    for (let i = 0; i < ids.length; i += 3) {
      for (const id of [ids[i + 1]!, ids[i + 2]!]) {
        if (!nodeIds.has(id)) {
          const record = i / 3 + 1;
          throw invalid(
            `relationship ${
              ids[i]
            } (record ${record} in ${file.path}) ends at node ${id}, which the backup does not hold${
              backup.manifest?.consistency.writesDetected
                ? " (the source changed while it was extracted)"
                : ""
            }`,
            file.path,
            record,
          );
        }
      }
    }
  };
  // Relationship files are read alongside node files, but their endpoints can only be checked
  // once every node id is known: until then their results wait here.
  const waiting: [number, FileCheck][] = [];
  let frozen = false;
  await checkFiles(backup, {
    context,
    signal,
    // A worker takes a moment to load the reader; only large backups repay it.
    workers: options.workers ??
      (counts.bytes >= PARALLEL_BYTES
        ? Math.min(8, Math.max(1, navigator.hardwareConcurrency ?? 1))
        : 0),
    onRecords: (delta) => {
      done += delta;
      options.onProgress?.({ phase: "records", done, total: totalRecords });
    },
    onResult: (index, check) => {
      sizes(index, check.records);
      if (backup.files[index]!.kind === "nodes") {
        nodeIds.addAll(check.ids);
        tally(labelSets, check.counts);
      } else {
        tally(types, check.counts);
        if (frozen) endpoints(index, check.ids);
        else waiting.push([index, check]);
      }
    },
    onNodesDone: () => {
      freeze(nodeIds, invalid);
      frozen = true;
      for (const [index, check] of waiting.splice(0)) {
        endpoints(index, check.ids);
      }
    },
  });

  const manifest = backup.manifest;
  if (manifest) {
    if (manifest.counts.nodes !== counts.nodes) {
      throw invalid(
        `the backup holds ${counts.nodes} nodes; the manifest says ${manifest.counts.nodes}`,
      );
    }
    if (manifest.counts.relationships !== counts.relationships) {
      throw invalid(
        `the backup holds ${counts.relationships} relationships; the manifest says ${manifest.counts.relationships}`,
      );
    }
    const expectedSets = new Map(
      manifest.counts.labelSets.map((s) => [labelSetKey(s.labels), s.count]),
    );
    for (const key of new Set([...expectedSets.keys(), ...labelSets.keys()])) {
      const found = labelSets.get(key) ?? 0;
      const said = expectedSets.get(key) ?? 0;
      if (found !== said) {
        throw invalid(
          `the backup holds ${found} nodes labelled ${key}; the manifest says ${said}`,
        );
      }
    }
    const expectedTypes = new Map(
      manifest.counts.relationshipTypes.map((t) => [t.type, t.count]),
    );
    for (const type of new Set([...expectedTypes.keys(), ...types.keys()])) {
      const found = types.get(type) ?? 0;
      const said = expectedTypes.get(type) ?? 0;
      if (found !== said) {
        throw invalid(
          `the backup holds ${found} relationships of type ${
            JSON.stringify(type)
          }; the manifest says ${said}`,
        );
      }
    }
  }
  return { counts, nodeIds, labelSets, relationshipTypes: types };
}

function freeze(
  ids: IdMap,
  invalid: (message: string) => BackupError,
): void {
  try {
    ids.freeze();
  } catch (error) {
    throw invalid(`node ids are not unique: ${(error as Error).message}`);
  }
}

/** Checks a file's size and SHA-256 (where the backup records them); returns its size. */
async function checkFile(
  dir: string,
  file: BackupFile,
  invalid: (message: string, file?: string) => BackupError,
  onBytes: (done: number) => void,
  signal: AbortSignal | undefined,
): Promise<number> {
  let size: number;
  try {
    size = (await Deno.stat(join(dir, file.path))).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw invalid(`${file.path} is missing`, file.path);
    }
    throw error;
  }
  if (file.bytes !== null && size !== file.bytes) {
    throw invalid(
      `${file.path} is ${size} bytes; the manifest says ${file.bytes} (truncated or altered)`,
      file.path,
    );
  }
  if (file.sha256 === null) return size;
  const handle = await Deno.open(join(dir, file.path), { read: true });
  const digest = new DigestStream();
  let done = 0;
  await handle.readable.pipeThrough(digest).pipeTo(
    new WritableStream({
      write(chunk): void {
        done += chunk.byteLength;
        if (done % (64 << 20) < chunk.byteLength) onBytes(done);
      },
    }),
    signal ? { signal } : {},
  );
  const sha256 = digest.digest();
  if (sha256 !== file.sha256) {
    throw invalid(
      `${file.path} does not match its checksum (SHA-256 ${sha256}; the manifest says ${file.sha256}): the file is corrupt`,
      file.path,
    );
  }
  onBytes(done);
  return size;
}

/** Backups of at least this many bytes on disk are read by several workers at once. */
const PARALLEL_BYTES = 8 * 1024 * 1024;

/** How {@linkcode checkFiles} reports. */
interface CheckFilesOptions {
  context: string;
  signal: AbortSignal | undefined;
  /** How many workers to use (0 or 1 file: none). */
  workers: number;
  /** Records read since the last call. */
  onRecords: (delta: number) => void;
  /** A file's result, as each completes. */
  onResult: (index: number, check: FileCheck) => void;
  /** Every node file has been read (before any relationship result is final). */
  onNodesDone: () => void;
}

/**
 * Reads every data file's records, node files first, in a pool of workers (one per core, at
 * most 8) or, where workers cannot start, here. Relationship files start once a worker is free,
 * but no more of them than there are workers before the node files are done, so that the
 * results waiting for the endpoint check stay few.
 */
async function checkFiles(
  backup: BackupReader,
  options: CheckFilesOptions,
): Promise<void> {
  const order = backup.files.map((_, i) => i);
  const nodes = order.filter((i) => backup.files[i]!.kind === "nodes");
  const relationships = order.filter((i) => backup.files[i]!.kind !== "nodes");
  const workers = options.workers > 0 && backup.files.length > 1
    ? startWorkers(Math.min(options.workers, backup.files.length))
    : [];
  const run = async (
    index: number,
    worker: Worker | undefined,
  ): Promise<void> => {
    options.signal?.throwIfAborted();
    let last = 0;
    const onRecords = (records: number): void => {
      options.onRecords(records - last);
      last = records;
    };
    const check = worker
      ? await askWorker(
        worker,
        { dir: backup.dir, file: index, context: options.context },
        onRecords,
        options.signal,
      )
      : await verifyFile(
        backup,
        index,
        options.context,
        onRecords,
        options.signal,
      );
    options.onResult(index, check);
  };
  if (workers.length === 0) {
    for (const index of nodes) await run(index, undefined);
    options.onNodesDone();
    for (const index of relationships) await run(index, undefined);
    return;
  }
  let nodesLeft = nodes.length;
  const nodesDone = Promise.withResolvers<void>();
  if (nodesLeft === 0) nodesDone.resolve();
  const queue = [...nodes, ...relationships];
  let early = 0;
  try {
    await Promise.all([
      nodesDone.promise.then(() => options.onNodesDone()),
      ...workers.map(async (worker) => {
        for (
          let index = queue.shift();
          index !== undefined;
          index = queue.shift()
        ) {
          const isNodes = backup.files[index]!.kind === "nodes";
          if (!isNodes && nodesLeft > 0 && ++early > workers.length) {
            await nodesDone.promise;
          }
          await run(index, worker);
          if (isNodes && --nodesLeft === 0) nodesDone.resolve();
        }
      }),
    ]);
  } finally {
    for (const worker of workers) worker.terminate();
  }
}

function startWorkers(count: number): Worker[] {
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < count; i++) {
      workers.push(
        new Worker(new URL("./_verify_worker.ts", import.meta.url).href, {
          type: "module",
        }),
      );
    }
  } catch {
    // No workers here: read on this thread.
    for (const worker of workers) worker.terminate();
    return [];
  }
  return workers;
}

function askWorker(
  worker: Worker,
  request: VerifyFileRequest,
  onRecords: (records: number) => void,
  signal: AbortSignal | undefined,
): Promise<FileCheck> {
  const { promise, resolve, reject } = Promise.withResolvers<FileCheck>();
  const onAbort = (): void => reject(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  worker.onmessage = (event: MessageEvent<VerifyFileMessage>) => {
    const message = event.data;
    if (message.kind === "progress") onRecords(message.records);
    else if (message.kind === "done") {
      onRecords(message.records);
      resolve(message);
    } else {
      reject(
        new BackupError(message.message, {
          code: message.code as BackupError["code"],
          ...(message.file === undefined ? {} : { file: message.file }),
          ...(message.record === undefined ? {} : { record: message.record }),
        }),
      );
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    reject(new Error(`The file checker stopped: ${event.message}`));
  };
  worker.postMessage(request);
  return promise.finally(() => signal?.removeEventListener("abort", onAbort));
}
