/**
 * Names are data: a property key, label, relationship type or schema name may be any name that
 * `Object.prototype` has (`constructor`, `__proto__`, `toString`, `valueOf`, `hasOwnProperty`...),
 * and must never be taken for the inherited member of that name (issue 12, point 10: a Python
 * backup whose nodes have a property `constructor` failed with `hash_props "constructor" is not
 * a string`, its `hash_props` being `{}`), nor `__proto__` for the prototype.
 *
 * Every name of `Object.prototype` is tried as a property key, a label, a relationship type and
 * a schema name, in both formats (this tool's, written by its format writers and its Extractor;
 * the Python neo4j-backup 1.0.0's, written here in a temporary directory as that tool writes
 * it): records read and written, `verifyBackup()` without a server, and round trips through a
 * real Neo4j (extract, import, compare value for value).
 *
 * Deno's `__proto__` accessor does not set the prototype (it makes an own property) unless Deno
 * runs with `--unsafe-proto`; JavaScript runtimes that follow the standard (Node.js, Bun,
 * browsers) set it. The record readers and writers are also run with the standard accessor
 * installed, so that `object["__proto__"] = value` anywhere on their way fails here as it would
 * there.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import neo4j, { type Driver, isDate, isPoint } from "neo4j-driver";
import { escapeName } from "../lib/_cypher.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { readManifest } from "../lib/format/manifest.ts";
import { type ImportCounts, Importer } from "../lib/import/importer.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";
import { snapshotBackup } from "./_backup.ts";
import {
  diffSnapshots,
  type GraphSnapshot,
  quote,
  renderNode,
  renderValue,
  snapshotGraph,
  snapshotSchema,
  tokenSnapshot,
} from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

import {
  HASHED_TEXT,
  NAMES,
  props,
  pythonRecord,
  sha256,
  withTempDir,
  writePythonBackup,
} from "./_prototype_names.ts";

const n = escapeName;

/**
 * For each name: two nodes labelled with it (one also `Other`), an unlabelled node and an
 * `Other` node, each with a property of that name (an integer, a string the Python tool hashes,
 * a list of floats, a Date), two relationships of that type with a property of that name (a
 * boolean, a Point), a uniqueness constraint of that name on that label and key, and an index
 * on that relationship type and key.
 */
async function createNamedGraph(
  driver: Driver,
  database: string | undefined,
): Promise<void> {
  for (const [i, name] of NAMES.entries()) {
    await driver.executeQuery(
      `CREATE (a:${n(name)} {${n(name)}: $int})
       CREATE (b:${n(name)}:Other {${n(name)}: $text, other: $i})
       CREATE (c {${n(name)}: $floats, i: $i})
       CREATE (d:Other {${n(name)}: date($day), i: $i})
       CREATE (a)-[:${n(name)} {${n(name)}: true}]->(b)
       CREATE (b)-[:${n(name)} {${n(name)}: point({x: $x, y: $y})}]->(c)
       CREATE (c)-[:Other {${n(name)}: $i}]->(d)`,
      {
        int: 42n,
        text: HASHED_TEXT,
        i: BigInt(i),
        floats: [1.5, 2.5],
        day: "2021-02-03",
        x: 1.5,
        y: -2.0,
      },
      { database },
    );
    await driver.executeQuery(
      `CREATE CONSTRAINT ${n(name)} FOR (x:${n(name)}) REQUIRE x.${
        n(name)
      } IS UNIQUE`,
      {},
      { database },
    );
    await driver.executeQuery(
      `CREATE INDEX ${n(`rel ${name}`)} FOR ()-[r:${n(name)}]-() ON (r.${
        n(name)
      })`,
      {},
      { database },
    );
  }
  await driver.executeQuery("CALL db.awaitIndexes(300)", {}, { database });
}

/** A Python float literal of a float (only the plain ones this test writes). */
function pythonFloat(value: number): string {
  if (
    !Number.isFinite(value) || Object.is(value, -0) || Math.abs(value) >= 1e16
  ) {
    throw new RangeError(`pythonFloat(${value}) is not needed here`);
  }
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** A property value as the Python tool writes it (the types this test's graph holds). */
function pythonValue(value: unknown): string {
  if (typeof value === "bigint") return String(value);
  if (typeof value === "number") return pythonFloat(value);
  if (typeof value === "string" || typeof value === "boolean") {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(pythonValue).join(", ")}]`;
  if (isDate(value)) return JSON.stringify(`$date('${value.toString()}')`);
  if (isPoint(value) && Number(value.srid) === 7203) {
    return JSON.stringify(
      `$point({x: ${pythonFloat(value.x)}, y: ${
        pythonFloat(value.y)
      }, crs: 'cartesian'})`,
    );
  }
  throw new TypeError(`pythonValue(${renderValue(value)}) is not needed here`);
}

/** The properties of a record as the Python tool writes them: literal-like strings hashed. */
function pythonProperties(
  properties: { [key: string]: unknown },
): { encoded: [string, string][]; hashed: [string, string][] } {
  const encoded: [string, string][] = [];
  const hashed: [string, string][] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (
      typeof value === "string" &&
      /^\$(point|date|time|datetime|duration)\(/.test(value)
    ) {
      encoded.push([key, JSON.stringify(sha256(value))]);
      hashed.push([key, value]);
    } else {
      encoded.push([key, pythonValue(value)]);
    }
  }
  return { encoded, hashed };
}

/**
 * Extracts a database as the Python neo4j-backup 1.0.0 does (its records, value encoding,
 * hashed strings, labels joined with `:`, and its list of single-property node uniqueness
 * constraints), into a Python backup directory.
 */
async function pythonExtract(
  driver: Driver,
  database: string | undefined,
  dir: string,
): Promise<void> {
  const read = async (query: string) =>
    (await driver.executeQuery(query, {}, {
      database,
      routing: neo4j.routing.READ,
    })).records;
  const nodes = (await read(
    "MATCH (n) RETURN id(n) AS id, labels(n) AS labels, properties(n) AS props",
  )).map((r) => {
    const { encoded, hashed } = pythonProperties(r.get("props"));
    return pythonRecord(
      `"node_id": ${r.get("id")}, "node_labels": ${
        JSON.stringify((r.get("labels") as string[]).join(":"))
      }`,
      encoded,
      hashed,
    );
  });
  const relationships = (await read(
    "MATCH (a)-[r]->(b) RETURN id(a) AS start, id(b) AS end, type(r) AS type, properties(r) AS props",
  )).map((r, i) => {
    const { encoded, hashed } = pythonProperties(r.get("props"));
    return pythonRecord(
      `"rel_id": ${i}, "start_node_id": ${r.get("start")}, "end_node_id": ${
        r.get("end")
      }, "rel_type": ${JSON.stringify(r.get("type"))}`,
      encoded,
      hashed,
    );
  });
  const constraints = (await read(
    "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties " +
      "WHERE type IN ['UNIQUENESS', 'NODE_PROPERTY_UNIQUENESS'] AND entityType = 'NODE' " +
      "RETURN name, labelsOrTypes, properties",
  )).filter((r) =>
    r.get("labelsOrTypes").length === 1 && r.get("properties").length === 1
  ).map((r) => ({
    node_label: r.get("labelsOrTypes")[0] as string,
    node_prop: r.get("properties")[0] as string,
    constraint_name: r.get("name") as string,
  }));
  await writePythonBackup(dir, {
    compressed: true,
    nodes,
    relationships,
    constraints,
  });
}

/** Checks, name by name, what a restored graph holds of the names (see createNamedGraph). */
async function checkNames(
  t: Deno.TestContext,
  graph: GraphSnapshot,
  schema: Awaited<ReturnType<typeof snapshotSchema>>,
  indexes: boolean,
): Promise<void> {
  for (const name of NAMES) {
    await t.step(name, () => {
      const label = `:${quote(name)}`;
      const key = `${quote(name)}: `;
      const a = renderNode([name], props([name, 42n]));
      ok(graph.nodes.includes(a), `${a} in ${graph.nodes.join("\n")}`);
      const b = graph.nodes.filter((node) =>
        node.includes(label) &&
        node.includes(`${key}${renderValue(HASHED_TEXT)}`)
      );
      equal(b.length, 1, `the node ${name}:Other with the hashed string`);
      ok(
        graph.nodes.some((node) =>
          node.startsWith("({") && node.includes(`${key}List[Float(1.5)`)
        ),
        `an unlabelled node with ${name}`,
      );
      ok(
        graph.nodes.some((node) => node.includes(`${key}Date(2021-02-03)`)),
        `a node with a Date under ${name}`,
      );
      const relationships = graph.relationships.filter((r) =>
        r.includes(`-[${label} {${key}`)
      );
      equal(relationships.length, 2, `relationships of type ${name}`);
      ok(relationships.some((r) => r.includes(`${key}Boolean(true)`)));
      ok(relationships.some((r) => r.includes(`${key}Point(7203,1.5,-2.0)`)));
      const constraint = schema.constraints.find((c) => c.name === name);
      deepEqual(
        constraint && [constraint.labelsOrTypes, constraint.properties],
        [[name], [name]],
        `constraint ${name}`,
      );
      const index = schema.indexes.find((i) => i.name === `rel ${name}`);
      if (indexes) {
        deepEqual(
          index && [index.entityType, index.labelsOrTypes, index.properties],
          ["RELATIONSHIP", [name], [name]],
          `index rel ${name}`,
        );
      } else {
        equal(index, undefined, "the Python format holds no index");
      }
    });
  }
}

/**
 * Verifies the backup in `dir` (it holds `source`), then imports it into the wiped database;
 * returns what the import did.
 */
async function verifyAndImport(
  driver: Driver,
  database: string | undefined,
  dir: string,
  source: GraphSnapshot,
): Promise<ImportCounts> {
  const verified = await verifyBackup(dir);
  equal(verified.nodes, source.nodes.length);
  equal(verified.relationships, source.relationships.length);
  deepEqual(diffSnapshots(source, await snapshotBackup(dir)), []);
  await wipe(driver, database);
  const counts = await new Importer({ projectDir: dir, driver, database })
    .importData();
  equal(counts.nodes, source.nodes.length);
  equal(counts.relationships, source.relationships.length);
  return counts;
}

Deno.test("Extractor and Importer round-trip every Object.prototype name as a property key, label, type and schema name (this tool's format)", async (t) => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await withTempDir(async (dir) => {
    await createNamedGraph(driver, database);
    const source = await snapshotGraph(driver, database);
    const sourceSchema = await snapshotSchema(driver, database);
    const sourceTokens = await tokenSnapshot(driver, database);
    await new Extractor({ projectDir: dir, driver, database }).extractData();
    const manifest = await readManifest(dir);
    for (const name of NAMES) {
      ok(
        manifest.counts.relationshipTypes.some((c) =>
          c.type === name && c.count === 2
        ),
        `manifest counts type ${name}`,
      );
      ok(
        manifest.counts.labelSets.some((s) =>
          s.count === 1 && s.labels.length === 1 && s.labels[0] === name
        ),
        `manifest counts label ${name}`,
      );
    }
    const counts = await verifyAndImport(driver, database, dir, source);
    deepEqual(counts.skipped, []);
    const graph = await snapshotGraph(driver, database);
    const schema = await snapshotSchema(driver, database);
    await checkNames(t, graph, schema, true);
    await t.step("the whole graph, schema and tokens", async () => {
      deepEqual(diffSnapshots(source, graph), []);
      deepEqual(diffSnapshots(sourceSchema, schema), []);
      const tokens = await tokenSnapshot(driver, database);
      deepEqual(tokens.labels, sourceTokens.labels);
      deepEqual(tokens.relationshipTypes, sourceTokens.relationshipTypes);
    });
  });
  await wipe(driver, database);
});

Deno.test("Importer restores every Object.prototype name as a property key, label, type and constraint name from a backup of the Python tool's format", async (t) => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await withTempDir(async (dir) => {
    await createNamedGraph(driver, database);
    const source = await snapshotGraph(driver, database);
    const sourceSchema = await snapshotSchema(driver, database);
    await pythonExtract(driver, database, dir);
    await verifyAndImport(driver, database, dir, source);
    const graph = await snapshotGraph(driver, database);
    const schema = await snapshotSchema(driver, database);
    await checkNames(t, graph, schema, false);
    await t.step("the whole graph and the constraints", () => {
      deepEqual(diffSnapshots(source, graph), []);
      // The Python format holds the uniqueness constraints only (and so their indexes).
      deepEqual(
        diffSnapshots({
          constraints: sourceSchema.constraints,
          indexes: sourceSchema.indexes.filter((i) =>
            i.owningConstraint !== null
          ),
        }, schema),
        [],
      );
    });
  });
  await wipe(driver, database);
});
