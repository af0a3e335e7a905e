import type {
  ConstraintDefinition,
  IndexDefinition,
  Schema,
} from "./manifest.ts";

/**
 * What part of a database a backup holds, or an import takes: the options that the Extractor
 * and the Importer share, and that a backup's manifest records (as {@linkcode SelectionRecord}).
 *
 * Nodes are selected by their labels, relationships by their type, and a relationship is kept
 * only when both its endpoints are. The schema kept is the constraints and indexes whose labels
 * or types are all selected (token lookup indexes always, with the schema).
 */
export interface Selection {
  /**
   * Only nodes that carry at least one of these labels (with all their labels and properties).
   * @default {[] (every node)}
   */
  labels?: readonly string[];
  /**
   * Only nodes that carry none of these labels.
   * @default {[]}
   */
  excludeLabels?: readonly string[];
  /**
   * Only relationships of these types.
   * @default {[] (every type)}
   */
  types?: readonly string[];
  /**
   * Only relationships not of these types.
   * @default {[]}
   */
  excludeTypes?: readonly string[];
  /**
   * The schema (constraints and indexes); false for the data alone.
   * @default {true}
   */
  schema?: boolean;
  /**
   * The data (nodes and relationships); false for the schema alone.
   * @default {true}
   */
  data?: boolean;
}

/** A selection as the manifest records it: every field present. */
export interface SelectionRecord {
  /** See {@linkcode Selection.labels}; empty: every node. */
  labels: string[];
  /** See {@linkcode Selection.excludeLabels}. */
  excludeLabels: string[];
  /** See {@linkcode Selection.types}; empty: every type. */
  types: string[];
  /** See {@linkcode Selection.excludeTypes}. */
  excludeTypes: string[];
  /** Whether the schema was kept. */
  schema: boolean;
  /** Whether the data was kept. */
  data: boolean;
  /**
   * Relationships of a selected type left out because an endpoint was (as counted when the
   * extract ran).
   */
  relationshipsLeftOut: number;
}

/**
 * A {@linkcode Selection}, checked, with the tests the engines apply to labels, types, records
 * and the schema.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { Selector } from "./selection.ts";
 *
 * const selector = new Selector({ labels: ["Person"], excludeLabels: ["Bot"] });
 * equal(selector.node(["Person", "Admin"]), true);
 * equal(selector.node(["Person", "Bot"]), false);
 * equal(selector.node(["Movie"]), false);
 * equal(selector.type("ACTED_IN"), true);
 * ```
 */
export class Selector {
  /** Nodes carrying one of these labels are selected (empty: every node). */
  readonly labels: readonly string[];
  /** Nodes carrying one of these labels are left out. */
  readonly excludeLabels: readonly string[];
  /** Relationships of these types are selected (empty: every type). */
  readonly types: readonly string[];
  /** Relationships of these types are left out. */
  readonly excludeTypes: readonly string[];
  /** Whether the schema is kept. */
  readonly schema: boolean;
  /** Whether the data is kept. */
  readonly data: boolean;
  readonly #labels: ReadonlySet<string>;
  readonly #excludeLabels: ReadonlySet<string>;
  readonly #types: ReadonlySet<string>;
  readonly #excludeTypes: ReadonlySet<string>;

  /**
   * Checks `selection`.
   *
   * @throws {TypeError} for a name that is not a non-empty string, a name both selected and
   *   excluded, or `schema` and `data` both false.
   */
  constructor(selection: Selection = {}) {
    this.labels = names(selection.labels, "labels");
    this.excludeLabels = names(selection.excludeLabels, "excludeLabels");
    this.types = names(selection.types, "types");
    this.excludeTypes = names(selection.excludeTypes, "excludeTypes");
    both(this.labels, this.excludeLabels, "label");
    both(this.types, this.excludeTypes, "type");
    this.schema = flag(selection.schema, "schema");
    this.data = flag(selection.data, "data");
    if (!this.schema && !this.data) {
      throw new TypeError(
        "schema and data cannot both be left out (nothing would remain)",
      );
    }
    this.#labels = new Set(this.labels);
    this.#excludeLabels = new Set(this.excludeLabels);
    this.#types = new Set(this.types);
    this.#excludeTypes = new Set(this.excludeTypes);
  }

  /** Whether this selects everything. */
  get all(): boolean {
    return this.schema && this.data && this.#nodesAll && this.#typesAll;
  }

  /** Whether every node is selected (when the data is). */
  get #nodesAll(): boolean {
    return this.labels.length === 0 && this.excludeLabels.length === 0;
  }

  /** Whether every relationship type is selected (when the data is). */
  get #typesAll(): boolean {
    return this.types.length === 0 && this.excludeTypes.length === 0;
  }

  /** Whether some nodes are left out by their labels (relationships may lose endpoints). */
  get filtersNodes(): boolean {
    return !this.#nodesAll;
  }

  /** Whether a node with these labels is selected. */
  node(labels: readonly string[]): boolean {
    if (!this.data) return false;
    let included = this.#labels.size === 0;
    for (const label of labels) {
      if (this.#excludeLabels.has(label)) return false;
      if (!included && this.#labels.has(label)) included = true;
    }
    return included;
  }

  /** Whether a label is selected (for the schema: its constraints and indexes are kept). */
  label(label: string): boolean {
    return (this.#labels.size === 0 || this.#labels.has(label)) &&
      !this.#excludeLabels.has(label);
  }

  /** Whether relationships of this type are selected (their endpoints aside). */
  type(type: string): boolean {
    if (!this.data) return false;
    return this.typeName(type);
  }

  /** Whether a type is selected by name (for the schema). */
  typeName(type: string): boolean {
    return (this.#types.size === 0 || this.#types.has(type)) &&
      !this.#excludeTypes.has(type);
  }

  /** The constraints and indexes whose labels or types are all selected. */
  selectSchema(schema: Schema): Schema {
    if (!this.schema) return { constraints: [], indexes: [] };
    const keep = (item: ConstraintDefinition | IndexDefinition): boolean =>
      (item.labelsOrTypes ?? []).every((name) =>
        item.entityType === "NODE" ? this.label(name) : this.typeName(name)
      );
    const constraints = schema.constraints.filter(keep);
    const kept = new Set(constraints.map((c) => c.name));
    return {
      constraints,
      // An index that backs a constraint goes with its constraint.
      indexes: schema.indexes.filter((index) =>
        index.owningConstraint !== null
          ? kept.has(index.owningConstraint)
          : keep(index)
      ),
    };
  }

  /** The names selected that `present` lacks, so that a typo is not silent. */
  unmatched(present: {
    labels: Iterable<string>;
    types: Iterable<string>;
  }): { labels: string[]; types: string[] } {
    const labels = new Set(present.labels);
    const types = new Set(present.types);
    return {
      labels: [...this.labels, ...this.excludeLabels].filter((l) =>
        !labels.has(l)
      ),
      types: [...this.types, ...this.excludeTypes].filter((t) => !types.has(t)),
    };
  }

  /** The selection as the manifest records it. */
  toRecord(relationshipsLeftOut: number): SelectionRecord {
    return {
      labels: [...this.labels],
      excludeLabels: [...this.excludeLabels],
      types: [...this.types],
      excludeTypes: [...this.excludeTypes],
      schema: this.schema,
      data: this.data,
      relationshipsLeftOut,
    };
  }
}

function names(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new TypeError(`${name} must be an array of names`);
  }
  for (const item of value) {
    if (typeof item !== "string" || item === "") {
      throw new TypeError(
        `${name} must hold non-empty strings, got ${JSON.stringify(item)}`,
      );
    }
  }
  return [...new Set(value as string[])];
}

function both(
  selected: readonly string[],
  excluded: readonly string[],
  what: string,
): void {
  const clash = selected.find((name) => excluded.includes(name));
  if (clash !== undefined) {
    throw new TypeError(
      `the ${what} ${JSON.stringify(clash)} is both selected and excluded`,
    );
  }
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== "boolean") {
    throw new TypeError(`${name} must be a boolean`);
  }
  return value;
}
