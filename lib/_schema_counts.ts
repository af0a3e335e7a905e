import type { Schema } from "./format/manifest.ts";

/**
 * How many constraints and indexes a schema has, counted the same way everywhere (the extract's
 * and the import's summaries, the refusal of a non-empty target): `indexes` are the indexes of
 * their own, neither backing a constraint nor a token lookup index, so that
 * `constraintIndexes + lookupIndexes + indexes` is what `SHOW INDEXES` lists.
 */
export interface SchemaCounts {
  /** Constraints. */
  constraints: number;
  /** Indexes other than those that back a constraint and the token lookup indexes. */
  indexes: number;
  /** Indexes that back a constraint (created and dropped with it). */
  constraintIndexes: number;
  /** Token lookup indexes (at most one for nodes and one for relationships). */
  lookupIndexes: number;
}

/** Counts a schema's constraints and indexes (see {@linkcode SchemaCounts}). */
export function countSchema(schema: Schema): SchemaCounts {
  let indexes = 0;
  let constraintIndexes = 0;
  let lookupIndexes = 0;
  for (const index of schema.indexes) {
    if (index.type === "LOOKUP") lookupIndexes++;
    else if (index.owningConstraint !== null) constraintIndexes++;
    else indexes++;
  }
  return {
    constraints: schema.constraints.length,
    indexes,
    constraintIndexes,
    lookupIndexes,
  };
}

/**
 * Says what {@linkcode SchemaCounts} holds, in the words every message uses:
 * `2 constraints, 19 indexes (not counting the 16 that back constraints and 2 lookup indexes)`.
 */
export function describeSchemaCounts(counts: SchemaCounts): string {
  const left: string[] = [];
  if (counts.constraintIndexes > 0) {
    left.push(`the ${counts.constraintIndexes} that back constraints`);
  }
  if (counts.lookupIndexes > 0) {
    left.push(
      `${counts.lookupIndexes} lookup ${
        counts.lookupIndexes === 1 ? "index" : "indexes"
      }`,
    );
  }
  const plural = (n: number, one: string, many: string): string =>
    `${n} ${n === 1 ? one : many}`;
  return `${plural(counts.constraints, "constraint", "constraints")}, ${
    plural(counts.indexes, "index", "indexes")
  }${left.length > 0 ? ` (not counting ${left.join(" and ")})` : ""}`;
}
