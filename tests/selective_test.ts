/**
 * Selective backup and restore on a real server: a selective extract, and a selective import of
 * a full backup, each give the graph (and schema) of the source with everything the selection
 * leaves out deleted, value for value; schema-only and data-only round trips; renames; names
 * that match nothing; and the server reads by label scans, not a scan of every node.
 *
 * @module
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import type { Driver } from "neo4j-driver";
import { escapeName as e } from "../lib/_cypher.ts";
import { readServerInfo } from "../lib/_server_info.ts";
import { BackupError } from "../lib/errors.ts";
import {
  nodeQueries,
  relationshipQueries,
} from "../lib/extract/_selected_queries.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { readManifest } from "../lib/format/manifest.ts";
import { type Selection, Selector } from "../lib/format/selection.ts";
import { type ImportCounts, Importer } from "../lib/import/importer.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";
import {
  diffSnapshots,
  type GraphSnapshot,
  type SchemaSnapshot,
  snapshotGraph,
  snapshotSchema,
} from "./_graph.ts";
import { connectionEnv, runOk } from "./_cli.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

const { database } = await testTarget();
const SERVER = await (async () => {
  await using driver = await openDriver();
  return await readServerInfo(driver, database);
})();
const V4 = SERVER.major === 4;
const WEIRD = "We`ird \\u0060 label";

/** A source graph with overlapping labels, several types and a schema on each. */
async function loadSource(driver: Driver): Promise<void> {
  await wipe(driver, database);
  const run = (cypher: string, params: Record<string, unknown> = {}) =>
    driver.executeQuery(cypher, params, { database });
  await run(
    `UNWIND range(0, 59) AS i
     CREATE (n {i: i, name: 'n' + i, score: toFloat(i) / 3, tags: ['a', toString(i)]})
     FOREACH (_ IN CASE WHEN i % 3 = 0 THEN [1] ELSE [] END | SET n:Person)
     FOREACH (_ IN CASE WHEN i % 4 = 0 THEN [1] ELSE [] END | SET n:Movie)
     FOREACH (_ IN CASE WHEN i % 5 = 0 THEN [1] ELSE [] END | SET n:Bot)
     FOREACH (_ IN CASE WHEN i % 7 = 0 THEN [1] ELSE [] END | SET n:${e(WEIRD)})
     RETURN count(*)`,
  );
  await run(
    `MATCH (a), (b) WHERE b.i = (a.i * 7 + 3) % 60
     CREATE (a)-[:ACTED_IN {role: 'r' + a.i, year: a.i + 1900}]->(b)`,
  );
  await run(
    `MATCH (a), (b) WHERE b.i = (a.i + 1) % 60
     CREATE (a)-[:FOLLOWS {since: date('2020-01-01') + duration({days: a.i})}]->(b)`,
  );
  await run(
    `MATCH (a), (b) WHERE a.i % 2 = 0 AND b.i = (a.i * 11) % 60
     CREATE (a)-[:LIKES {w: a.i * 0.5}]->(b)`,
  );
  for (
    const statement of [
      `CREATE INDEX person_name FOR (n:Person) ON (n.name)`,
      `CREATE CONSTRAINT movie_i FOR (n:Movie) REQUIRE n.i IS UNIQUE`,
      `CREATE INDEX bot_score FOR (n:Bot) ON (n.score)`,
      `CREATE INDEX weird_name FOR (n:${e(WEIRD)}) ON (n.name)`,
      `CREATE INDEX follows_since FOR ()-[r:FOLLOWS]-() ON (r.since)`,
      `CREATE INDEX likes_w FOR ()-[r:LIKES]-() ON (r.w)`,
      `CREATE FULLTEXT INDEX person_movie_text FOR (n:Person|Movie) ON EACH [n.name]`,
    ]
  ) await run(statement);
  await run("CALL db.awaitIndexes(300)");
}

/**
 * Deletes from the database what `selection` leaves out: the nodes not selected (with their
 * relationships), the relationships of other types, the constraints and indexes whose labels or
 * types are not all selected; everything for data or schema left out.
 */
async function deleteUnselected(
  driver: Driver,
  selection: Selection,
): Promise<void> {
  const selector = new Selector(selection);
  const run = (cypher: string, params: Record<string, unknown> = {}) =>
    driver.executeQuery(cypher, params, { database });
  const { records: nodes } = await run(
    "MATCH (n) RETURN id(n) AS id, labels(n) AS labels",
  );
  const drop = nodes.filter((r) => !selector.node(r.get("labels")))
    .map((r) => r.get("id"));
  await run("MATCH (n) WHERE id(n) IN $ids DETACH DELETE n", { ids: drop });
  const { records: types } = await run(
    "MATCH ()-[r]->() RETURN DISTINCT type(r) AS type",
  );
  const dropTypes = types.map((r) => r.get("type") as string)
    .filter((t) => !selector.type(t));
  await run("MATCH ()-[r]->() WHERE type(r) IN $types DELETE r", {
    types: dropTypes,
  });
  const schema = await snapshotSchema(driver, database);
  const kept = selector.selectSchema({
    constraints: schema.constraints.map((c) => ({
      ...c,
      propertyType: null,
      options: {},
      createStatement: null,
    })),
    indexes: schema.indexes.map((i) => ({
      ...i,
      options: {},
      createStatement: null,
    })),
  } as never);
  const keepNames = new Set(
    [...kept.constraints, ...kept.indexes].map((x) => x.name),
  );
  for (const c of schema.constraints) {
    if (!keepNames.has(c.name)) await run(`DROP CONSTRAINT ${e(c.name)}`);
  }
  for (const i of schema.indexes) {
    if (!keepNames.has(i.name) && i.owningConstraint === null) {
      await run(`DROP INDEX ${e(i.name)}`);
    }
  }
}

interface State {
  graph: GraphSnapshot;
  schema: SchemaSnapshot;
}

async function snapshot(driver: Driver): Promise<State> {
  return {
    graph: await snapshotGraph(driver, database),
    schema: await snapshotSchema(driver, database),
  };
}

function assertSame(actual: State, expected: State, what: string): void {
  const differences = [
    ...diffSnapshots(actual.graph, expected.graph),
    ...diffSnapshots(actual.schema, expected.schema),
  ];
  deepEqual(differences, [], `${what}: ${differences.slice(0, 5).join("\n")}`);
}

async function importInto(
  driver: Driver,
  projectDir: string,
  options: Partial<ConstructorParameters<typeof Importer>[0]> = {},
): Promise<ImportCounts> {
  await wipe(driver, database);
  return await new Importer({ projectDir, driver, database, ...options })
    .importData();
}

const CASES: { name: string; selection: Selection }[] = [
  {
    name: "labels, an excluded label and types",
    selection: {
      labels: ["Person"],
      excludeLabels: ["Bot"],
      types: ["ACTED_IN", "FOLLOWS"],
    },
  },
  {
    name: "excluded labels and an excluded type",
    selection: { excludeLabels: ["Movie"], excludeTypes: ["LIKES"] },
  },
  {
    name: "two labels, one a name that needs escaping",
    selection: { labels: [WEIRD, "Movie"] },
  },
  { name: "schema only", selection: { data: false } },
  { name: "data only", selection: { schema: false } },
  {
    name: "the schema of one label only",
    selection: { labels: ["Person"], data: false },
  },
  {
    name: "only types",
    selection: { types: ["LIKES"], schema: false },
  },
];

Deno.test("a selective extract and a selective import of a full backup give the source with everything else deleted", async (t) => {
  await using driver = await openDriver();
  await loadSource(driver);
  const root = await Deno.makeTempDir({ prefix: "selective-" });
  try {
    const full = `${root}/full`;
    await new Extractor({ projectDir: full, driver, database }).extractData();
    for (const { name, selection } of CASES) {
      await t.step(name, async () => {
        // The expected state: the source, restored, with what is left out deleted.
        await importInto(driver, full);
        const dir = `${root}/${CASES.findIndex((c) => c.name === name)}`;
        const extracted = await new Extractor({
          projectDir: dir,
          driver,
          database,
          ...selection,
        }).extractData();
        const keptTypes = await driver.executeQuery(
          "MATCH ()-[r]->() WHERE type(r) IN $types RETURN count(r) AS c",
          {
            types: ["ACTED_IN", "FOLLOWS", "LIKES"].filter((type) =>
              new Selector(selection).type(type)
            ),
          },
          { database },
        );
        await deleteUnselected(driver, selection);
        const expected = await snapshot(driver);
        const remaining = Number(
          (await driver.executeQuery(
            "MATCH ()-[r]->() RETURN count(r) AS c",
            {},
            { database },
          )).records[0]!.get("c"),
        );
        const leftOut = Number(keptTypes.records[0]!.get("c")) - remaining;
        equal(extracted.nodes, expected.graph.nodes.length);
        equal(extracted.relationships, expected.graph.relationships.length);
        equal(extracted.relationshipsLeftOut, leftOut);

        const manifest = await readManifest(dir);
        const selector = new Selector(selection);
        deepEqual(manifest.selection, selector.toRecord(leftOut));
        await verifyBackup(dir);

        const fromSelective = await importInto(driver, dir);
        equal(fromSelective.nodes, extracted.nodes);
        assertSame(
          await snapshot(driver),
          expected,
          "import of the selective backup",
        );

        const fromFull = await importInto(driver, full, selection);
        equal(fromFull.nodes, extracted.nodes);
        equal(fromFull.relationships, extracted.relationships);
        equal(fromFull.relationshipsLeftOut, leftOut);
        assertSame(
          await snapshot(driver),
          expected,
          "selective import of the full backup",
        );
      });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("an import renames labels and types, in the data and in the schema", async () => {
  await using driver = await openDriver();
  await loadSource(driver);
  const source = await snapshot(driver);
  const root = await Deno.makeTempDir({ prefix: "rename-" });
  try {
    await new Extractor({ projectDir: root, driver, database }).extractData();
    // What the renamed import must give: the source, renamed in Cypher.
    await driver.executeQuery(
      "MATCH (n:Person) SET n:Human REMOVE n:Person",
      {},
      { database },
    );
    await driver.executeQuery(
      `MATCH (n:Bot) SET n:Human REMOVE n:Bot`,
      {},
      { database },
    );
    await driver.executeQuery(
      `MATCH (a)-[r:ACTED_IN]->(b) CREATE (a)-[s:PLAYED]->(b) SET s = properties(r) DELETE r`,
      {},
      { database },
    );
    const renamedGraph = await snapshotGraph(driver, database);
    const rename = (name: string): string =>
      name === "Person" || name === "Bot"
        ? "Human"
        : name === "ACTED_IN"
        ? "PLAYED"
        : name;
    const renamedSchema: SchemaSnapshot = {
      constraints: source.schema.constraints.map((c) => ({
        ...c,
        labelsOrTypes: c.labelsOrTypes && c.labelsOrTypes.map(rename),
      })),
      indexes: source.schema.indexes.map((i) => ({
        ...i,
        labelsOrTypes: i.labelsOrTypes && i.labelsOrTypes.map(rename),
      })),
    } as SchemaSnapshot;
    const counts = await importInto(driver, root, {
      renameLabels: { Person: "Human", Bot: "Human" },
      renameTypes: { ACTED_IN: "PLAYED" },
    });
    equal(counts.nodes, source.graph.nodes.length);
    assertSame(
      await snapshot(driver),
      { graph: renamedGraph, schema: renamedSchema },
      "renamed import",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("names that match nothing are reported, by the extract and by the import", async () => {
  await using driver = await openDriver();
  await loadSource(driver);
  const root = await Deno.makeTempDir({ prefix: "unmatched-" });
  try {
    const extracted = await new Extractor({
      projectDir: root,
      driver,
      database,
      labels: ["Person", "Persn"],
      excludeTypes: ["LIKEZ"],
    }).extractData();
    deepEqual(extracted.unmatched, { labels: ["Persn"], types: ["LIKEZ"] });
    const imported = await importInto(driver, root, {
      labels: ["Movie"],
      types: ["ACTED_IN", "NOPE"],
    });
    // The backup holds Person nodes only: those that are also Movies are there, the label
    // Movie too; NOPE is nowhere.
    deepEqual(imported.unmatched, { labels: [], types: ["NOPE"] });
    const nothing = await importInto(driver, root, { labels: ["Nope"] });
    equal(nothing.nodes, 0);
    deepEqual(nothing.unmatched, { labels: ["Nope"], types: [] });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a selective import resumes only with the selection it started with", async () => {
  await using driver = await openDriver();
  await loadSource(driver);
  const root = await Deno.makeTempDir({ prefix: "resume-selective-" });
  try {
    const dir = `${root}/backup`;
    const journal = `${root}/import.journal`;
    await new Extractor({ projectDir: dir, driver, database }).extractData();
    const selection: Selection = {
      excludeLabels: ["Bot"],
      types: ["FOLLOWS", "ACTED_IN"],
    };
    await importInto(driver, dir, selection);
    const expected = await snapshot(driver);

    await wipe(driver, database);
    const abort = new AbortController();
    await rejects(
      new Importer({
        projectDir: dir,
        driver,
        database,
        journal,
        batchSize: 5,
        ...selection,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.phase === "relationships" && p.done >= 10) abort.abort();
        },
      }).importData(),
    );
    await rejects(
      new Importer({
        projectDir: dir,
        driver,
        database,
        journal,
        resume: true,
        excludeLabels: ["Bot"],
      }).importData(),
      (error: unknown) =>
        error instanceof BackupError && error.code === "RESUME" &&
        /another selection/.test(error.message),
    );
    const resumed = await new Importer({
      projectDir: dir,
      driver,
      database,
      journal,
      resume: true,
      batchSize: 5,
      ...selection,
    }).importData();
    ok(resumed.resumed);
    assertSame(await snapshot(driver), expected, "resumed selective import");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a selection by labels reads by label scans, not every node", async (t) => {
  await using driver = await openDriver();
  await loadSource(driver);
  const operators = async (
    text: string,
    parameters = {},
  ): Promise<string[]> => {
    const { summary } = await driver.executeQuery(
      `EXPLAIN ${text}`,
      parameters,
      { database },
    );
    const found: string[] = [];
    const walk = (
      plan: { operatorType: string; children: unknown[] },
    ): void => {
      found.push(plan.operatorType.replace(/@.*$/, ""));
      for (const child of plan.children) walk(child as typeof plan);
    };
    walk(summary.plan as never);
    return found;
  };
  const selector = new Selector({
    labels: ["Person", WEIRD],
    excludeLabels: ["Bot"],
    excludeTypes: ["LIKES"],
  });
  for (
    const [kind, queries] of [
      ["nodes", nodeQueries(selector)],
      ["relationships", relationshipQueries(selector)],
    ] as const
  ) {
    await t.step(kind, async () => {
      equal(queries.length, 2);
      for (const query of queries) {
        const plan = await operators(query.text, query.parameters);
        ok(
          plan.some((op) => /LabelScan|LabelsScan/.test(op)),
          `${query.text}: ${plan.join(", ")}`,
        );
        ok(
          !plan.some((op) => /AllNodesScan/.test(op)),
          `${query.text}: ${plan.join(", ")}`,
        );
      }
    });
  }
  if (!V4) {
    await t.step("types alone: a relationship type scan", async () => {
      const [query] = relationshipQueries(new Selector({ types: ["LIKES"] }));
      const plan = await operators(query!.text, query!.parameters);
      ok(!plan.some((op) => /AllNodesScan/.test(op)), plan.join(", "));
    });
  }
});

Deno.test("main() extracts and imports a selection, warns of a name that matches nothing, and lists what the backup holds", async () => {
  await using driver = await openDriver();
  await loadSource(driver);
  const env = connectionEnv(await testTarget());
  const root = await Deno.makeTempDir({ prefix: "selective-cli-" });
  try {
    const dir = `${root}/people`;
    const extracted = await runOk([
      "extract",
      dir,
      "--label",
      "Person",
      "--label",
      "Persn",
      "--exclude-type",
      "LIKES",
    ], env);
    match(
      extracted.stderr,
      /^warning: --label "Persn" matches no node in the database$/m,
    );
    match(
      extracted.stdout,
      /relationships left out because an endpoint was not selected/,
    );
    const listed = await runOk(["list", dir, "--json"], env);
    const listing = JSON.parse(listed.stdout);
    deepEqual(listing.selection.labels, ["Person", "Persn"]);
    deepEqual(listing.selection.excludeTypes, ["LIKES"]);
    await wipe(driver, database);
    const imported = await runOk([
      "import",
      dir,
      "--data-only",
      "--rename-label",
      "Person=Human",
      "--type",
      "NOPE",
      "--type",
      "ACTED_IN",
    ], env);
    match(
      imported.stderr,
      /^warning: --type "NOPE" matches no relationship in the backup$/m,
    );
    const { records } = await driver.executeQuery(
      "MATCH (n:Human) WITH count(n) AS humans MATCH (:Human)-[r]->(:Human) RETURN humans, count(r) AS rels, collect(DISTINCT type(r)) AS types",
      {},
      { database },
    );
    equal(Number(records[0]!.get("humans")), 20);
    deepEqual(records[0]!.get("types"), ["ACTED_IN"]);
    const schema = await snapshotSchema(driver, database);
    equal(schema.indexes.length + schema.constraints.length, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
