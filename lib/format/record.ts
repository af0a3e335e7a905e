import type { JsonObject, Properties } from "../codec/types.ts";
import type { RecordKind } from "./layout.ts";

/**
 * A node of a backup. In the files: `{"node_id": ..., "node_labels": [...], "node_props": {...}}`.
 */
export interface NodeRecord {
  /** Always `node`. */
  kind: "node";
  /** The node's id in the source database (`id(n)`); identifies it within the backup. */
  id: bigint;
  /** The node's labels (any strings), in any order. */
  labels: string[];
  /** The node's properties. */
  properties: Properties;
}

/**
 * A relationship of a backup. In the files: `{"rel_id": ..., "start_node_id": ...,
 * "end_node_id": ..., "rel_type": "...", "rel_props": {...}}`.
 */
export interface RelationshipRecord {
  /** Always `relationship`. */
  kind: "relationship";
  /** The relationship's id in the source database; identifies it within the backup. */
  id: bigint;
  /** The relationship type. */
  type: string;
  /** The `id` of the start node's NodeRecord. */
  startId: bigint;
  /** The `id` of the end node's NodeRecord. */
  endId: bigint;
  /** The relationship's properties. */
  properties: Properties;
}

/** A record of a backup's data files. */
export type BackupRecord = NodeRecord | RelationshipRecord;

/** The kind of the records a data file of `kind` holds: `node` for `nodes`, and so on. */
export function recordKindOf(kind: RecordKind): BackupRecord["kind"] {
  return kind === "nodes" ? "node" : "relationship";
}

/** The JSON form of a record's properties: each value through `valueToJson`. */
export type PropertiesJson = JsonObject;

/**
 * The fields of a node record in the files: the Python tool's names, which this format keeps
 * (its records add `hash_props`).
 */
export const NODE_FIELDS = ["node_id", "node_labels", "node_props"] as const;

/** The fields of a relationship record in the files (see {@linkcode NODE_FIELDS}). */
export const RELATIONSHIP_FIELDS = [
  "rel_id",
  "start_node_id",
  "end_node_id",
  "rel_type",
  "rel_props",
] as const;
