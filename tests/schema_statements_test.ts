import { deepEqual } from "node:assert/strict";
import type { ServerInfo } from "../lib/_server_info.ts";
import type { IndexDefinition } from "../lib/format/manifest.ts";
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
