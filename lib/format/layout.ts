/**
 * Where things are in a backup directory.
 *
 * ```text
 * <dir>/
 *   manifest.json                       written last, atomically: the backup is complete
 *   INCOMPLETE                          present while an extract runs (or after it failed)
 *   compressed.json, node_labels.json,  the Python tool's metadata files that still carry
 *   rel_types.json, property_keys.json,   meaning (informative; the manifest is authoritative)
 *   uniqueness_constraints.json
 *   data/nodes_<P>_<F>.json.gz          P: the partition (6 digits), F: its file (from 1)
 *   data/relationships_<P>_<F>.json.gz
 *   checkpoint.jsonl, .partitions/      present while an extract runs (or after it failed)
 * ```
 *
 * Version 1 named the data files `<kind>_<N>.json.gz` (N: records in this and the earlier files
 * of the kind), as the Python tool does; readers take both.
 *
 * @module
 */

/** The format's name, in `manifest.json`. */
export const FORMAT_NAME = "neo4j-backup";

/**
 * The format's version: 2 names the data files by partition. A reader takes every version up to
 * its own and refuses later ones.
 */
export const FORMAT_VERSION = 2;

/** The manifest's file name. */
export const MANIFEST_FILE = "manifest.json";

/** The marker of an extract that has not finished. */
export const INCOMPLETE_FILE = "INCOMPLETE";

/** The folder of the data files. */
export const DATA_DIR = "data";

/** What a data file holds. */
export type RecordKind = "nodes" | "relationships";

/** A data file of a backup as far as it is known before reading it. */
export interface BackupFile {
  /** Relative to the backup directory, with `/`. */
  path: string;
  /** What the file holds. */
  kind: RecordKind;
  /** Records, when the backup says (a manifest does; the Python tool's format does not). */
  records: number | null;
  /** Size on disk, when the backup says. */
  bytes: number | null;
  /** Hex SHA-256, when the backup says. */
  sha256: string | null;
  /** Whether the file is gzip-compressed. */
  compressed: boolean;
}

/**
 * The metadata files of the Python neo4j-backup 1.0.0, by what they hold. This tool writes the
 * ones that still mean something (informative), reads a Python backup by them, and replaces
 * them all when it overwrites a backup.
 */
export const PYTHON_FILES = {
  /** `true` or `false`: whether the data files are gzip-compressed. */
  compressed: "compressed.json",
  /** The Python importer's temporary key: only that tool writes it (it marks its backups). */
  marker: "unique_prop_key.json",
  /** The source database's id. */
  dbId: "db_id.json",
  /** The label sets. */
  nodeLabels: "node_labels.json",
  /** The property keys. */
  propertyKeys: "property_keys.json",
  /** The relationship types. */
  relTypes: "rel_types.json",
  /** The node uniqueness constraints. */
  uniquenessConstraints: "uniqueness_constraints.json",
} as const;

/**
 * The path of a data file, relative to the backup directory.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { dataFilePath } from "./layout.ts";
 *
 * equal(dataFilePath("nodes", 7461, true), "data/nodes_7461.json.gz");
 * ```
 */
export function dataFilePath(
  kind: RecordKind,
  cumulativeRecords: number,
  compressed: boolean,
): string {
  return `${DATA_DIR}/${kind}_${cumulativeRecords}.json${
    compressed ? ".gz" : ""
  }`;
}

/**
 * Matches a data file's name of version 1 (and of the Python tool); group 1 is the kind, 3 is
 * `.gz`.
 */
export const DATA_FILE_PATTERN = /^(nodes|relationships)_(\d+)\.json(\.gz)?$/;

/**
 * Matches a data file's name of version 2; group 1 is the kind, 2 the partition, 3 the file of
 * the partition, 4 is `.gz`.
 */
export const PARTITION_FILE_PATTERN =
  /^(nodes|relationships)_(\d{6,})_(\d+)\.json(\.gz)?$/;

/**
 * The path of a data file of format version 2: the `file`-th (from 1) of partition `partition`
 * (from 1), relative to the backup directory.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { partitionFilePath } from "./layout.ts";
 *
 * equal(partitionFilePath("nodes", 3, 1, true), "data/nodes_000003_1.json.gz");
 * ```
 */
export function partitionFilePath(
  kind: RecordKind,
  partition: number,
  file: number,
  compressed: boolean,
): string {
  return `${DATA_DIR}/${kind}_${
    String(partition).padStart(6, "0")
  }_${file}.json${compressed ? ".gz" : ""}`;
}

/**
 * The checkpoint of an extract under way (JSON lines: what it fixed at the start, then each
 * partition written completely), removed once the manifest is in place.
 */
export const CHECKPOINT_FILE = "checkpoint.jsonl";
