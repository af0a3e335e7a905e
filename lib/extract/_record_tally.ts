import neo4j from "../_driver.ts";
import type { Properties } from "../codec/types.ts";
import { BackupError } from "../errors.ts";
import type {
  LabelSetCount,
  RelationshipTypeCount,
} from "../format/manifest.ts";
import type { BackupRecord } from "../format/record.ts";
import { labelSetKey } from "../format/_label_set_key.ts";

/** A result row, read by column index. */
export interface Row {
  get(index: number): unknown;
}

/**
 * Turns the rows of the extract's queries (see `nodeQueries` and `relationshipQueries`) into
 * backup records, counting nodes per label set and relationships per type on the way (for the
 * manifest).
 */
export class RecordTally {
  /** Keyed by {@linkcode labelSetKey}, as everywhere. */
  readonly #labelSets = new Map<string, LabelSetCount>();
  readonly #types = new Map<string, number>();

  /** A node record from a row of `nodeQueries`: id, labels, properties. */
  readonly node = (row: Row): BackupRecord => {
    const labels = row.get(1) as string[];
    const key = labelSetKey(labels);
    const set = this.#labelSets.get(key);
    if (set) set.count++;
    else {
      this.#labelSets.set(key, {
        labels: [...labels].sort(compareCodePoints),
        count: 1,
      });
    }
    return {
      kind: "node",
      id: toBigInt(row.get(0)),
      labels,
      properties: row.get(2) as Properties,
    };
  };

  /** A relationship record from a row of `relationshipQueries`: id, type, start, end, properties. */
  readonly relationship = (row: Row): BackupRecord => {
    const type = row.get(1) as string;
    this.#types.set(type, (this.#types.get(type) ?? 0) + 1);
    return {
      kind: "relationship",
      id: toBigInt(row.get(0)),
      type,
      startId: toBigInt(row.get(2)),
      endId: toBigInt(row.get(3)),
      properties: row.get(4) as Properties,
    };
  };

  /** Nodes per label set, sorted as the manifest lists them. */
  labelSets(): LabelSetCount[] {
    return sortLabelSets([...this.#labelSets.values()]);
  }

  /** Relationships per type, sorted by type. */
  relationshipTypes(): RelationshipTypeCount[] {
    return sortTypes(this.#types);
  }
}

/** Label sets in the manifest's order (by their JSON, by code point). */
export function sortLabelSets(sets: LabelSetCount[]): LabelSetCount[] {
  return sets.sort((a, b) =>
    compareCodePoints(JSON.stringify(a.labels), JSON.stringify(b.labels))
  );
}

/** Counts per type in the manifest's order (by type, by code point). */
export function sortTypes(
  types: Iterable<[string, number]>,
): RelationshipTypeCount[] {
  return [...types].map(([type, count]) => ({ type, count }))
    .sort((a, b) => compareCodePoints(a.type, b.type));
}

/** Orders strings by code point (not by locale). */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (neo4j.isInt(value)) return (value as { toBigInt(): bigint }).toBigInt();
  if (typeof value === "number") return BigInt(value);
  throw new BackupError(`Unexpected id ${String(value)} from the server`, {
    code: "SERVER",
  });
}
