import { escapeName, labelExpression } from "../_cypher.ts";
import neo4j, { type Driver } from "../_driver.ts";
import type { Selector } from "../format/selection.ts";

/** A query of the extract, with its parameters. */
export interface Query {
  text: string;
  parameters: Record<string, unknown>;
}

/**
 * The columns of a node row: id, labels, then its properties as two lists, keys and values in
 * the same order (see `RecordTally`: the driver builds no object for them). The map is made
 * once on the server (`p[k]` is a lookup in it; `n[k]` would read the node again per key).
 */
const NODE_COLUMNS =
  "WITH n, properties(n) AS p RETURN id(n) AS id, labels(n) AS labels, keys(p) AS keys, [k IN keys(p) | p[k]] AS values";
/** The columns of a relationship row: id, type, start, end, keys and values (as nodes'). */
const RELATIONSHIP_COLUMNS =
  "WITH a, r, b, properties(r) AS p RETURN id(r) AS id, type(r) AS type, id(a) AS start, id(b) AS end, keys(p) AS keys, [k IN keys(p) | p[k]] AS values";

/**
 * The queries that stream the selected nodes, together each node once: id, labels, properties.
 * Every node for no selection; for `labels`, one label scan per label, each leaving out the
 * nodes an earlier one returned, so that the server reads only labelled nodes (4.4.48 and 5.26
 * would plan `WHERE n:A OR n:B` as a union of label scans too; one plain scan per label keeps
 * the plan obvious, and anchors the relationship queries the same way); excluded labels filter
 * each.
 */
export function nodeQueries(selector: Selector): Query[] {
  if (!selector.data) return [];
  const exclude = notAny("n", selector.excludeLabels);
  if (selector.labels.length === 0) {
    return [{
      text: `MATCH (n)${where([exclude])} ${NODE_COLUMNS}`,
      parameters: {},
    }];
  }
  return selector.labels.map((label, i) => ({
    text: `MATCH (n${labelExpression([label])})${
      where([notAny("n", selector.labels.slice(0, i)), exclude])
    } ${NODE_COLUMNS}`,
    parameters: {},
  }));
}

/**
 * The queries that stream the selected relationships (both endpoints selected, the type
 * selected), each once: id, type, start id, end id, properties. With `labels`, one per label,
 * anchored on the start node's label scan as {@linkcode nodeQueries} is; included types go into
 * the pattern, excluded ones into a parameter.
 */
export function relationshipQueries(selector: Selector): Query[] {
  if (!selector.data) return [];
  const types = selector.types.length === 0
    ? ""
    : ":" + selector.types.map(escapeName).join("|");
  const parameters = selector.excludeTypes.length === 0
    ? {}
    : { excludeTypes: [...selector.excludeTypes] };
  const typeFilter = selector.excludeTypes.length === 0
    ? ""
    : "NOT type(r) IN $excludeTypes";
  const end = endpoint("b", selector);
  if (selector.labels.length === 0) {
    return [{
      text: `MATCH (a)-[r${types}]->(b)${
        where([endpoint("a", selector), end, typeFilter])
      } ${RELATIONSHIP_COLUMNS}`,
      parameters,
    }];
  }
  return selector.labels.map((label, i) => ({
    text: `MATCH (a${labelExpression([label])})-[r${types}]->(b)${
      where([
        notAny("a", selector.labels.slice(0, i)),
        notAny("a", selector.excludeLabels),
        end,
        typeFilter,
      ])
    } ${RELATIONSHIP_COLUMNS}`,
    parameters,
  }));
}

/**
 * The query of the nodes with ids in `[lo, hi)`: a seek per id (`NodeByIdSeek`, never a scan of
 * the store), the excluded labels filtered out. For a plan without a selection of labels.
 */
export function nodePartitionQuery(
  selector: Selector,
  lo: number,
  hi: number,
): Query {
  const exclude = notAny("n", selector.excludeLabels);
  return {
    text: `UNWIND range($lo, $hi - 1) AS i MATCH (n) WHERE id(n) = i${
      exclude ? ` AND ${exclude}` : ""
    } ${NODE_COLUMNS}`,
    parameters: { lo: BigInt(lo), hi: BigInt(hi) },
  };
}

/**
 * The query of the selected nodes among `ids` (ascending), for those of them in `[lo, hi)`: a
 * seek per id, the selection's labels filtered. The extract's check of endpoints reads with it
 * the nodes that appeared after their partition was read.
 */
export function nodesByIdQuery(
  selector: Selector,
  ids: readonly number[],
): Query {
  return {
    text: `UNWIND $ids AS i WITH i WHERE i >= $lo AND i < $hi MATCH (n) WHERE ${
      ["id(n) = i", endpoint("n", selector)].filter(Boolean).join(" AND ")
    } ${NODE_COLUMNS}`,
    parameters: {
      ids: ids.map(BigInt),
      lo: BigInt(ids[0] ?? 0),
      hi: BigInt((ids.at(-1) ?? -1) + 1),
    },
  };
}

/**
 * The query of the relationships with ids in `[lo, hi)`: a seek per id
 * (`DirectedRelationshipByIdSeek`), the type and the endpoints' excluded labels filtered. For a
 * plan without a selection of labels.
 */
export function relationshipPartitionQuery(
  selector: Selector,
  lo: number,
  hi: number,
): Query {
  const types = selector.types.length === 0
    ? ""
    : ":" + selector.types.map(escapeName).join("|");
  const conditions = [
    "id(r) = i",
    endpoint("a", selector),
    endpoint("b", selector),
    selector.excludeTypes.length === 0 ? "" : "NOT type(r) IN $excludeTypes",
  ];
  return {
    text: `UNWIND range($lo, $hi - 1) AS i MATCH (a)-[r${types}]->(b)${
      where(conditions)
    } ${RELATIONSHIP_COLUMNS}`,
    parameters: {
      lo: BigInt(lo),
      hi: BigInt(hi),
      ...(selector.excludeTypes.length === 0
        ? {}
        : { excludeTypes: [...selector.excludeTypes] }),
    },
  };
}

/**
 * How many relationships of the selected types the database holds (from the count store: no
 * scan), to tell how many a node selection leaves out.
 */
export async function countSelectedTypes(
  driver: Driver,
  database: string | undefined,
  selector: Selector,
  total: number,
): Promise<number> {
  const count = async (type: string): Promise<number> => {
    const { records } = await driver.executeQuery(
      `MATCH ()-[r${labelExpression([type])}]->() RETURN count(r) AS count`,
      {},
      { database, routing: neo4j.routing.READ },
    );
    return Number(records[0]?.get("count") ?? 0);
  };
  let sum = 0;
  if (selector.types.length > 0) {
    for (const type of selector.types) {
      if (!selector.excludeTypes.includes(type)) sum += await count(type);
    }
    return sum;
  }
  for (const type of selector.excludeTypes) sum += await count(type);
  return total - sum;
}

/** The labels and relationship types the database uses (for names selected that match none). */
export async function readTokens(
  driver: Driver,
  database: string | undefined,
): Promise<{ labels: string[]; types: string[] }> {
  const config = { database, routing: neo4j.routing.READ };
  const [labels, types] = await Promise.all([
    driver.executeQuery(
      "CALL db.labels() YIELD label RETURN label",
      {},
      config,
    ),
    driver.executeQuery(
      "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType",
      {},
      config,
    ),
  ]);
  return {
    labels: labels.records.map((r) => String(r.get(0))),
    types: types.records.map((r) => String(r.get(0))),
  };
}

/** The predicate that a node `v` is selected by its labels ("" when every node is). */
function endpoint(v: string, selector: Selector): string {
  const parts = [
    selector.labels.length === 0 ? "" : anyOf(v, selector.labels),
    notAny(v, selector.excludeLabels),
  ].filter(Boolean);
  return parts.join(" AND ");
}

/** `(v:A OR v:B)`. */
function anyOf(v: string, labels: readonly string[]): string {
  return `(${labels.map((l) => `${v}${labelExpression([l])}`).join(" OR ")})`;
}

/** `NOT (v:A OR v:B)` ("" for no labels). */
function notAny(v: string, labels: readonly string[]): string {
  return labels.length === 0 ? "" : `NOT ${anyOf(v, labels)}`;
}

function where(conditions: string[]): string {
  const parts = conditions.filter(Boolean);
  return parts.length === 0 ? "" : ` WHERE ${parts.join(" AND ")}`;
}
