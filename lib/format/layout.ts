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
 *   data/nodes_<N>.json.gz              N: records in this and the earlier node files
 *   data/relationships_<N>.json.gz
 * ```
 *
 * @module
 */

/** The format's name, in `manifest.json`. */
export const FORMAT_NAME = "neo4j-backup";

/** The format's version; a reader refuses a manifest with another. */
export const FORMAT_VERSION = 1;

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

/** Matches a data file's name (Python tool's or ours); group 1 is the kind, 3 is `.gz`. */
export const DATA_FILE_PATTERN = /^(nodes|relationships)_(\d+)\.json(\.gz)?$/;
