/**
 * Index options through a whole round trip on a real server: created, extracted with the
 * Extractor, imported with the Importer into the wiped database, and compared as `SHOW INDEXES`
 * and `SHOW CONSTRAINTS` report them. On 4.x: the providers and `spatial.*` settings of btree
 * indexes and of the btree indexes behind uniqueness (and, on Enterprise, node key)
 * constraints. On 5.x and later: range and point index options and a constraint's provider.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { escapeName as e } from "../lib/_cypher.ts";
import { readServerInfo } from "../lib/_server_info.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { type Manifest, readManifest } from "../lib/format/manifest.ts";
import { Importer } from "../lib/import/importer.ts";
import { diffSnapshots, snapshotSchema } from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

const SERVER = await (async () => {
  await using driver = await openDriver();
  return await readServerInfo(driver, (await testTarget()).database);
})();
const V4 = SERVER.major === 4;

/** A schema statement to create on the source, its options as `$options`. */
interface Spec {
  cypher: string;
  options?: Record<string, unknown>;
}

/** What `SHOW INDEXES` and `SHOW CONSTRAINTS` report, lookup indexes aside, sorted by name. */
interface Shown {
  indexes: Record<string, unknown>[];
  constraints: Record<string, unknown>[];
}

async function show(
  driver: Awaited<ReturnType<typeof openDriver>>,
  database: string | undefined,
): Promise<Shown> {
  const rows = async (query: string): Promise<Record<string, unknown>[]> =>
    (await driver.executeQuery(query, {}, { database })).records
      .map((r) => r.toObject())
      .filter((r) => r.type !== "LOOKUP")
      .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    indexes: await rows(
      "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, options",
    ),
    constraints: await rows(
      "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties, options",
    ),
  };
}

/**
 * Creates the specs (and a few nodes they index) in the wiped database under test, extracts it,
 * wipes it, imports the backup and checks that the schema came back as it was, options
 * included. Returns the schema as the source reported it and the backup's manifest.
 */
async function roundTrip(
  specs: Spec[],
): Promise<{ source: Shown; manifest: Manifest }> {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  for (const spec of specs) {
    await driver.executeQuery(spec.cypher, { options: spec.options ?? {} }, {
      database,
    });
  }
  await driver.executeQuery(
    "CREATE (:Place {loc: point({x: 1.5, y: -2.5}), name: 'a', code: 1})" +
      "-[:NEAR {at: point({longitude: 1.0, latitude: 2.0})}]->" +
      "(:Place {loc: point({x: 3.0, y: 4.0, z: 5.0}), name: 'b', code: 2})",
    {},
    { database },
  );
  await driver.executeQuery("CALL db.awaitIndexes(300)", {}, { database });
  const source = await show(driver, database);
  const sourceSchema = await snapshotSchema(driver, database);
  const dir = await Deno.makeTempDir();
  try {
    await new Extractor({ projectDir: dir, driver, database }).extractData();
    const manifest = await readManifest(dir);
    await wipe(driver, database);
    deepEqual(await show(driver, database), { indexes: [], constraints: [] });

    const counts = await new Importer({ projectDir: dir, driver, database })
      .importData();
    deepEqual(counts.skipped, []);
    equal(counts.nodes, 2);
    deepEqual(await show(driver, database), source);
    deepEqual(
      diffSnapshots(sourceSchema, await snapshotSchema(driver, database)),
      [],
    );
    return { source, manifest };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The `options` a shown index or constraint has, by name. */
function optionsOf(
  rows: Record<string, unknown>[],
  name: string,
): { indexProvider: string; indexConfig: Record<string, unknown> } {
  const row = rows.find((r) => r.name === name);
  ok(row, `${name} is missing from ${JSON.stringify(rows.map((r) => r.name))}`);
  return row.options as {
    indexProvider: string;
    indexConfig: Record<string, unknown>;
  };
}

const BTREE_SETTINGS = {
  "spatial.cartesian.min": [-100.0, -100.0],
  "spatial.cartesian.max": [100.0, 100.0],
  "spatial.wgs-84.min": [-10.0, -20.0],
  "spatial.wgs-84.max": [10.0, 20.0],
  "spatial.cartesian-3d.min": [-5.0, -5.0, -5.0],
  "spatial.cartesian-3d.max": [5.0, 5.0, 5.0],
  "spatial.wgs-84-3d.min": [-30.0, -40.0, -50.0],
  "spatial.wgs-84-3d.max": [30.0, 40.0, 50.0],
};

Deno.test({
  name:
    "4.4 into 4.4 keeps the providers and spatial settings of btree indexes and of constraints' indexes" +
    (V4 ? "" : ` (needs a Neo4j 4.x server; this one is ${SERVER.version})`),
  ignore: !V4,
  async fn(): Promise<void> {
    const specs: Spec[] = [
      {
        cypher: `CREATE BTREE INDEX ${
          e("btree `spatial` loc")
        } FOR (n:Place) ON (n.loc) OPTIONS $options`,
        options: { indexConfig: BTREE_SETTINGS },
      },
      {
        cypher: `CREATE BTREE INDEX ${
          e("btree lucene name")
        } FOR (n:Place) ON (n.name) OPTIONS $options`,
        options: {
          indexProvider: "lucene+native-3.0",
          indexConfig: { "spatial.cartesian.min": [-1.0, -2.0] },
        },
      },
      {
        cypher: `CREATE BTREE INDEX ${
          e("btree near at")
        } FOR ()-[r:NEAR]-() ON (r.at) OPTIONS $options`,
        options: {
          indexConfig: {
            "spatial.wgs-84.min": [-90.0, -45.0],
            "spatial.wgs-84.max": [90.0, 45.0],
          },
        },
      },
      {
        cypher: `CREATE CONSTRAINT ${
          e("unique spot loc")
        } FOR (n:Spot) REQUIRE n.loc IS UNIQUE OPTIONS $options`,
        options: {
          indexProvider: "native-btree-1.0",
          indexConfig: {
            "spatial.cartesian.min": [-50.0, -50.0],
            "spatial.cartesian.max": [50.0, 50.0],
            "spatial.wgs-84-3d.min": [-1.0, -2.0, -3.0],
          },
        },
      },
      {
        cypher: `CREATE CONSTRAINT ${
          e("unique place code")
        } FOR (n:Place) REQUIRE n.code IS UNIQUE OPTIONS $options`,
        options: { indexProvider: "range-1.0" },
      },
      {
        cypher: `CREATE RANGE INDEX ${
          e("range place name")
        } FOR (n:Place) ON (n.name)`,
      },
      {
        cypher: `CREATE POINT INDEX ${
          e("point place loc")
        } FOR (n:Place) ON (n.loc) OPTIONS $options`,
        options: {
          indexConfig: {
            "spatial.cartesian.min": [-7.0, -7.0],
            "spatial.cartesian.max": [7.0, 7.0],
          },
        },
      },
    ];
    if (SERVER.edition === "enterprise") {
      specs.push({
        cypher: `CREATE CONSTRAINT ${
          e("key spot xy")
        } FOR (n:Spot) REQUIRE (n.x, n.y) IS NODE KEY OPTIONS $options`,
        options: {
          indexConfig: {
            "spatial.cartesian-3d.min": [-9.0, -9.0, -9.0],
            "spatial.cartesian-3d.max": [9.0, 9.0, 9.0],
          },
        },
      });
    }
    const { source, manifest } = await roundTrip(specs);

    // The source has the settings asked for, not the defaults...
    const btree = optionsOf(source.indexes, "btree `spatial` loc");
    equal(btree.indexProvider, "native-btree-1.0");
    for (const [key, value] of Object.entries(BTREE_SETTINGS)) {
      deepEqual(btree.indexConfig[key], value, key);
    }
    equal(
      optionsOf(source.indexes, "btree lucene name").indexProvider,
      "lucene+native-3.0",
    );
    const unique = optionsOf(source.constraints, "unique spot loc");
    deepEqual(unique.indexConfig["spatial.cartesian.max"], [50.0, 50.0]);
    deepEqual(unique.indexConfig["spatial.wgs-84-3d.min"], [-1.0, -2.0, -3.0]);
    equal(
      optionsOf(source.indexes, "unique place code").indexProvider,
      "range-1.0",
    );
    // ...the backup holds them, on the constraints as on the indexes...
    const inBackup = [
      ...manifest.schema.indexes,
      ...manifest.schema.constraints,
    ];
    for (const shown of [...source.indexes, ...source.constraints]) {
      const held = inBackup.find((d) =>
        d.name === shown.name && d.type === shown.type
      );
      ok(held, `${shown.name} (${shown.type}) is not in the backup`);
      deepEqual(held.options, shown.options, String(shown.name));
    }
    // ...and roundTrip() found them all back after the import.
  },
});

Deno.test({
  name:
    "5.x and later keep range and point index options and a constraint's provider" +
    (V4 ? ` (needs Neo4j 5 or later; this one is ${SERVER.version})` : ""),
  ignore: V4,
  async fn(): Promise<void> {
    const point = {
      "spatial.cartesian.min": [-100.0, -100.0],
      "spatial.cartesian.max": [100.0, 100.0],
      "spatial.cartesian-3d.min": [-5.0, -5.0, -5.0],
      "spatial.cartesian-3d.max": [5.0, 5.0, 5.0],
      "spatial.wgs-84.min": [-10.0, -20.0],
      "spatial.wgs-84.max": [10.0, 20.0],
      "spatial.wgs-84-3d.min": [-30.0, -40.0, -50.0],
      "spatial.wgs-84-3d.max": [30.0, 40.0, 50.0],
    };
    const { source, manifest } = await roundTrip([
      {
        cypher: `CREATE RANGE INDEX ${
          e("range `place` name")
        } FOR (n:Place) ON (n.name) OPTIONS $options`,
        options: { indexProvider: "range-1.0" },
      },
      {
        cypher: `CREATE POINT INDEX ${
          e("point place loc")
        } FOR (n:Place) ON (n.loc) OPTIONS $options`,
        options: { indexConfig: point },
      },
      {
        cypher: `CREATE POINT INDEX ${
          e("point near at")
        } FOR ()-[r:NEAR]-() ON (r.at) OPTIONS $options`,
        options: {
          indexConfig: {
            "spatial.wgs-84.min": [-90.0, -45.0],
            "spatial.wgs-84.max": [90.0, 45.0],
          },
        },
      },
      {
        cypher: `CREATE CONSTRAINT ${
          e("unique place code")
        } FOR (n:Place) REQUIRE n.code IS UNIQUE OPTIONS $options`,
        options: { indexProvider: "range-1.0" },
      },
    ]);
    const config = optionsOf(source.indexes, "point place loc").indexConfig;
    for (const [key, value] of Object.entries(point)) {
      deepEqual(config[key], value, key);
    }
    deepEqual(
      manifest.schema.indexes.find((i) => i.name === "point place loc")
        ?.options,
      optionsOf(source.indexes, "point place loc"),
    );
  },
});
