import { join } from "node:path";
import { BackupError } from "../errors.ts";
import { type BackupReader, openBackup } from "../format/backup_reader.ts";
import { DATA_FILE_PATTERN, MANIFEST_FILE } from "../format/layout.ts";
import {
  type ElsewhereOptions,
  isElsewhere,
  readElsewhere,
} from "../location/_working_copy.ts";
import type {
  ConstraintDefinition,
  Counts,
  IndexDefinition,
  Manifest,
  Schema,
  ToolInfo,
} from "../format/manifest.ts";
import type { SelectionRecord } from "../format/selection.ts";
import { checkBackup, type VerifyProgress } from "../verify/_check_backup.ts";

/** Options for {@linkcode listBackup}. */
export interface ListBackupOptions {
  /**
   * Cancels the listing (only a backup without a manifest takes time: its records are read).
   * @default {none}
   */
  signal?: AbortSignal;
  /**
   * Called as the records of a backup without a manifest are read (never for a backup with one).
   * @default {none}
   */
  onProgress?: (progress: VerifyProgress) => void;
}

/** What a backup holds, as {@linkcode listBackup} reports it: plain data, JSON as it is. */
export interface BackupListing {
  /** The directory, as given. */
  dir: string;
  /** `neo4j-backup`: this tool's format; `python`: the Python neo4j-backup 1.0.0's. */
  format: "neo4j-backup" | "python";
  /**
   * Whether the records were read to count them (a backup without a manifest); false when the
   * manifest alone was read.
   */
  readRecords: boolean;
  /** The manifest's format version; null without a manifest. */
  formatVersion: number | null;
  /** What wrote the backup; null without a manifest. */
  tool: ToolInfo | null;
  /** The database the backup was extracted from; null without a manifest. */
  source: ListedSource | null;
  /** When the extract started, ISO 8601 UTC; null without a manifest. */
  startedAt: string | null;
  /** When the extract finished, ISO 8601 UTC; null without a manifest. */
  finishedAt: string | null;
  /** Whether the data files are gzip-compressed. */
  compressed: boolean;
  /** Nodes and relationships, in total and per label set and relationship type. */
  counts: Counts;
  /** The constraints and indexes the backup holds, sorted by name. */
  schema: {
    constraints: ListedConstraint[];
    indexes: ListedIndex[];
  };
  /** The data files, in import order: node files, then relationship files. */
  files: ListedFile[];
  /** The data files' bytes on disk, together. */
  bytes: number;
  /**
   * What part of the source the backup holds, as the extract recorded it; null when it records
   * none (everything, and every backup without a manifest).
   */
  selection: SelectionRecord | null;
  /** Whether the source changed while the extract ran; null without a manifest. */
  consistency: {
    /** Whether any transaction committed on the source while the extract ran. */
    writesDetected: boolean;
    /** Whether the schema differed between the start and the end. */
    schemaChanged: boolean;
  } | null;
}

/** The database a backup was extracted from. */
export interface ListedSource {
  /** The server's address as the driver saw it (no credentials). */
  address: string;
  /** The database name. */
  database: string;
  /** The Neo4j version, e.g. `5.26.30`. */
  version: string;
  /** `community` or `enterprise`. */
  edition: string;
}

/** A constraint of a backup: its definition, without the options and the server's statement. */
export type ListedConstraint = Omit<
  ConstraintDefinition,
  "options" | "createStatement"
>;

/** An index of a backup: its definition, without the options and the server's statement. */
export type ListedIndex = Omit<IndexDefinition, "options" | "createStatement">;

/** A data file of a backup. */
export interface ListedFile {
  /** Relative to the backup directory, with `/`, e.g. `data/nodes_7461.json.gz`. */
  path: string;
  /** What the file holds. */
  kind: "nodes" | "relationships";
  /** Records in the file; null when the backup does not say (a Python backup whose names don't). */
  records: number | null;
  /** The file's size on disk. */
  bytes: number;
}

/**
 * Says what a backup holds, without a database: where and when it was extracted, its counts per
 * label set and relationship type, its constraints and indexes, its files, the selection it was
 * extracted with, and whether the source changed meanwhile. A backup with a manifest is listed
 * from its manifest alone, without opening a data file (use `verifyBackup` to check the files).
 * A backup of the Python neo4j-backup has no manifest: its records are read and checked to count
 * them (`readRecords` is then true).
 *
 * @throws {BackupError} `INCOMPLETE_BACKUP` for a directory whose extract did not finish;
 *   `INVALID_BACKUP` for one that is not a backup, a manifest that cannot be read, or (without a
 *   manifest) a record that is not valid.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { listBackup } from "./list_backup.ts";
 *
 * const listing = await listBackup("tests/testdata/small_backup");
 * equal(listing.counts.nodes, 24);
 * equal(listing.readRecords, false);
 * ```
 */
export async function listBackup(
  dir: string,
  options: ListBackupOptions & ElsewhereOptions = {},
): Promise<BackupListing> {
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError("dir must be a non-empty path");
  }
  if (isElsewhere(dir)) {
    return await readElsewhere(
      "list",
      dir,
      options,
      [MANIFEST_FILE],
      async (copy) => ({ ...await listBackup(copy, options), dir }),
    );
  }
  options.signal?.throwIfAborted();
  const backup = await openBackup(dir);
  if (backup.manifest) return fromManifest(dir, backup.manifest);
  return await fromRecords(backup, options);
}

/** The listing of a backup with a manifest: the manifest only. */
function fromManifest(dir: string, manifest: Manifest): BackupListing {
  const { source, consistency, selection } = manifest;
  return {
    dir,
    format: "neo4j-backup",
    readRecords: false,
    formatVersion: manifest.formatVersion,
    tool: { ...manifest.tool },
    source: {
      address: source.address,
      database: source.database,
      version: source.version,
      edition: source.edition,
    },
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    compressed: manifest.compressed,
    counts: copyCounts(manifest.counts),
    schema: listSchema(manifest.schema),
    files: manifest.files.map((f) => ({
      path: f.path,
      kind: f.kind,
      records: f.records,
      bytes: f.bytes,
    })),
    bytes: manifest.files.reduce((sum, f) => sum + f.bytes, 0),
    selection: selection === null ? null : copySelection(selection),
    consistency: {
      writesDetected: consistency.writesDetected,
      schemaChanged: consistency.schemaChanged,
    },
  };
}

/** The listing of a backup without a manifest: every record read and checked to count them. */
async function fromRecords(
  backup: BackupReader,
  options: ListBackupOptions,
): Promise<BackupListing> {
  const checked = await checkBackup(backup, {
    context: "Invalid backup",
    records: true,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const files: ListedFile[] = [];
  for (const file of backup.files) {
    files.push({
      path: file.path,
      kind: file.kind,
      records: file.records,
      bytes: file.bytes ?? await fileSize(backup.dir, file.path),
    });
  }
  recordsFromNames(files, checked.counts);
  return {
    dir: backup.dir,
    format: backup.format,
    readRecords: true,
    formatVersion: null,
    tool: null,
    source: null,
    startedAt: null,
    finishedAt: null,
    compressed: backup.files.length > 0 &&
      backup.files.every((f) => f.compressed),
    counts: {
      nodes: checked.counts.nodes,
      relationships: checked.counts.relationships,
      labelSets: [...checked.labelSets]
        .sort(([a], [b]) => compareCodePoints(a, b))
        .map(([key, count]) => ({
          labels: JSON.parse(key) as string[],
          count,
        })),
      relationshipTypes: [...checked.relationshipTypes]
        .sort(([a], [b]) => compareCodePoints(a, b))
        .map(([type, count]) => ({ type, count })),
    },
    schema: listSchema(backup.schema),
    files,
    bytes: checked.counts.bytes,
    selection: null,
    consistency: null,
  };
}

/**
 * Fills in the records of each file of a Python backup from its name: `nodes_<N>` holds the
 * records from the previous node file's N up to N. Only when the names add up to the records
 * counted; otherwise they stay unknown.
 */
function recordsFromNames(
  files: ListedFile[],
  counted: { nodes: number; relationships: number },
): void {
  const derived = new Map<ListedFile, number>();
  for (const kind of ["nodes", "relationships"] as const) {
    let previous = 0;
    for (const file of files.filter((f) => f.kind === kind)) {
      if (file.records !== null) return;
      const name = file.path.split("/").pop() ?? "";
      const n = Number(DATA_FILE_PATTERN.exec(name)?.[2] ?? Number.NaN);
      if (!Number.isSafeInteger(n) || n <= previous) return;
      derived.set(file, n - previous);
      previous = n;
    }
    if (previous !== counted[kind]) return;
  }
  for (const [file, records] of derived) file.records = records;
}

async function fileSize(dir: string, path: string): Promise<number> {
  try {
    return (await Deno.stat(join(dir, path))).size;
  } catch (error) {
    throw new BackupError(`Cannot read ${path} in ${dir}`, {
      code: "IO",
      file: path,
      cause: error,
    });
  }
}

function listSchema(schema: Schema): BackupListing["schema"] {
  return {
    constraints: schema.constraints.map((c) => ({
      name: c.name,
      type: c.type,
      entityType: c.entityType,
      labelsOrTypes: [...c.labelsOrTypes],
      properties: [...c.properties],
      propertyType: c.propertyType,
    })),
    indexes: schema.indexes.map((i) => ({
      name: i.name,
      type: i.type,
      entityType: i.entityType,
      labelsOrTypes: i.labelsOrTypes === null ? null : [...i.labelsOrTypes],
      properties: i.properties === null ? null : [...i.properties],
      owningConstraint: i.owningConstraint,
    })),
  };
}

function copyCounts(counts: Counts): Counts {
  return {
    nodes: counts.nodes,
    relationships: counts.relationships,
    labelSets: counts.labelSets.map((s) => ({
      labels: [...s.labels],
      count: s.count,
    })),
    relationshipTypes: counts.relationshipTypes.map((t) => ({
      type: t.type,
      count: t.count,
    })),
  };
}

function copySelection(selection: SelectionRecord): SelectionRecord {
  return {
    labels: [...selection.labels],
    excludeLabels: [...selection.excludeLabels],
    types: [...selection.types],
    excludeTypes: [...selection.excludeTypes],
    schema: selection.schema,
    data: selection.data,
    relationshipsLeftOut: selection.relationshipsLeftOut,
  };
}

/** Orders strings by code point, as the manifest's counts are ordered. */
function compareCodePoints(a: string, b: string): number {
  const [x, y] = [[...a], [...b]];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
