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

/** Options for {@linkcode verifyBackup}. */
export interface VerifyBackupOptions {
  /**
   * Also read and decode every record (not only sizes and checksums), and check the counts and
   * that every relationship's endpoints are nodes of the backup.
   * @default {true}
   */
  records?: boolean;
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
  let frozen = false;
  for (const file of backup.files) {
    if (file.kind === "relationships" && !frozen) {
      freeze(nodeIds, invalid);
      frozen = true;
    }
    let records = 0;
    const stream = backup.records(file, {
      context,
      ...(signal ? { signal } : {}),
    });
    for await (const batch of stream) {
      for (const record of batch) {
        records++;
        if (record.kind === "node") {
          nodeIds.add(record.id);
          const key = labelSetKey(record.labels);
          labelSets.set(key, (labelSets.get(key) ?? 0) + 1);
        } else {
          for (const id of [record.startId, record.endId]) {
            if (!nodeIds.has(id)) {
              throw invalid(
                `relationship ${record.id} (record ${records} in ${file.path}) ends at node ${id}, which the backup does not hold${
                  backup.manifest?.consistency.writesDetected
                    ? " (the source changed while it was extracted)"
                    : ""
                }`,
                file.path,
                records,
              );
            }
          }
          types.set(record.type, (types.get(record.type) ?? 0) + 1);
        }
      }
      const done = counts.nodes + counts.relationships + records;
      options.onProgress?.({ phase: "records", done, total: totalRecords });
    }
    if (file.records !== null && records !== file.records) {
      throw invalid(
        `${file.path} holds ${records} records; the manifest says ${file.records}`,
        file.path,
      );
    }
    if (file.kind === "nodes") counts.nodes += records;
    else counts.relationships += records;
  }
  if (!frozen) freeze(nodeIds, invalid);

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

/** The canonical key of a set of labels: sorted, as JSON. */
export function labelSetKey(labels: readonly string[]): string {
  return JSON.stringify(
    labels.length > 1
      ? [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      : labels,
  );
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
