import { escapeName } from "../_cypher.ts";
import type { SchemaCounts } from "../_schema_counts.ts";
import type { ServerInfo } from "../_server_info.ts";
import { BackupError } from "../errors.ts";
import type { Schema } from "../format/manifest.ts";
import {
  type SchemaStatement,
  schemaStatements,
  type SkippedSchema,
} from "./_schema_statements.ts";
import type { Target } from "./_target.ts";

/** Options of {@linkcode createSchema}. */
export interface CreateSchemaOptions {
  /** The Neo4j version the backup was made from, when known. */
  sourceVersion: string | undefined;
  /**
   * Whether the target held no data before the import (then its lookup indexes may be replaced
   * by the backup's, and an index left by a crash may be dropped).
   */
  targetWasEmpty: boolean;
  /** Whether this run resumes an import (an index left by its crash may be dropped). */
  resume: boolean;
  /** Called before each statement and after the last. */
  onProgress: (done: number, total: number) => void;
}

/** What {@linkcode createSchema} did. */
export interface CreatedSchema {
  /** What was created (or was already there), counted as everywhere. */
  created: SchemaCounts;
  /** What the target could not take, and why. */
  skipped: SkippedSchema[];
}

/**
 * Creates a backup's constraints and indexes in the target, then waits until every index is
 * online; honours the target's stop signal between statements and while waiting.
 */
export async function createSchema(
  target: Target,
  schema: Schema,
  server: ServerInfo,
  options: CreateSchemaOptions,
): Promise<CreatedSchema> {
  const { statements, skipped } = schemaStatements(schema, server, {
    ...(options.sourceVersion ? { sourceVersion: options.sourceVersion } : {}),
  });
  const created: SchemaCounts = {
    constraints: 0,
    indexes: 0,
    constraintIndexes: 0,
    lookupIndexes: 0,
  };
  const owners = new Set(schema.indexes.map((i) => i.owningConstraint));
  const lookups = await lookupIndexes(target);
  for (const [n, statement] of statements.entries()) {
    target.signal?.throwIfAborted();
    options.onProgress(n, statements.length);
    const reason = await createOne(target, statement, lookups, options);
    if (reason !== undefined) {
      skipped.push({
        name: statement.name,
        kind: statement.kind,
        type: statement.type,
        reason,
      });
    } else if (statement.kind === "constraint") {
      created.constraints++;
      if (owners.has(statement.name)) created.constraintIndexes++;
    } else if (statement.lookup) created.lookupIndexes++;
    else created.indexes++;
  }
  options.onProgress(statements.length, statements.length);
  await awaitIndexes(target);
  return { created, skipped };
}

/**
 * Runs one statement; returns why the target did not take it, or undefined when it was created
 * (or was there already).
 */
async function createOne(
  target: Target,
  statement: SchemaStatement,
  lookups: Map<"NODE" | "RELATIONSHIP", string>,
  options: CreateSchemaOptions,
): Promise<string | undefined> {
  if (statement.lookup) {
    const existing = lookups.get(statement.lookup);
    if (existing === statement.name) return undefined;
    if (existing !== undefined) {
      if (!options.targetWasEmpty) {
        return `the database already has the lookup index "${existing}"`;
      }
      await target.query(
        `DROP INDEX ${escapeName(existing)} IF EXISTS`,
        {},
        true,
      );
    }
  }
  try {
    try {
      await target.query(statement.cypher, statement.params, true);
    } catch (error) {
      // A server that died while it built a constraint keeps the index it had begun for it,
      // under the constraint's name, without the constraint: take it away and build again.
      if (
        statement.kind !== "constraint" ||
        !(options.targetWasEmpty || options.resume) ||
        !await dropOrphanIndex(target, statement.name, error)
      ) throw error;
      await target.query(statement.cypher, statement.params, true);
    }
    return undefined;
  } catch (error) {
    if (!isUnsupported(error)) throw error;
    return (error as Error).message.split("\n")[0]!;
  }
}

/**
 * Waits until every index is online, asking the server twice a second so that a stop (the
 * signal) is honoured while a large index populates; a failed index fails the import with the
 * server's own message.
 */
async function awaitIndexes(target: Target): Promise<void> {
  for (;;) {
    target.signal?.throwIfAborted();
    const { records } = await target.query(
      "SHOW INDEXES YIELD state RETURN state, count(*) AS count",
    );
    const states = new Set(records.map((r) => String(r.get("state"))));
    if (states.has("FAILED")) {
      // The server's message names the index and why.
      await target.query("CALL db.awaitIndexes(1)", {}, true);
      throw new BackupError("Cannot import backup: an index failed", {
        code: "SERVER",
      });
    }
    if ([...states].every((state) => state === "ONLINE")) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * After `error` from creating the constraint `name`: when the database has an index of that
 * name that no constraint owns (left by a crash while the constraint was being built), drops
 * it and says so.
 */
async function dropOrphanIndex(
  target: Target,
  name: string,
  error: unknown,
): Promise<boolean> {
  const code = (error as { code?: unknown }).code;
  if (code !== "Neo.ClientError.Schema.IndexWithNameAlreadyExists") {
    return false;
  }
  // Neo4j 4.4 has no owningConstraint: there the original error stands.
  const records = await target.query(
    "SHOW INDEXES YIELD name, owningConstraint WHERE name = $name RETURN owningConstraint",
    { name },
  ).then((result) => result.records, () => []);
  if (records.length !== 1 || records[0]!.get("owningConstraint") !== null) {
    return false;
  }
  await target.query(`DROP INDEX ${escapeName(name)} IF EXISTS`, {}, true);
  return true;
}

/** The names of the target's lookup indexes, by entity. */
async function lookupIndexes(
  target: Target,
): Promise<Map<"NODE" | "RELATIONSHIP", string>> {
  const { records } = await target.query(
    "SHOW INDEXES YIELD name, type, entityType WHERE type = 'LOOKUP' RETURN name, entityType",
  );
  return new Map(
    records.map((r) => [
      r.get("entityType") as "NODE" | "RELATIONSHIP",
      String(r.get("name")),
    ]),
  );
}

/** Whether a schema statement failed because the target cannot have that schema. */
function isUnsupported(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  const message = (error as Error).message ?? "";
  return /Enterprise|not supported|unsupported|Invalid input|ConstraintCreationFailed|IndexCreationFailed|Unsupported/i
    .test(`${code} ${message}`);
}
