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
import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import neo4j from "neo4j-driver";
import { parseJson } from "../lib/codec/parse_json.ts";
import { stringifyJson } from "../lib/codec/stringify_json.ts";
import type { Properties } from "../lib/codec/types.ts";
import type { BackupError } from "../lib/errors.ts";
import { openBackup } from "../lib/format/backup_reader.ts";
import { DataFileWriter } from "../lib/format/data_file_writer.ts";
import {
  type ConstraintDefinition,
  type IndexDefinition,
  type Manifest,
  readManifest,
  writeManifest,
} from "../lib/format/manifest.ts";
import type { BackupRecord } from "../lib/format/record.ts";
import { RecordStringifyStream } from "../lib/format/record_stringify_stream.ts";
import {
  jsonToRecord,
  recordToJson,
  stringifyRecord,
} from "../lib/format/_record_json.ts";
import { parsePythonRecord } from "../lib/format/_python_record.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";
import { snapshotBackup } from "./_backup.ts";
import {
  diffSnapshots,
  type GraphSnapshot,
  renderNode,
  renderRelationship,
  renderValue,
} from "./_graph.ts";
import {
  HASHED_TEXT,
  NAMES,
  props,
  pythonRecord,
  sha256,
  withTempDir,
  writePythonBackup,
} from "./_prototype_names.ts";

/** The names the issue lists; the runtime's own list is tested, and must hold them all. */
const LISTED = [
  "constructor",
  "__proto__",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
];

/**
 * Runs `work` (synchronous, so that nothing else runs meanwhile) with `Object.prototype`'s
 * `__proto__` accessor as the standard defines it (ECMA-262 B.2.2.1): reading gives the
 * prototype, assigning an object or null sets it.
 */
function withStandardProto<T>(work: () => T): T {
  const original = Object.getOwnPropertyDescriptor(
    Object.prototype,
    "__proto__",
  );
  Object.defineProperty(Object.prototype, "__proto__", {
    configurable: true,
    enumerable: false,
    get(this: unknown): unknown {
      return Object.getPrototypeOf(Object(this));
    },
    set(this: unknown, proto: unknown): void {
      if (typeof this !== "object" || this === null) return;
      if (typeof proto !== "object" && typeof proto !== "function") return;
      if (!Reflect.setPrototypeOf(this, proto)) {
        throw new TypeError("Cannot set the prototype");
      }
    },
  });
  try {
    // The accessor is the standard one: an assignment sets the prototype.
    const probe: { [key: string]: unknown } = {};
    probe["__proto__"] = [];
    ok(Array.isArray(Object.getPrototypeOf(probe)));
    return work();
  } finally {
    if (original) {
      Object.defineProperty(Object.prototype, "__proto__", original);
    } else delete (Object.prototype as { __proto__?: unknown }).__proto__;
  }
}

/** Checks that `properties` holds exactly `expected` as own properties of a plain object. */
function assertProperties(
  properties: Properties,
  expected: Properties,
): void {
  equal(Object.getPrototypeOf(properties), Object.prototype);
  deepEqual(Object.keys(properties).sort(), Object.keys(expected).sort());
  for (const key of Object.keys(expected)) {
    ok(Object.hasOwn(properties, key), `own property ${key}`);
    equal(renderValue(properties[key]), renderValue(expected[key]), key);
  }
}

Deno.test("the names tested are every name Object.prototype has", () => {
  for (const name of LISTED) ok(NAMES.includes(name), name);
});

Deno.test("parsePythonRecord() reads every Object.prototype name as a property key, label and type", async (t) => {
  for (const name of NAMES) {
    await t.step(name, () => {
      const key = JSON.stringify(name);
      const check = (): void => {
        // Plain values with hash_props {} (1.0.0), and without it (before 0.4.0).
        for (const hash of [', "hash_props": {}', ""]) {
          const node = parsePythonRecord(
            `{"node_id": 1, "node_labels": ${
              JSON.stringify(`${name}:Other`)
            }, "node_props": {${key}: 42, "other": [1.5, NaN]}${hash}}`,
            "node",
          );
          equal(node.kind, "node");
          deepEqual(node.kind === "node" && node.labels, [name, "Other"]);
          assertProperties(
            node.properties,
            props([name, 42n], ["other", [1.5, NaN]]),
          );
        }
        // A hashed string under the name, and a decoded value.
        const hashed = parsePythonRecord(
          `{"node_id": 2, "node_labels": ${key}, "node_props": {${key}: "${
            sha256(HASHED_TEXT)
          }", "d": "$date('2021-02-03')"}, "hash_props": {${key}: ${
            JSON.stringify(HASHED_TEXT)
          }}}`,
          "node",
        );
        deepEqual(hashed.kind === "node" && hashed.labels, [name]);
        assertProperties(
          hashed.properties,
          props(
            [name, HASHED_TEXT],
            ["d", new neo4j.types.Date(2021, 2, 3)],
          ),
        );
        const relationship = parsePythonRecord(
          `{"rel_id": 0, "start_node_id": 1, "end_node_id": 2, "rel_type": ${key}, "rel_props": {${key}: "$date('2021-02-03')"}, "hash_props": {}}`,
          "relationship",
        );
        equal(relationship.kind === "relationship" && relationship.type, name);
        assertProperties(
          relationship.properties,
          props([name, new neo4j.types.Date(2021, 2, 3)]),
        );
      };
      check();
      withStandardProto(check);
    });
  }
});

Deno.test("parsePythonRecord() refuses hash_props naming an Object.prototype member the record does not hold", async (t) => {
  for (const name of NAMES) {
    await t.step(name, () => {
      throws(
        () =>
          parsePythonRecord(
            `{"node_id": 1, "node_labels": "", "node_props": {"x": 1}, "hash_props": {${
              JSON.stringify(name)
            }: ${JSON.stringify(HASHED_TEXT)}}}`,
            "node",
          ),
        new RegExp(
          `hash_props holds "${name.replaceAll("$", "\\$")}", which node_props`,
        ),
      );
    });
  }
});

Deno.test("records of this tool's format keep every Object.prototype name as a property key, label and type, read and written", async (t) => {
  for (const name of NAMES) {
    await t.step(name, () => {
      const node: BackupRecord = {
        kind: "node",
        id: 1n,
        labels: [name, "Other"],
        properties: props(
          [name, [1n, 2n]],
          ["d", new neo4j.types.Date(2021n, 2n, 3n)],
        ),
      };
      const relationship: BackupRecord = {
        kind: "relationship",
        id: 0n,
        type: name,
        startId: 1n,
        endId: 1n,
        properties: props([name, "text"], ["f", NaN]),
      };
      const check = (): void => {
        for (const record of [node, relationship]) {
          const texts = [
            stringifyRecord(record),
            stringifyRecord(record, 2),
            stringifyJson(recordToJson(record)),
          ];
          for (const text of texts) {
            ok(text.includes(`${JSON.stringify(name)}:`), text);
            const back = jsonToRecord(parseJson(text), record.kind);
            equal(back.kind, record.kind);
            if (back.kind === "node" && record.kind === "node") {
              deepEqual(back.labels, record.labels);
            }
            if (
              back.kind === "relationship" && record.kind === "relationship"
            ) {
              equal(back.type, record.type);
            }
            assertProperties(back.properties, record.properties);
          }
          const json = recordToJson(record);
          const written = (json.node_props ?? json.rel_props) as object;
          equal(Object.getPrototypeOf(written), Object.prototype);
          ok(Object.hasOwn(written, name), `recordToJson() keeps ${name}`);
        }
      };
      check();
      withStandardProto(check);
    });
  }
});

/** The records of a small graph whose names are all `name`. */
function namedRecords(
  name: string,
): { nodes: BackupRecord[]; relationships: BackupRecord[] } {
  return {
    nodes: [
      { kind: "node", id: 0n, labels: [name], properties: props([name, 42n]) },
      {
        kind: "node",
        id: 1n,
        labels: [name, "Other"],
        properties: props([name, HASHED_TEXT], ["other", 1n]),
      },
      { kind: "node", id: 2n, labels: [], properties: props([name, [1.5]]) },
    ],
    relationships: [
      {
        kind: "relationship",
        id: 0n,
        type: name,
        startId: 0n,
        endId: 1n,
        properties: props([name, true]),
      },
      {
        kind: "relationship",
        id: 1n,
        type: name,
        startId: 1n,
        endId: 2n,
        properties: props([name, new Int8Array([1, -1])]),
      },
    ],
  };
}

/** The canonical snapshot of records (as tests/_backup.ts renders a backup). */
function snapshotRecords(
  nodes: BackupRecord[],
  relationships: BackupRecord[],
): GraphSnapshot {
  const byId = new Map<bigint, string>();
  const renderedNodes = nodes.map((node) => {
    const rendered = renderNode(
      node.kind === "node" ? node.labels : [],
      node.properties,
    );
    byId.set(node.id, rendered);
    return rendered;
  });
  const renderedRelationships = relationships.map((r) =>
    r.kind === "relationship"
      ? renderRelationship(
        byId.get(r.startId)!,
        r.type,
        r.properties,
        byId.get(r.endId)!,
      )
      : ""
  );
  const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return {
    nodes: renderedNodes.sort(order),
    relationships: renderedRelationships.sort(order),
  };
}

/** The schema of a backup whose names are all `name`, options keyed by it too. */
function namedSchema(
  name: string,
): { constraints: ConstraintDefinition[]; indexes: IndexDefinition[] } {
  const options = {
    indexProvider: "range-1.0",
    indexConfig: Object.fromEntries([[name, 1.5]]),
  };
  return {
    constraints: [{
      name,
      type: "UNIQUENESS",
      entityType: "NODE",
      labelsOrTypes: [name],
      properties: [name],
      propertyType: null,
      options,
      createStatement: null,
    }],
    indexes: [{
      name,
      type: "RANGE",
      entityType: "NODE",
      labelsOrTypes: [name],
      properties: [name],
      owningConstraint: name,
      options,
      createStatement: null,
    }],
  };
}

/** Writes a backup of this tool's format with the format writers, small files, honest manifest. */
async function writeNativeBackup(
  dir: string,
  name: string,
  labelSetCounts?: Manifest["counts"]["labelSets"],
): Promise<Manifest> {
  const { nodes, relationships } = namedRecords(name);
  const files = [];
  for (
    const [kind, records] of [
      ["nodes", nodes],
      ["relationships", relationships],
    ] as const
  ) {
    const writer = new DataFileWriter(dir, kind, {
      fileSize: 40,
      worker: false,
    });
    await ReadableStream.from([records])
      .pipeThrough(new RecordStringifyStream())
      .pipeTo(writer);
    files.push(...writer.files);
  }
  const manifest: Manifest = {
    format: "neo4j-backup",
    formatVersion: 1,
    tool: { name: "neo4j-backup", version: "0", runtime: "test", driver: "" },
    source: {
      address: "",
      database: "neo4j",
      databaseId: null,
      version: "5.26.0",
      edition: "community",
    },
    startedAt: "",
    finishedAt: "",
    compressed: true,
    counts: {
      nodes: nodes.length,
      relationships: relationships.length,
      labelSets: labelSetCounts ?? [
        { labels: [], count: 1 },
        { labels: [name, "Other"].sort(), count: 1 },
        { labels: [name], count: 1 },
      ],
      relationshipTypes: [{ type: name, count: relationships.length }],
    },
    files,
    schema: namedSchema(name),
    consistency: {
      writesDetected: false,
      schemaChanged: false,
      nodesAtStart: 3,
      nodesAtEnd: 3,
      relationshipsAtStart: 2,
      relationshipsAtEnd: 2,
    },
    selection: null,
  };
  await writeManifest(dir, manifest);
  return manifest;
}

Deno.test("verifyBackup() accepts every Object.prototype name as a property key, label, type and schema name (this tool's format)", async (t) => {
  for (const name of NAMES) {
    await t.step(name, async () => {
      await withTempDir(async (dir) => {
        const manifest = await writeNativeBackup(dir, name);
        ok(manifest.files.length > 2, "several data files");
        deepEqual(await readManifest(dir), manifest);
        const read = await readManifest(dir);
        ok(
          Object.hasOwn(
            read.schema.constraints[0]!.options.indexConfig as object,
            name,
          ),
        );
        for (const workers of [0, 2]) {
          const counts = await verifyBackup(dir, { workers });
          equal(counts.nodes, 3);
          equal(counts.relationships, 2);
          equal(counts.files, manifest.files.length);
        }
        const { nodes, relationships } = namedRecords(name);
        deepEqual(
          diffSnapshots(
            await snapshotBackup(dir),
            snapshotRecords(nodes, relationships),
          ),
          [],
        );
      });
      // The counts are compared by name: a manifest that counts wrong for it is refused.
      await withTempDir(async (dir) => {
        await writeNativeBackup(dir, name, [
          { labels: [], count: 1 },
          { labels: [name, "Other"].sort(), count: 0 },
          { labels: [name], count: 2 },
        ]);
        await rejects(
          verifyBackup(dir),
          (e: BackupError) =>
            e.code === "INVALID_BACKUP" &&
            /the backup holds \d nodes labelled .*; the manifest says \d/
              .test(e.message),
        );
      });
    });
  }
});

Deno.test("verifyBackup() accepts every Object.prototype name as a property key, label, type and constraint name (Python tool's format)", async (t) => {
  for (const [i, name] of NAMES.entries()) {
    await t.step(name, async () => {
      await withTempDir(async (dir) => {
        const key = JSON.stringify(name);
        await writePythonBackup(dir, {
          compressed: i % 2 === 0,
          nodes: [
            pythonRecord(
              `"node_id": 10, "node_labels": ${key}`,
              [[name, "42"]],
              [],
            ),
            pythonRecord(
              `"node_id": 11, "node_labels": ${
                JSON.stringify(`${name}:Other`)
              }`,
              [[name, JSON.stringify(sha256(HASHED_TEXT))], ["other", "1"]],
              [[name, HASHED_TEXT]],
            ),
            pythonRecord(
              `"node_id": 12, "node_labels": ""`,
              [[name, "[1.5]"]],
              [],
            ),
          ],
          relationships: [
            pythonRecord(
              `"rel_id": 0, "start_node_id": 10, "end_node_id": 11, "rel_type": ${key}`,
              [[name, "true"]],
              [],
            ),
            pythonRecord(
              `"rel_id": 1, "start_node_id": 11, "end_node_id": 12, "rel_type": ${key}`,
              [[name, JSON.stringify("$date('2021-02-03')")]],
              [],
            ),
          ],
          constraints: [{
            node_label: name,
            node_prop: name,
            constraint_name: name,
          }],
        });
        const counts = await verifyBackup(dir);
        equal(counts.nodes, 3);
        equal(counts.relationships, 2);
        equal(counts.files, 4);
        const backup = await openBackup(dir);
        equal(backup.format, "python");
        deepEqual(
          backup.schema.constraints.map((c) => [
            c.name,
            c.labelsOrTypes,
            c.properties,
          ]),
          [[name, [name], [name]]],
        );
        const nodes: BackupRecord[] = [
          {
            kind: "node",
            id: 10n,
            labels: [name],
            properties: props([name, 42n]),
          },
          {
            kind: "node",
            id: 11n,
            labels: [name, "Other"],
            properties: props([name, HASHED_TEXT], ["other", 1n]),
          },
          {
            kind: "node",
            id: 12n,
            labels: [],
            properties: props([name, [1.5]]),
          },
        ];
        const relationships: BackupRecord[] = [
          {
            kind: "relationship",
            id: 0n,
            type: name,
            startId: 10n,
            endId: 11n,
            properties: props([name, true]),
          },
          {
            kind: "relationship",
            id: 1n,
            type: name,
            startId: 11n,
            endId: 12n,
            properties: props([name, new neo4j.types.Date(2021n, 2n, 3n)]),
          },
        ];
        deepEqual(
          diffSnapshots(
            await snapshotBackup(dir),
            snapshotRecords(nodes, relationships),
          ),
          [],
        );
      });
    });
  }
});
