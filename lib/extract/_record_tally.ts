import neo4j from "../_driver.ts";
import { setOwn } from "../codec/_own.ts";
import type { Properties, PropertyValue } from "../codec/types.ts";
import { BackupError } from "../errors.ts";
import type {
  LabelSetCount,
  RelationshipTypeCount,
} from "../format/manifest.ts";
import {
  nodeText,
  relationshipText,
  stringifyRecord,
} from "../format/_record_json.ts";
import { labelSetKey } from "../format/_label_set_key.ts";

/** A result row, read by column index. */
export interface Row {
  get(index: number): unknown;
}

/**
 * Turns the rows of the extract's queries (see `nodeQueries` and `relationshipQueries`) into
 * the JSON texts of backup records, counting nodes per label set and relationships per type on
 * the way (for the manifest). The rows bring each record's properties as two lists, keys and
 * values: written out as they come, without the object that `properties(n)` would make the
 * driver build (measured on the benchmark graph, 200,000 nodes of varied property keys: the
 * driver's objects took 5.2 s of CPU to read, the two lists 1.8 s).
 */
export class RecordTally {
  /** Keyed by {@linkcode labelSetKey}, as everywhere. */
  readonly #labelSets = new Map<string, LabelSetCount>();
  readonly #types = new Map<string, number>();
  readonly #indent: number;

  /** Writes records with `indent` spaces per level (0: compact, one line each). */
  constructor(indent = 0) {
    this.#indent = indent;
  }

  /** The text of a node from a row of `nodeQueries`: id, labels, property keys and values. */
  readonly node = (row: Row): string => {
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
    const id = rowId(row);
    const keys = row.get(2) as string[];
    const values = row.get(3) as PropertyValue[];
    if (this.#indent === 0) return nodeText(id, labels, keys, values);
    return stringifyRecord({
      kind: "node",
      id,
      labels,
      properties: toProperties(keys, values),
    }, this.#indent);
  };

  /**
   * The text of a relationship from a row of `relationshipQueries`: id, type, start, end,
   * property keys and values.
   */
  readonly relationship = (row: Row): string => {
    const type = row.get(1) as string;
    this.#types.set(type, (this.#types.get(type) ?? 0) + 1);
    const id = rowId(row);
    const startId = toBigInt(row.get(2));
    const endId = toBigInt(row.get(3));
    const keys = row.get(4) as string[];
    const values = row.get(5) as PropertyValue[];
    if (this.#indent === 0) {
      return relationshipText(id, type, startId, endId, keys, values);
    }
    return stringifyRecord({
      kind: "relationship",
      id,
      type,
      startId,
      endId,
      properties: toProperties(keys, values),
    }, this.#indent);
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

/** The id of a row of the extract's queries (its first column). */
export function rowId(row: Row): bigint {
  return toBigInt(row.get(0));
}

function toProperties(
  keys: readonly string[],
  values: readonly PropertyValue[],
): Properties {
  const properties: Properties = {};
  for (let i = 0; i < keys.length; i++) {
    setOwn(properties, keys[i]!, values[i]!);
  }
  return properties;
}

function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (neo4j.isInt(value)) return (value as { toBigInt(): bigint }).toBigInt();
  if (typeof value === "number") return BigInt(value);
  throw new BackupError(`Unexpected id ${String(value)} from the server`, {
    code: "SERVER",
  });
}
