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

/**
 * The path of a data file, relative to the backup directory.
 *
 * @example
 * ```ts
 * import { dataFilePath } from "./layout.ts";
 * dataFilePath("nodes", 7461, true); // "data/nodes_7461.json.gz"
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
