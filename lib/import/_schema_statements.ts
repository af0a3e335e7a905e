import { escapeName } from "../_cypher.ts";
import type { ServerInfo } from "../_server_info.ts";
import type { JsonObject, JsonValue } from "../codec/types.ts";
import type { SkippedSchema } from "./importer.ts";
import type { Schema } from "../format/manifest.ts";

/** A statement that creates one constraint or index on the target. */
export interface SchemaStatement {
  /** The constraint's or index's name. */
  name: string;
  kind: "constraint" | "index";
  /** e.g. `UNIQUENESS`, `RANGE`. */
  type: string;
  /** Cypher with escaped names; options go as `$options`. */
  cypher: string;
  params: Record<string, unknown>;
  /** For lookup indexes: which entity they cover (there can be one of each). */
  lookup?: "NODE" | "RELATIONSHIP";
}

/** Options of {@linkcode schemaStatements}. */
export interface SchemaStatementsOptions {
  /**
   * The Neo4j version the backup was made from (the manifest's), when known.
   * @default undefined (treated as 5 or later)
   */
  sourceVersion?: string;
}

/**
 * The statements that recreate a backup's schema on a server of a given version, constraints
 * first. Indexes owned by a constraint come with it. Index providers are left to the target
 * (they differ between versions); index configuration (point bounds, analyzer, vector
 * dimensions and similarity) is kept. A 4.4 backup into 4.4 keeps every index type; a later
 * backup into 4.4 gets btree indexes for its range indexes (4.4's planner uses only those); from
 * 5.0 on, btree indexes become range indexes.
 */
export function schemaStatements(
  schema: Schema,
  server: ServerInfo,
  options: SchemaStatementsOptions = {},
): { statements: SchemaStatement[]; skipped: SkippedSchema[] } {
  const { constraints, indexes } = schema;
  const statements: SchemaStatement[] = [];
  const skipped: SkippedSchema[] = [];
  const v44 = server.major === 4;
  const fromV4 = /^4\./.test(options.sourceVersion ?? "");
  const atLeast = (major: number, minor: number): boolean =>
    server.major > major || (server.major === major && server.minor >= minor);

  for (const c of constraints) {
    const skip = (reason: string): void => {
      skipped.push({ name: c.name, kind: "constraint", type: c.type, reason });
    };
    const node = c.entityType === "NODE";
    const pattern = entityPattern(node, c.labelsOrTypes, "e");
    const props = c.properties.map((p) => `e.${escapeName(p)}`);
    const tuple = `(${props.join(", ")})`;
    let predicate: string;
    if (c.type.includes("UNIQUENESS")) {
      if (!node && !atLeast(5, 7)) {
        skip(`relationship uniqueness constraints need Neo4j 5.7 or later`);
        continue;
      }
      predicate = `${tuple} IS UNIQUE`;
    } else if (c.type.includes("KEY")) {
      if (!node && !atLeast(5, 7)) {
        skip(`relationship key constraints need Neo4j 5.7 or later`);
        continue;
      }
      predicate = `${tuple} IS ${node ? "NODE" : "RELATIONSHIP"} KEY`;
    } else if (c.type.includes("EXISTENCE") && props.length === 1) {
      predicate = `${props[0]} IS NOT NULL`;
    } else if (c.type.includes("PROPERTY_TYPE") && props.length === 1) {
      if (!c.propertyType || !/^[A-Z0-9 <>|,_]+$/.test(c.propertyType)) {
        skip(`unrecognised property type ${JSON.stringify(c.propertyType)}`);
        continue;
      }
      predicate = `${props[0]} IS :: ${c.propertyType}`;
    } else {
      skip(`this tool cannot recreate ${c.type} constraints`);
      continue;
    }
    // A backing index's configuration is left to the target: it only ever held the spatial
    // settings of 4.4's btree indexes, which later versions refuse.
    statements.push({
      name: c.name,
      kind: "constraint",
      type: c.type,
      cypher: `CREATE CONSTRAINT ${
        escapeName(c.name)
      } IF NOT EXISTS FOR ${pattern} REQUIRE ${predicate}`,
      params: {},
    });
  }

  for (const i of indexes) {
    if (i.owningConstraint !== null) continue;
    const skip = (reason: string): void => {
      skipped.push({ name: i.name, kind: "index", type: i.type, reason });
    };
    const node = i.entityType === "NODE";
    const name = escapeName(i.name);
    const labels = i.labelsOrTypes ?? [];
    const props = (i.properties ?? []).map((p) => `e.${escapeName(p)}`);
    const config = indexConfig(i.options);
    const withOptions = (
      cypher: string,
    ): Omit<SchemaStatement, "name" | "kind" | "type"> =>
      config
        ? {
          cypher: `${cypher} OPTIONS $options`,
          params: { options: { indexConfig: config } },
        }
        : { cypher, params: {} };
    let statement: Omit<SchemaStatement, "name" | "kind" | "type">;
    switch (i.type) {
      case "RANGE":
      case "BTREE":
        statement = {
          cypher: `CREATE ${
            v44 && !(fromV4 && i.type === "RANGE") ? "BTREE" : "RANGE"
          } INDEX ${name} IF NOT EXISTS FOR ${
            entityPattern(node, labels, "e")
          } ON (${props.join(", ")})`,
          params: {},
        };
        break;
      case "TEXT":
        statement = {
          cypher: `CREATE TEXT INDEX ${name} IF NOT EXISTS FOR ${
            entityPattern(node, labels, "e")
          } ON (${props.join(", ")})`,
          params: {},
        };
        break;
      case "POINT":
        statement = withOptions(
          `CREATE POINT INDEX ${name} IF NOT EXISTS FOR ${
            entityPattern(node, labels, "e")
          } ON (${props.join(", ")})`,
        );
        break;
      case "FULLTEXT":
        statement = withOptions(
          `CREATE FULLTEXT INDEX ${name} IF NOT EXISTS FOR ${
            node
              ? `(e:${labels.map(escapeName).join("|")})`
              : `()-[e:${labels.map(escapeName).join("|")}]-()`
          } ON EACH [${props.join(", ")}]`,
        );
        break;
      case "VECTOR":
        if (!atLeast(5, 15)) {
          skip("vector indexes need Neo4j 5.15 or later");
          continue;
        }
        statement = withOptions(
          `CREATE VECTOR INDEX ${name} IF NOT EXISTS FOR ${
            entityPattern(node, labels, "e")
          } ON (${props.join(", ")})`,
        );
        break;
      case "LOOKUP":
        statements.push({
          name: i.name,
          kind: "index",
          type: i.type,
          cypher: `CREATE LOOKUP INDEX ${name} IF NOT EXISTS FOR ${
            node ? "(e) ON EACH labels(e)" : "()-[e]-() ON EACH type(e)"
          }`,
          params: {},
          lookup: i.entityType,
        });
        continue;
      default:
        skip(`this tool cannot recreate ${i.type} indexes`);
        continue;
    }
    statements.push({
      name: i.name,
      kind: "index",
      type: i.type,
      ...statement,
    });
  }
  return { statements, skipped };
}

function entityPattern(
  node: boolean,
  labels: string[],
  variable: string,
): string {
  const names = labels.map(escapeName).join(":");
  return node ? `(${variable}:${names})` : `()-[${variable}:${names}]-()`;
}

/** The index configuration worth passing on, or undefined when there is none. */
function indexConfig(options: JsonObject): JsonObject | undefined {
  const config = options.indexConfig;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return undefined;
  }
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== null) kept[key] = value as JsonValue;
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}
