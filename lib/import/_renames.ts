import { labelSetKey } from "../format/_label_set_key.ts";
import type { Schema } from "../format/manifest.ts";

/**
 * The labels and relationship types an import renames on the way (`renameLabels`,
 * `renameTypes`). Each name is renamed once (A=B with B=C makes A into B, not C); a node that
 * ends up with a label twice carries it once. The selection applies to the backup's names,
 * before renaming.
 */
export class Renames {
  readonly #labels: Map<string, string>;
  readonly #types: Map<string, string>;

  /** @throws {TypeError} for a name that is not a non-empty string. */
  constructor(
    labels: Record<string, string> | undefined,
    types: Record<string, string> | undefined,
  ) {
    this.#labels = renames(labels, "renameLabels");
    this.#types = renames(types, "renameTypes");
  }

  /** Whether nothing is renamed. */
  get none(): boolean {
    return this.#labels.size === 0 && this.#types.size === 0;
  }

  /** The renames, for the journal (so that a resume takes the same ones). */
  toJson(): { labels: [string, string][]; types: [string, string][] } {
    return { labels: [...this.#labels], types: [...this.#types] };
  }

  /** A node's labels, renamed (each once). */
  labels(labels: readonly string[]): string[] {
    if (this.#labels.size === 0) return labels as string[];
    return [...new Set(labels.map((l) => this.#labels.get(l) ?? l))];
  }

  /** A relationship type, renamed. */
  type(type: string): string {
    return this.#types.get(type) ?? type;
  }

  /** Counts per label set key and per type, renamed (sets that become one are added up). */
  counts(counts: {
    labelSets: Map<string, number>;
    relationshipTypes: Map<string, number>;
  }): {
    labelSets: Map<string, number>;
    relationshipTypes: Map<string, number>;
  } {
    if (this.none) return counts;
    const labelSets = new Map<string, number>();
    for (const [key, count] of counts.labelSets) {
      const renamed = labelSetKey(this.labels(JSON.parse(key) as string[]));
      labelSets.set(renamed, (labelSets.get(renamed) ?? 0) + count);
    }
    const relationshipTypes = new Map<string, number>();
    for (const [type, count] of counts.relationshipTypes) {
      const renamed = this.type(type);
      relationshipTypes.set(
        renamed,
        (relationshipTypes.get(renamed) ?? 0) + count,
      );
    }
    return { labelSets, relationshipTypes };
  }

  /** The schema with its labels and types renamed (names and settings unchanged). */
  schema(schema: Schema): Schema {
    if (this.none) return schema;
    const rename = <
      T extends { entityType: string; labelsOrTypes: string[] | null },
    >(
      item: T,
    ): T => ({
      ...item,
      labelsOrTypes: item.labelsOrTypes === null
        ? null
        : item.labelsOrTypes.map((name) =>
          item.entityType === "NODE"
            ? this.#labels.get(name) ?? name
            : this.type(name)
        ),
      // The server's own statement names the old labels; import builds its own anyway.
      createStatement: null,
    });
    return {
      constraints: schema.constraints.map(rename),
      indexes: schema.indexes.map(rename),
    };
  }
}

function renames(
  value: Record<string, string> | undefined,
  name: string,
): Map<string, string> {
  const map = new Map<string, string>();
  if (value === undefined) return map;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object of old name to new name`);
  }
  for (const [from, to] of Object.entries(value)) {
    if (from === "" || typeof to !== "string" || to === "") {
      throw new TypeError(
        `${name} must map non-empty names to non-empty names, got ${
          JSON.stringify(from)
        } to ${JSON.stringify(to)}`,
      );
    }
    if (from !== to) map.set(from, to);
  }
  return map;
}
