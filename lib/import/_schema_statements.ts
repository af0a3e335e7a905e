import { setOwn } from "../codec/_own.ts";
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
 * (they differ between versions), except 4.4's own btree and range providers of a 4.x backup into
 * 4.4; index configuration (point bounds, analyzer, vector dimensions and similarity, and on 4.4
 * the spatial settings of btree indexes and of the btree indexes behind constraints) is kept. A
 * 4.4 backup into 4.4 keeps every index type; a later backup into 4.4 gets btree indexes for its
 * range indexes (4.4's planner uses only those); from 5.0 on, btree indexes become range indexes,
 * and the btree settings (of indexes and constraints alike) are dropped, as range indexes have
 * none.
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
  // 4.4 reports a constraint's index options on the constraint too, but a backup may hold them
  // only on the index the constraint owns.
  const ownedIndexOptions = new Map<string, JsonObject>();
  for (const i of indexes) {
    if (i.owningConstraint !== null) {
      ownedIndexOptions.set(i.owningConstraint, i.options);
    }
  }

  for (const c of constraints) {
    const skip = (reason: string): void => {
      skipped.push({ name: c.name, kind: "constraint", type: c.type, reason });
    };
    const node = c.entityType === "NODE";
    const pattern = entityPattern(node, c.labelsOrTypes, "e");
    const props = c.properties.map((p) => `e.${escapeName(p)}`);
    const tuple = `(${props.join(", ")})`;
    let predicate: string;
    let indexBacked = true;
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
      indexBacked = false;
    } else if (c.type.includes("PROPERTY_TYPE") && props.length === 1) {
      if (!c.propertyType || !/^[A-Z0-9 <>|,_]+$/.test(c.propertyType)) {
        skip(`unrecognised property type ${JSON.stringify(c.propertyType)}`);
        continue;
      }
      predicate = `${props[0]} IS :: ${c.propertyType}`;
      indexBacked = false;
    } else {
      skip(`this tool cannot recreate ${c.type} constraints`);
      continue;
    }
    // The backing index's options: its configuration only ever holds the spatial settings of
    // 4.4's btree indexes. Into 4.4 they are kept, and so is a 4.x backup's provider (it decides
    // between a btree and a range index there). From 5.0 on, constraints are backed by range
    // indexes, which have no settings (5.x refuses the statement with them: "contains spatial
    // config settings options"; and native-btree-1.0: "Invalid index type b-tree"): the
    // statement gets no OPTIONS, the settings and 4.4's provider are dropped without being
    // reported in `skipped`, and the target's defaults apply.
    const indexOptions = v44 && indexBacked
      ? btreeOptions(
        hasIndexOptions(c.options)
          ? c.options
          : ownedIndexOptions.get(c.name) ?? {},
        fromV4,
      )
      : undefined;
    const create = `CREATE CONSTRAINT ${
      escapeName(c.name)
    } IF NOT EXISTS FOR ${pattern} REQUIRE ${predicate}`;
    statements.push({
      name: c.name,
      kind: "constraint",
      type: c.type,
      ...(indexOptions
        ? {
          cypher: `${create} OPTIONS $options`,
          params: { options: indexOptions },
        }
        : { cypher: create, params: {} }),
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
      case "BTREE": {
        const btree = v44 && !(fromV4 && i.type === "RANGE");
        const create = `CREATE ${
          btree ? "BTREE" : "RANGE"
        } INDEX ${name} IF NOT EXISTS FOR ${
          entityPattern(node, labels, "e")
        } ON (${props.join(", ")})`;
        // A btree index's spatial settings (and provider) are kept into 4.4. From 5.0 on a btree
        // index becomes a range index, which has no settings (5.x refuses the statement with
        // them: "contains spatial config settings options"; and with 4.4's btree providers:
        // "Invalid index type b-tree"): it gets no OPTIONS, its spatial settings and provider are
        // dropped without being reported in `skipped`, and the target's defaults apply. Range
        // indexes have no settings anywhere.
        const btreeIndexOptions = btree
          ? btreeOptions(i.options, false)
          : undefined;
        statement = btreeIndexOptions
          ? {
            cypher: `${create} OPTIONS $options`,
            params: { options: btreeIndexOptions },
          }
          : { cypher: create, params: {} };
        break;
      }
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

/** 4.4's providers of btree indexes, both of which take the spatial settings. */
const BTREE_PROVIDERS: ReadonlySet<string> = new Set([
  "native-btree-1.0",
  "lucene+native-3.0",
]);

/** Whether schema options name a provider or a configuration at all. */
function hasIndexOptions(options: JsonObject): boolean {
  return (options.indexProvider ?? null) !== null ||
    (options.indexConfig ?? null) !== null;
}

/**
 * The `OPTIONS` for a 4.4 target of a btree index, or of the index behind a uniqueness or key
 * constraint: the index configuration (the `spatial.*` bounds of btree indexes), and the provider
 * when it is one of 4.4's btree providers or, from a 4.x backup (`rangeProvider`), `range-1.0`
 * (a 5.x backup's constraints all have range indexes: into 4.4 they get its default, btree). A
 * range provider goes without configuration, which 4.4 refuses for it. Undefined when there is
 * nothing to pass.
 */
function btreeOptions(
  options: JsonObject,
  rangeProvider: boolean,
): JsonObject | undefined {
  const provider = typeof options.indexProvider === "string"
    ? options.indexProvider
    : undefined;
  const result: JsonObject = {};
  if (provider !== undefined && BTREE_PROVIDERS.has(provider)) {
    result.indexProvider = provider;
  } else if (rangeProvider && provider === "range-1.0") {
    return { indexProvider: provider };
  }
  const config = indexConfig(options);
  if (config) result.indexConfig = config;
  return Object.keys(result).length > 0 ? result : undefined;
}

/**
 * The index configuration worth passing on, or undefined when there is none. The `spatial.*`
 * bounds go as floats: a backup written by hand may hold them as integers, which Neo4j refuses
 * ("Expected a map from String to Double[]").
 */
function indexConfig(options: JsonObject): JsonObject | undefined {
  const config = options.indexConfig;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return undefined;
  }
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === null) continue;
    setOwn(
      kept,
      key,
      key.startsWith("spatial.") && Array.isArray(value)
        ? value.map((n) => typeof n === "bigint" ? Number(n) : n)
        : value as JsonValue,
    );
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}
