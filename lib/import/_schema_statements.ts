import { setOwn } from "../codec/_own.ts";
import { escapeName } from "../_cypher.ts";
import type { ServerInfo } from "../_server_info.ts";
import type { JsonObject, JsonValue } from "../codec/types.ts";
import type {
  ConstraintDefinition,
  IndexDefinition,
  Schema,
} from "../format/manifest.ts";

/** Something of the backup's schema the target cannot have, and why. */
export interface SkippedSchema {
  /** The constraint's or index's name. */
  name: string;
  /** Whether it is a constraint or an index. */
  kind: "constraint" | "index";
  /** Its type, as the source reported it (e.g. `NODE_KEY`, `VECTOR`). */
  type: string;
  /** Why the target did not take it (the server's message, or this tool's). */
  reason: string;
}

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
  const target: Target = {
    v44: server.major === 4,
    fromV4: /^4\./.test(options.sourceVersion ?? ""),
    atLeast: (major, minor) =>
      server.major > major || (server.major === major && server.minor >= minor),
    ownedIndexOptions: new Map(),
  };
  // 4.4 reports a constraint's index options on the constraint too, but a backup may hold them
  // only on the index the constraint owns.
  for (const i of schema.indexes) {
    if (i.owningConstraint !== null) {
      target.ownedIndexOptions.set(i.owningConstraint, i.options);
    }
  }
  const statements: SchemaStatement[] = [];
  const skipped: SkippedSchema[] = [];
  const add = (
    item: { name: string; type: string },
    kind: SkippedSchema["kind"],
    statement: SchemaStatement | string,
  ): void => {
    if (typeof statement !== "string") statements.push(statement);
    else {skipped.push({
        name: item.name,
        kind,
        type: item.type,
        reason: statement,
      });}
  };
  for (const c of schema.constraints) {
    add(c, "constraint", constraintStatement(c, target));
  }
  for (const i of schema.indexes) {
    if (i.owningConstraint === null) add(i, "index", indexStatement(i, target));
  }
  return { statements, skipped };
}

/** What the statements depend on of the target server and the backup's source. */
interface Target {
  /** The target is Neo4j 4.x. */
  v44: boolean;
  /** The backup comes from Neo4j 4.x. */
  fromV4: boolean;
  /** Whether the target is at least `major.minor`. */
  atLeast: (major: number, minor: number) => boolean;
  /** Options of the index each constraint owns, by constraint name. */
  ownedIndexOptions: Map<string, JsonObject>;
}

/** The statement that creates constraint `c`, or why the target cannot have it. */
function constraintStatement(
  c: ConstraintDefinition,
  target: Target,
): SchemaStatement | string {
  const node = c.entityType === "NODE";
  const predicate = constraintPredicate(c, target);
  if (typeof predicate === "string") return predicate;
  // The backing index's options: its configuration only ever holds the spatial settings of
  // 4.4's btree indexes. Into 4.4 they are kept, and so is a 4.x backup's provider (it decides
  // between a btree and a range index there). From 5.0 on, constraints are backed by range
  // indexes, which have no settings (5.x refuses the statement with them: "contains spatial
  // config settings options"; and native-btree-1.0: "Invalid index type b-tree"): the
  // statement gets no OPTIONS, the settings and 4.4's provider are dropped without being
  // reported in `skipped`, and the target's defaults apply.
  const indexOptions = target.v44 && predicate.indexBacked
    ? btreeOptions(
      hasIndexOptions(c.options)
        ? c.options
        : target.ownedIndexOptions.get(c.name) ?? {},
      target.fromV4,
    )
    : undefined;
  return {
    name: c.name,
    kind: "constraint",
    type: c.type,
    ...withOptions(
      `CREATE CONSTRAINT ${escapeName(c.name)} IF NOT EXISTS FOR ${
        entityPattern(node, c.labelsOrTypes, "e")
      } REQUIRE ${predicate.cypher}`,
      indexOptions,
    ),
  };
}

/** The `REQUIRE` part of constraint `c`, and whether an index backs it; or why not. */
function constraintPredicate(
  c: ConstraintDefinition,
  target: Target,
): { cypher: string; indexBacked: boolean } | string {
  const node = c.entityType === "NODE";
  const props = c.properties.map((p) => `e.${escapeName(p)}`);
  const tuple = `(${props.join(", ")})`;
  if (c.type.includes("UNIQUENESS")) {
    if (!node && !target.atLeast(5, 7)) {
      return "relationship uniqueness constraints need Neo4j 5.7 or later";
    }
    return { cypher: `${tuple} IS UNIQUE`, indexBacked: true };
  }
  if (c.type.includes("KEY")) {
    if (!node && !target.atLeast(5, 7)) {
      return "relationship key constraints need Neo4j 5.7 or later";
    }
    return {
      cypher: `${tuple} IS ${node ? "NODE" : "RELATIONSHIP"} KEY`,
      indexBacked: true,
    };
  }
  if (c.type.includes("EXISTENCE") && props.length === 1) {
    return { cypher: `${props[0]} IS NOT NULL`, indexBacked: false };
  }
  if (c.type.includes("PROPERTY_TYPE") && props.length === 1) {
    if (!c.propertyType || !/^[A-Z0-9 <>|,_]+$/.test(c.propertyType)) {
      return `unrecognised property type ${JSON.stringify(c.propertyType)}`;
    }
    return {
      cypher: `${props[0]} IS :: ${c.propertyType}`,
      indexBacked: false,
    };
  }
  return `this tool cannot recreate ${c.type} constraints`;
}

/** The statement that creates index `i` (one no constraint owns), or why the target cannot. */
function indexStatement(
  i: IndexDefinition,
  target: Target,
): SchemaStatement | string {
  const node = i.entityType === "NODE";
  const name = escapeName(i.name);
  const labels = i.labelsOrTypes ?? [];
  const props = (i.properties ?? []).map((p) => `e.${escapeName(p)}`);
  const on = `FOR ${entityPattern(node, labels, "e")} ON (${props.join(", ")})`;
  const config = indexConfig(i.options);
  const configOptions = config ? { indexConfig: config } : undefined;
  const base = { name: i.name, kind: "index", type: i.type } as const;
  switch (i.type) {
    case "RANGE":
    case "BTREE":
      return {
        ...base,
        ...rangeIndex(i, target, `${name} IF NOT EXISTS ${on}`),
      };
    case "TEXT":
      return {
        ...base,
        ...withOptions(`CREATE TEXT INDEX ${name} IF NOT EXISTS ${on}`),
      };
    case "POINT":
      return {
        ...base,
        ...withOptions(
          `CREATE POINT INDEX ${name} IF NOT EXISTS ${on}`,
          configOptions,
        ),
      };
    case "FULLTEXT": {
      const names = labels.map(escapeName).join("|");
      return {
        ...base,
        ...withOptions(
          `CREATE FULLTEXT INDEX ${name} IF NOT EXISTS FOR ${
            node ? `(e:${names})` : `()-[e:${names}]-()`
          } ON EACH [${props.join(", ")}]`,
          configOptions,
        ),
      };
    }
    case "VECTOR":
      if (!target.atLeast(5, 15)) {
        return "vector indexes need Neo4j 5.15 or later";
      }
      return {
        ...base,
        ...withOptions(
          `CREATE VECTOR INDEX ${name} IF NOT EXISTS ${on}`,
          configOptions,
        ),
      };
    case "LOOKUP":
      return {
        ...base,
        cypher: `CREATE LOOKUP INDEX ${name} IF NOT EXISTS FOR ${
          node ? "(e) ON EACH labels(e)" : "()-[e]-() ON EACH type(e)"
        }`,
        params: {},
        lookup: i.entityType,
      };
    default:
      return `this tool cannot recreate ${i.type} indexes`;
  }
}

/**
 * A range index, or on 4.4 a btree index: a btree index's spatial settings (and provider) are
 * kept into 4.4. From 5.0 on a btree index becomes a range index, which has no settings (5.x
 * refuses the statement with them: "contains spatial config settings options"; and with 4.4's
 * btree providers: "Invalid index type b-tree"): it gets no OPTIONS, its spatial settings and
 * provider are dropped without being reported in `skipped`, and the target's defaults apply.
 * Range indexes have no settings anywhere.
 */
function rangeIndex(
  i: IndexDefinition,
  target: Target,
  rest: string,
): Pick<SchemaStatement, "cypher" | "params"> {
  const btree = target.v44 && !(target.fromV4 && i.type === "RANGE");
  return withOptions(
    `CREATE ${btree ? "BTREE" : "RANGE"} INDEX ${rest}`,
    btree ? btreeOptions(i.options, false) : undefined,
  );
}

/** A statement's Cypher and parameters, with `OPTIONS $options` when there are options. */
function withOptions(
  cypher: string,
  options?: JsonObject,
): Pick<SchemaStatement, "cypher" | "params"> {
  return options
    ? { cypher: `${cypher} OPTIONS $options`, params: { options } }
    : { cypher, params: {} };
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
