import { join } from "node:path";
import { BackupError } from "../errors.ts";
import { DigestStream } from "../format/_digest_stream.ts";
import { labelSetKey } from "../format/_label_set_key.ts";
import {
  type BackupFile,
  type BackupReader,
  listDataFiles,
} from "../format/backup_reader.ts";
import type { Manifest } from "../format/manifest.ts";
import { Selector } from "../format/selection.ts";
import { checkFiles, PARALLEL_BYTES } from "./_check_files.ts";
import { IdMap } from "./_id_map.ts";
import type { FileCheck } from "./_verify_file.ts";

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

/** Options for `verifyBackup`: what to check, and how to report. */
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

/** Options of {@linkcode checkBackup}. */
export interface CheckBackupOptions extends VerifyBackupOptions {
  /** How error messages start, e.g. `Cannot import backup`. */
  context: string;
  /**
   * The part of the backup an import takes: the check then also finds the records selected
   * (`CheckedBackup.selected`).
   */
  selector?: Selector;
}

/** The records of a backup that a selection takes (see {@linkcode CheckedBackup.selected}). */
export interface SelectedRecords {
  /** Nodes selected. */
  nodes: number;
  /** Relationships selected (of a selected type, both endpoints selected). */
  relationships: number;
  /** Relationships of a selected type left out because an endpoint was. */
  relationshipsLeftOut: number;
  /** The ids of the nodes selected, frozen. */
  nodeIds: IdMap;
  /** Nodes selected per label set (keyed by `labelSetKey`). */
  labelSets: Map<string, number>;
  /** Relationships selected per type. */
  relationshipTypes: Map<string, number>;
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
  /** With a `selector` that does not take everything: what it takes. */
  selected?: SelectedRecords;
}

/** Makes the error for a fault of the backup, naming the file and record where known. */
type Invalid = (message: string, file?: string, record?: number) => BackupError;

/**
 * Checks an opened backup without touching any database: the files against the manifest, every
 * size and SHA-256, then (unless `records` is false) every record and the counts; keeps the node
 * ids for an import.
 *
 * @throws {BackupError} `INVALID_BACKUP`, naming the file, and the record where there is one.
 */
export async function checkBackup(
  backup: BackupReader,
  options: CheckBackupOptions,
): Promise<CheckedBackup> {
  const invalid: Invalid = (message, file, record) =>
    new BackupError(`${options.context}: ${message}`, {
      code: "INVALID_BACKUP",
      file,
      record,
    });
  if (backup.manifest) {
    checkSelection(backup.manifest, invalid);
    await checkFileList(backup, invalid);
  }
  const counts = await checkChecksums(backup, invalid, options);
  if (options.records === false) {
    const nodeIds = new IdMap();
    nodeIds.freeze();
    return {
      counts,
      nodeIds,
      labelSets: new Map(),
      relationshipTypes: new Map(),
    };
  }
  const selector = options.selector?.all === false
    ? options.selector
    : undefined;
  const tally = new RecordTally(backup, counts, invalid, selector);
  await checkFiles(backup, {
    context: options.context,
    signal: options.signal,
    // A worker takes a moment to load the reader; only large backups repay it.
    workers: options.workers ??
      (counts.bytes >= PARALLEL_BYTES
        ? Math.min(8, Math.max(1, navigator.hardwareConcurrency ?? 1))
        : 0),
    onRecords: (delta) => tally.progress(delta, options.onProgress),
    onResult: (index, check) => tally.add(index, check),
    onNodesDone: () => tally.nodesDone(),
  });
  const checked = { counts, ...tally.result() };
  if (backup.manifest) checkCounts(backup.manifest, checked, invalid);
  return checked;
}

/** Checks that `data/` holds exactly the files the manifest lists. */
async function checkFileList(
  backup: BackupReader,
  invalid: Invalid,
): Promise<void> {
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

/** Checks every file's size and SHA-256; returns the files and bytes counted. */
async function checkChecksums(
  backup: BackupReader,
  invalid: Invalid,
  options: CheckBackupOptions,
): Promise<VerifyCounts> {
  const counts: VerifyCounts = {
    files: 0,
    bytes: 0,
    nodes: 0,
    relationships: 0,
  };
  const total = backup.files.reduce((sum, f) => sum + (f.bytes ?? 0), 0);
  for (const file of backup.files) {
    options.signal?.throwIfAborted();
    const bytes = await checkFile(
      backup.dir,
      file,
      invalid,
      (done) =>
        options.onProgress?.({
          phase: "checksums",
          done: counts.bytes + done,
          total,
        }),
      options.signal,
    );
    counts.files++;
    counts.bytes += bytes;
  }
  return counts;
}

/**
 * What the records of the data files add up to, file by file as each is read: the node ids,
 * the counts per label set and type, and the endpoints of every relationship, checked once
 * every node id is known.
 */
class RecordTally {
  readonly #backup: BackupReader;
  readonly #counts: VerifyCounts;
  readonly #invalid: Invalid;
  readonly #selection: SelectionTally | undefined;
  readonly #nodeIds = new IdMap();
  readonly #labelSets = new Map<string, number>();
  readonly #types = new Map<string, number>();
  /** Relationship files read before every node id was known, waiting for the endpoint check. */
  readonly #waiting: [number, FileCheck][] = [];
  #frozen = false;
  #done = 0;

  constructor(
    backup: BackupReader,
    counts: VerifyCounts,
    invalid: Invalid,
    selector: Selector | undefined,
  ) {
    this.#backup = backup;
    this.#counts = counts;
    this.#invalid = invalid;
    this.#selection = selector && new SelectionTally(selector);
  }

  /** Reports `delta` more records read. */
  progress(
    delta: number,
    onProgress: CheckBackupOptions["onProgress"],
  ): void {
    this.#done += delta;
    const manifest = this.#backup.manifest;
    onProgress?.({
      phase: "records",
      done: this.#done,
      total: manifest
        ? manifest.counts.nodes + manifest.counts.relationships
        : 0,
    });
  }

  /** Takes the result of reading data file `index`. */
  add(index: number, check: FileCheck): void {
    const file = this.#backup.files[index]!;
    if (file.records !== null && check.records !== file.records) {
      throw this.#invalid(
        `${file.path} holds ${check.records} records; the manifest says ${file.records}`,
        file.path,
      );
    }
    if (file.kind === "nodes") {
      this.#counts.nodes += check.records;
      this.#nodeIds.addAll(check.ids);
      tally(this.#labelSets, check.counts);
      this.#selection?.addNodes(check);
    } else {
      this.#counts.relationships += check.records;
      tally(this.#types, check.counts);
      if (this.#frozen) this.#checkEndpoints(index, check);
      else this.#waiting.push([index, check]);
    }
  }

  /** Every node file has been read: the node ids are final. */
  nodesDone(): void {
    try {
      this.#nodeIds.freeze();
    } catch (error) {
      throw this.#invalid(
        `node ids are not unique: ${(error as Error).message}`,
      );
    }
    this.#frozen = true;
    this.#selection?.nodesDone(this.#nodeIds);
    for (const [index, check] of this.#waiting.splice(0)) {
      this.#checkEndpoints(index, check);
    }
  }

  /** The node ids and the counts per label set and type. */
  result(): Omit<CheckedBackup, "counts"> {
    return {
      nodeIds: this.#nodeIds,
      labelSets: this.#labelSets,
      relationshipTypes: this.#types,
      ...(this.#selection ? { selected: this.#selection.result() } : {}),
    };
  }

  #checkEndpoints(index: number, check: FileCheck): void {
    const { ids } = check;
    const file = this.#backup.files[index]!;
    for (let i = 0; i < ids.length; i += 3) {
      for (const id of [ids[i + 1]!, ids[i + 2]!]) {
        if (this.#nodeIds.has(id)) continue;
        const record = i / 3 + 1;
        throw this.#invalid(
          `relationship ${
            ids[i]
          } (record ${record} in ${file.path}) ends at node ${id}, which the backup does not hold${
            this.#backup.manifest?.consistency.writesDetected
              ? " (the source changed while it was extracted)"
              : ""
          }`,
          file.path,
          record,
        );
      }
    }
    this.#selection?.addRelationships(check);
  }
}

/**
 * What a selection takes of the records, file by file: the nodes by their label sets, then
 * (once every selected node id is known) the relationships by type and endpoints.
 */
class SelectionTally {
  readonly #selector: Selector;
  readonly #nodeIds = new IdMap();
  /** Whether every node is selected: then the backup's own id map serves. */
  #allNodes: IdMap | undefined;
  readonly #labelSets = new Map<string, number>();
  readonly #types = new Map<string, number>();
  readonly #keys = new Map<string, boolean>();
  #nodes = 0;
  #relationships = 0;
  #leftOut = 0;

  constructor(selector: Selector) {
    this.#selector = selector;
  }

  addNodes(check: FileCheck): void {
    if (!this.#selector.filtersNodes && this.#selector.data) {
      tally(this.#labelSets, check.counts);
      this.#nodes += check.records;
      return;
    }
    const selected = check.counts.map(([key]) => this.#node(key));
    for (let i = 0; i < check.records; i++) {
      if (!selected[check.groups[i]!]) continue;
      this.#nodeIds.add(check.ids[i]!);
      this.#nodes++;
    }
    for (const [g, [key, count]] of check.counts.entries()) {
      if (selected[g]) {
        this.#labelSets.set(key, (this.#labelSets.get(key) ?? 0) + count);
      }
    }
  }

  nodesDone(all: IdMap): void {
    if (!this.#selector.filtersNodes && this.#selector.data) {
      this.#allNodes = all;
    } else this.#nodeIds.freeze();
  }

  addRelationships(check: FileCheck): void {
    const types = check.counts.map(([type]) => this.#selector.type(type));
    const kept = this.#allNodes ?? this.#nodeIds;
    const { ids, groups } = check;
    for (let i = 0; i < check.records; i++) {
      const g = groups[i]!;
      if (!types[g]) continue;
      if (kept.has(ids[3 * i + 1]!) && kept.has(ids[3 * i + 2]!)) {
        const type = check.counts[g]![0];
        this.#types.set(type, (this.#types.get(type) ?? 0) + 1);
        this.#relationships++;
      } else this.#leftOut++;
    }
  }

  result(): SelectedRecords {
    return {
      nodes: this.#nodes,
      relationships: this.#relationships,
      relationshipsLeftOut: this.#leftOut,
      nodeIds: this.#allNodes ?? this.#nodeIds,
      labelSets: this.#labelSets,
      relationshipTypes: this.#types,
    };
  }

  #node(key: string): boolean {
    let selected = this.#keys.get(key);
    if (selected === undefined) {
      selected = this.#selector.node(JSON.parse(key) as string[]);
      this.#keys.set(key, selected);
    }
    return selected;
  }
}

function tally(into: Map<string, number>, found: [string, number][]): void {
  for (const [key, count] of found) {
    into.set(key, (into.get(key) ?? 0) + count);
  }
}

/**
 * Checks that the manifest's counts fit the selection it records: no label set, type or schema
 * that the selection leaves out.
 */
function checkSelection(manifest: Manifest, invalid: Invalid): void {
  const record = manifest.selection;
  if (record === null) return;
  let selector: Selector;
  try {
    selector = new Selector(record);
  } catch (error) {
    throw invalid(
      `the manifest's selection is invalid: ${(error as Error).message}`,
    );
  }
  const said = "the manifest's selection leaves them out";
  for (const set of manifest.counts.labelSets) {
    if (!selector.node(set.labels)) {
      throw invalid(
        `the backup holds ${set.count} nodes labelled ${
          labelSetKey(set.labels)
        }; ${said}`,
      );
    }
  }
  for (const type of manifest.counts.relationshipTypes) {
    if (!selector.type(type.type)) {
      throw invalid(
        `the backup holds ${type.count} relationships of type ${
          JSON.stringify(type.type)
        }; ${said}`,
      );
    }
  }
  const { schema } = manifest;
  if (
    !selector.schema && schema.constraints.length + schema.indexes.length > 0
  ) {
    throw invalid(
      `the backup holds ${schema.constraints.length} constraints and ${schema.indexes.length} indexes; the manifest's selection has no schema`,
    );
  }
}

/** Checks that the records add up to the manifest's counts. */
function checkCounts(
  manifest: Manifest,
  checked: CheckedBackup,
  invalid: Invalid,
): void {
  const { counts, labelSets, relationshipTypes } = checked;
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
  const sets = new Map(
    manifest.counts.labelSets.map((s) => [labelSetKey(s.labels), s.count]),
  );
  for (const key of new Set([...sets.keys(), ...labelSets.keys()])) {
    const found = labelSets.get(key) ?? 0;
    const said = sets.get(key) ?? 0;
    if (found !== said) {
      throw invalid(
        `the backup holds ${found} nodes labelled ${key}; the manifest says ${said}`,
      );
    }
  }
  const types = new Map(
    manifest.counts.relationshipTypes.map((t) => [t.type, t.count]),
  );
  for (const type of new Set([...types.keys(), ...relationshipTypes.keys()])) {
    const found = relationshipTypes.get(type) ?? 0;
    const said = types.get(type) ?? 0;
    if (found !== said) {
      throw invalid(
        `the backup holds ${found} relationships of type ${
          JSON.stringify(type)
        }; the manifest says ${said}`,
      );
    }
  }
}

/** Checks a file's size and SHA-256 (where the backup records them); returns its size. */
async function checkFile(
  dir: string,
  file: BackupFile,
  invalid: Invalid,
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
