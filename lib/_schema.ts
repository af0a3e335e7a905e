import neo4j, { type Driver, type Record } from "./_driver.ts";
import type { JsonObject, JsonValue } from "./codec/types.ts";
import type {
  ConstraintDefinition,
  IndexDefinition,
  Schema,
} from "./format/manifest.ts";

/**
 * Reads every constraint and index the server reports for a database, as data. Works on 4.4
 * (where an index's owning constraint is found through the constraint's `ownedIndexId`) and on
 * 5.x and later.
 */
export async function readSchema(
  driver: Driver,
  database: string | undefined,
): Promise<Schema> {
  const config = { database, routing: neo4j.routing.READ };
  const [{ records: constraintRows }, { records: indexRows }] = await Promise
    .all([
      driver.executeQuery("SHOW CONSTRAINTS YIELD *", {}, config),
      driver.executeQuery("SHOW INDEXES YIELD *", {}, config),
    ]);
  const ownerByIndexId = new Map<string, string>();
  const constraints = constraintRows.map((row): ConstraintDefinition => {
    const ownedIndexId = optional(row, "ownedIndexId");
    if (ownedIndexId !== null) {
      ownerByIndexId.set(String(ownedIndexId), String(row.get("name")));
    }
    return {
      name: String(row.get("name")),
      type: String(row.get("type")),
      entityType: entityType(row),
      labelsOrTypes: strings(row.get("labelsOrTypes")) ?? [],
      properties: strings(row.get("properties")) ?? [],
      propertyType: stringOrNull(optional(row, "propertyType")),
      options: jsonObject(optional(row, "options")),
      createStatement: stringOrNull(optional(row, "createStatement")),
    };
  });
  const indexes = indexRows.map((row): IndexDefinition => ({
    name: String(row.get("name")),
    type: String(row.get("type")),
    entityType: entityType(row),
    labelsOrTypes: strings(row.get("labelsOrTypes")),
    properties: strings(row.get("properties")),
    owningConstraint: stringOrNull(optional(row, "owningConstraint")) ??
      ownerByIndexId.get(String(optional(row, "id"))) ?? null,
    options: jsonObject(optional(row, "options")),
    createStatement: stringOrNull(optional(row, "createStatement")),
  }));
  const byName = (a: { name: string }, b: { name: string }): number =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return {
    constraints: constraints.sort(byName),
    indexes: indexes.sort(byName),
  };
}

function optional(row: Record, key: string): unknown {
  return row.has(key) ? row.get(key) : null;
}

function entityType(row: Record): "NODE" | "RELATIONSHIP" {
  return row.get("entityType") === "RELATIONSHIP" ? "RELATIONSHIP" : "NODE";
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) ? value.map(String) : null;
}

function stringOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function jsonObject(value: unknown): JsonObject {
  const json = toJson(value);
  return typeof json === "object" && json !== null && !Array.isArray(json)
    ? json
    : {};
}

/** Schema options as JSON: integers as bigint whatever the driver's integer config. */
function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (neo4j.isInt(value)) return (value as { toBigInt(): bigint }).toBigInt();
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
    case "number":
      return value;
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    // Keys are data: Object.fromEntries makes each an own property, `__proto__` included.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, toJson(item)]),
    );
  }
  return String(value);
}
