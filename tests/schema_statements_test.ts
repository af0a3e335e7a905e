import { deepEqual } from "node:assert/strict";
import type { ServerInfo } from "../lib/_server_info.ts";
import type {
  ConstraintDefinition,
  IndexDefinition,
  Schema,
} from "../lib/format/manifest.ts";
import { schemaStatements } from "../lib/import/_schema_statements.ts";

function server(version: string): ServerInfo {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return {
    address: "localhost:7687",
    database: "neo4j",
    databaseId: null,
    version,
    major,
    minor,
    edition: "community",
  };
}

function index(type: string): IndexDefinition {
  return {
    name: `by name`,
    type,
    entityType: "NODE",
    labelsOrTypes: ["Person"],
    properties: ["name"],
    owningConstraint: null,
    options: {},
    createStatement: null,
  };
}

Deno.test("schemaStatements() picks the index type the target's planner uses", async (t) => {
  const cases: [string, string, string | undefined, string][] = [
    // [index type in the backup, target version, source version, created type]
    ["RANGE", "4.4.48", "4.4.48", "RANGE"],
    ["BTREE", "4.4.48", "4.4.48", "BTREE"],
    ["RANGE", "4.4.48", "5.26.30", "BTREE"],
    ["RANGE", "4.4.48", undefined, "BTREE"],
    ["BTREE", "5.26.30", "4.4.48", "RANGE"],
    ["RANGE", "5.26.30", "4.4.48", "RANGE"],
    ["RANGE", "2025.12.1", "5.26.30", "RANGE"],
  ];
  for (const [type, target, source, created] of cases) {
    await t.step(
      `${type} from ${
        source ?? "an unknown version"
      } into ${target}: ${created}`,
      () => {
        const { statements, skipped } = schemaStatements(
          { constraints: [], indexes: [index(type)] },
          server(target),
          source ? { sourceVersion: source } : {},
        );
        deepEqual(skipped, []);
        deepEqual(
          statements.map((s) => s.cypher),
          [
            `CREATE ${created} INDEX \`by name\` IF NOT EXISTS FOR (e:\`Person\`) ON (e.\`name\`)`,
          ],
        );
      },
    );
  }
});

/** The settings 4.4 reports for a btree index (every spatial.* key), with some bounds changed. */
function btreeConfig(
  changed: { [key: string]: number[] } = {},
): { [key: string]: number[] } {
  return {
    "spatial.cartesian.min": [-1000000.0, -1000000.0],
    "spatial.cartesian.max": [1000000.0, 1000000.0],
    "spatial.cartesian-3d.min": [-1000000.0, -1000000.0, -1000000.0],
    "spatial.cartesian-3d.max": [1000000.0, 1000000.0, 1000000.0],
    "spatial.wgs-84.min": [-180.0, -90.0],
    "spatial.wgs-84.max": [180.0, 90.0],
    "spatial.wgs-84-3d.min": [-180.0, -90.0, -1000000.0],
    "spatial.wgs-84-3d.max": [180.0, 90.0, 1000000.0],
    ...changed,
  };
}

const CUSTOM_BTREE = btreeConfig({
  "spatial.cartesian.min": [-100.0, -100.0],
  "spatial.cartesian.max": [100.0, 100.0],
  "spatial.wgs-84.min": [-10.0, -20.0],
  "spatial.wgs-84.max": [10.0, 20.0],
  "spatial.cartesian-3d.min": [-5.0, -5.0, -5.0],
  "spatial.cartesian-3d.max": [5.0, 5.0, 5.0],
});

function constraint(
  type: string,
  options: ConstraintDefinition["options"],
): ConstraintDefinition {
  return {
    name: "unique loc",
    type,
    entityType: "NODE",
    labelsOrTypes: ["Place"],
    properties: ["loc"],
    propertyType: null,
    options,
    createStatement: null,
  };
}

/** The index 4.4 reports for a constraint (its options are also the constraint's). */
function ownedIndex(options: IndexDefinition["options"]): IndexDefinition {
  return {
    ...index("BTREE"),
    name: "unique loc",
    labelsOrTypes: ["Place"],
    properties: ["loc"],
    owningConstraint: "unique loc",
    options,
  };
}

Deno.test("schemaStatements() keeps 4.4's btree settings into 4.4 only", async (t) => {
  const btreeIndex: IndexDefinition = {
    ...index("BTREE"),
    options: { indexProvider: "native-btree-1.0", indexConfig: CUSTOM_BTREE },
  };
  const run = (
    schema: Schema,
    target: string,
    /** null: a backup without a manifest (no source version). */
    source: string | null = "4.4.48",
  ): { cypher: string; params: Record<string, unknown> }[] => {
    const { statements, skipped } = schemaStatements(
      schema,
      server(target),
      source ? { sourceVersion: source } : {},
    );
    deepEqual(skipped, []);
    return statements.map(({ cypher, params }) => ({ cypher, params }));
  };

  await t.step(
    "a BTREE index with spatial settings into 4.4 keeps them all",
    () => {
      for (const source of ["4.4.48", null]) {
        deepEqual(
          run({ constraints: [], indexes: [btreeIndex] }, "4.4.48", source),
          [{
            cypher:
              "CREATE BTREE INDEX `by name` IF NOT EXISTS FOR (e:`Person`) ON (e.`name`) OPTIONS $options",
            params: {
              options: {
                indexProvider: "native-btree-1.0",
                indexConfig: CUSTOM_BTREE,
              },
            },
          }],
        );
      }
    },
  );

  await t.step(
    "a BTREE index of the older lucene+native-3.0 provider into 4.4 keeps it",
    () => {
      const lucene: IndexDefinition = {
        ...btreeIndex,
        options: {
          indexProvider: "lucene+native-3.0",
          indexConfig: btreeConfig(),
        },
      };
      deepEqual(run({ constraints: [], indexes: [lucene] }, "4.4.48"), [{
        cypher:
          "CREATE BTREE INDEX `by name` IF NOT EXISTS FOR (e:`Person`) ON (e.`name`) OPTIONS $options",
        params: {
          options: {
            indexProvider: "lucene+native-3.0",
            indexConfig: btreeConfig(),
          },
        },
      }]);
    },
  );

  await t.step("spatial bounds held as integers go as floats", () => {
    const integers: IndexDefinition = {
      ...btreeIndex,
      options: {
        indexConfig: {
          "spatial.cartesian.min": [-100n, -100n],
          "spatial.cartesian.max": [100n, 100.5],
        },
      },
    };
    const [statement] = run({ constraints: [], indexes: [integers] }, "4.4.48");
    deepEqual(statement!.params, {
      options: {
        indexConfig: {
          "spatial.cartesian.min": [-100, -100],
          "spatial.cartesian.max": [100, 100.5],
        },
      },
    });
  });

  for (const target of ["5.26.30", "2025.12.1"]) {
    await t.step(
      `a BTREE index with spatial settings into ${target}: a RANGE index without them`,
      () => {
        deepEqual(run({ constraints: [], indexes: [btreeIndex] }, target), [{
          cypher:
            "CREATE RANGE INDEX `by name` IF NOT EXISTS FOR (e:`Person`) ON (e.`name`)",
          params: {},
        }]);
      },
    );
  }

  await t.step(
    "a 5.x RANGE index into 4.4: a BTREE index with the target's defaults",
    () => {
      const range: IndexDefinition = {
        ...index("RANGE"),
        options: { indexProvider: "range-1.0", indexConfig: {} },
      };
      for (const source of ["5.26.30", null]) {
        deepEqual(
          run({ constraints: [], indexes: [range] }, "4.4.48", source),
          [{
            cypher:
              "CREATE BTREE INDEX `by name` IF NOT EXISTS FOR (e:`Person`) ON (e.`name`)",
            params: {},
          }],
        );
      }
    },
  );

  const uniqueOptions = {
    indexProvider: "native-btree-1.0",
    indexConfig: CUSTOM_BTREE,
  };
  const cases: [string, string, string][] = [
    ["UNIQUENESS", "IS UNIQUE", "a uniqueness constraint"],
    ["NODE_KEY", "IS NODE KEY", "a node key constraint"],
  ];
  for (const [type, predicate, what] of cases) {
    await t.step(`${what} with btree settings into 4.4 keeps them all`, () => {
      deepEqual(
        run({
          constraints: [constraint(type, uniqueOptions)],
          indexes: [ownedIndex(uniqueOptions)],
        }, "4.4.48"),
        [{
          cypher:
            `CREATE CONSTRAINT \`unique loc\` IF NOT EXISTS FOR (e:\`Place\`) REQUIRE (e.\`loc\`) ${predicate} OPTIONS $options`,
          params: { options: uniqueOptions },
        }],
      );
    });

    for (const target of ["5.26.30", "2025.12.1"]) {
      await t.step(
        `${what} with btree settings into ${target}: none of them`,
        () => {
          deepEqual(
            run({
              constraints: [constraint(type, uniqueOptions)],
              indexes: [ownedIndex(uniqueOptions)],
            }, target),
            [{
              cypher:
                `CREATE CONSTRAINT \`unique loc\` IF NOT EXISTS FOR (e:\`Place\`) REQUIRE (e.\`loc\`) ${predicate}`,
              params: {},
            }],
          );
        },
      );
    }
  }

  await t.step(
    "a constraint without options of its own takes its index's into 4.4",
    () => {
      deepEqual(
        run({
          constraints: [constraint("UNIQUENESS", {})],
          indexes: [ownedIndex(uniqueOptions)],
        }, "4.4.48"),
        [{
          cypher:
            "CREATE CONSTRAINT `unique loc` IF NOT EXISTS FOR (e:`Place`) REQUIRE (e.`loc`) IS UNIQUE OPTIONS $options",
          params: { options: uniqueOptions },
        }],
      );
    },
  );

  await t.step(
    "a 4.4 constraint backed by a range index stays so in 4.4",
    () => {
      const range = { indexProvider: "range-1.0", indexConfig: {} };
      deepEqual(
        run({
          constraints: [constraint("UNIQUENESS", range)],
          indexes: [{ ...ownedIndex(range), type: "RANGE" }],
        }, "4.4.48"),
        [{
          cypher:
            "CREATE CONSTRAINT `unique loc` IF NOT EXISTS FOR (e:`Place`) REQUIRE (e.`loc`) IS UNIQUE OPTIONS $options",
          params: { options: { indexProvider: "range-1.0" } },
        }],
      );
    },
  );

  await t.step(
    "a 5.x constraint (range index) into 4.4 gets the target's default",
    () => {
      const range = { indexProvider: "range-1.0", indexConfig: {} };
      for (const source of ["5.26.30", null]) {
        deepEqual(
          run(
            {
              constraints: [constraint("UNIQUENESS", range)],
              indexes: [{ ...ownedIndex(range), type: "RANGE" }],
            },
            "4.4.48",
            source,
          ),
          [{
            cypher:
              "CREATE CONSTRAINT `unique loc` IF NOT EXISTS FOR (e:`Place`) REQUIRE (e.`loc`) IS UNIQUE",
            params: {},
          }],
        );
      }
    },
  );
});
