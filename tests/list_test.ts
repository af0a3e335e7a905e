/**
 * `listBackup()` and `neo4j-backup list`: what a backup holds, from its manifest alone (or, for a
 * backup of the Python tool, from its records). No database.
 *
 * @module
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../cli.ts";
import { formatListing } from "../lib/cli/_list.ts";
import { BackupError } from "../lib/errors.ts";
import { type BackupListing, listBackup } from "../lib/list/list_backup.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";
import {
  assertOneClearLine,
  fakeTerminal,
  listBackup as names,
} from "./_cli.ts";

const TESTDATA = fileURLToPath(new URL("./testdata/", import.meta.url));
const SMALL = join(TESTDATA, "small_backup");

/** A copy of a fixture backup in a temporary directory. */
async function copyFixture(fixture: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "list-" });
  await Deno.mkdir(join(dir, "data"));
  for (const name of names(fixture)) {
    await Deno.copyFile(join(fixture, name), join(dir, name));
  }
  return dir;
}

/** Rewrites the manifest of the backup in `dir` (as plain JSON: its numbers are small). */
async function editManifest(
  dir: string,
  // deno-lint-ignore no-explicit-any
  edit: (manifest: any) => void,
): Promise<void> {
  const path = join(dir, "manifest.json");
  const manifest = JSON.parse(await Deno.readTextFile(path));
  edit(manifest);
  await Deno.writeTextFile(path, JSON.stringify(manifest, null, 2));
}

Deno.test("listBackup() lists a backup with a manifest from the manifest alone", async () => {
  const listing = await listBackup(SMALL);
  deepEqual(listing, {
    dir: SMALL,
    format: "neo4j-backup",
    readRecords: false,
    formatVersion: 1,
    tool: {
      name: "neo4j-backup",
      version: "0.1.0",
      runtime: "deno 2.9.6",
      driver: "6.3.0",
    },
    source: {
      address: "127.0.0.1:46057",
      database: "neo4j",
      version: "5.26.30",
      edition: "community",
    },
    startedAt: "2026-11-22T05:49:46.035Z",
    finishedAt: "2026-11-22T05:49:46.483Z",
    compressed: true,
    counts: {
      nodes: 24,
      relationships: 36,
      labelSets: [
        { labels: ["Film", "Movie"], count: 8 },
        { labels: ["Person"], count: 16 },
      ],
      relationshipTypes: [
        { type: "ACTED_IN", count: 26 },
        { type: "KNOWS", count: 10 },
      ],
    },
    schema: {
      constraints: [{
        name: "person_uid",
        type: "UNIQUENESS",
        entityType: "NODE",
        labelsOrTypes: ["Person"],
        properties: ["uid"],
        propertyType: null,
      }],
      indexes: [
        {
          name: "index_343aff4e",
          type: "LOOKUP",
          entityType: "NODE",
          labelsOrTypes: null,
          properties: null,
          owningConstraint: null,
        },
        {
          name: "index_f7700477",
          type: "LOOKUP",
          entityType: "RELATIONSHIP",
          labelsOrTypes: null,
          properties: null,
          owningConstraint: null,
        },
        {
          name: "movie_title",
          type: "RANGE",
          entityType: "NODE",
          labelsOrTypes: ["Movie"],
          properties: ["title"],
          owningConstraint: null,
        },
        {
          name: "person_uid",
          type: "RANGE",
          entityType: "NODE",
          labelsOrTypes: ["Person"],
          properties: ["uid"],
          owningConstraint: "person_uid",
        },
      ],
    },
    files: [
      {
        path: "data/nodes_24.json.gz",
        kind: "nodes",
        records: 24,
        bytes: 749,
      },
      {
        path: "data/relationships_36.json.gz",
        kind: "relationships",
        records: 36,
        bytes: 527,
      },
    ],
    bytes: 1276,
    selection: null,
    consistency: { writesDetected: false, schemaChanged: false },
  });
});

Deno.test("listBackup() opens no data file of a backup with a manifest, where verifyBackup() fails", async () => {
  const dir = await copyFixture(SMALL);
  try {
    await Deno.remove(join(dir, "data/nodes_24.json.gz"));
    await Deno.writeTextFile(
      join(dir, "data/relationships_36.json.gz"),
      "not gzip at all",
    );
    const listing = await listBackup(dir);
    deepEqual(listing, { ...await listBackup(SMALL), dir });
    await rejects(
      verifyBackup(dir),
      (error: BackupError) => error.code === "INVALID_BACKUP",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listBackup() gives the selection and the writes a manifest records", async () => {
  const dir = await copyFixture(SMALL);
  try {
    const selection = {
      labels: ["Person"],
      excludeLabels: [],
      types: [],
      excludeTypes: ["KNOWS"],
      schema: true,
      data: true,
      relationshipsLeftOut: 26,
    };
    await editManifest(dir, (manifest) => {
      manifest.selection = selection;
      manifest.consistency.writesDetected = true;
    });
    const listing = await listBackup(dir);
    deepEqual(listing.selection, selection);
    deepEqual(listing.consistency, {
      writesDetected: true,
      schemaChanged: false,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listBackup() reads the records of a backup of the Python tool to count them", async (t) => {
  const dataset = {
    labelSets: [
      { labels: ["Actor", "Person"], count: 1 },
      { labels: ["Movie"], count: 1 },
      { labels: ["Tag:Name"], count: 1 },
      { labels: [], count: 1 },
    ],
    relationshipTypes: [
      { type: "ACTED_IN", count: 2 },
      { type: "REL TYPE", count: 1 },
      { type: "SEQUEL_OF", count: 1 },
    ],
  };
  const cases: [string, Partial<BackupListing>, number[]][] = [
    [
      "python_backup_gz",
      { compressed: true, counts: { nodes: 4, relationships: 4, ...dataset } },
      [4, 4],
    ],
    [
      "python_backup_plain",
      {
        compressed: false,
        counts: { nodes: 4, relationships: 4, ...dataset },
      },
      [1, 1, 1, 1, 1, 1, 1, 1],
    ],
    [
      "python_backup_0_3",
      {
        compressed: false,
        counts: {
          nodes: 2,
          relationships: 1,
          labelSets: [
            { labels: ["Person"], count: 1 },
            { labels: [], count: 1 },
          ],
          relationshipTypes: [{ type: "KNOWS", count: 1 }],
        },
      },
      [2, 1],
    ],
  ];
  for (const [fixture, expected, records] of cases) {
    await t.step(fixture, async () => {
      const dir = join(TESTDATA, fixture);
      let progress = 0;
      const listing = await listBackup(dir, {
        onProgress: (p) => void (p.phase === "records" && progress++),
      });
      equal(listing.format, "python");
      equal(listing.readRecords, true);
      ok(progress > 0, "progress while reading the records");
      equal(listing.compressed, expected.compressed);
      deepEqual(listing.counts, expected.counts);
      deepEqual(listing.files.map((f) => f.records), records);
      equal(
        listing.bytes,
        listing.files.reduce((sum, f) => sum + f.bytes, 0),
      );
      for (const field of ["tool", "source", "selection", "consistency"]) {
        equal(listing[field as keyof BackupListing], null, field);
      }
    });
  }
});

Deno.test("listBackup() refuses an incomplete backup, and list says so in one line", async () => {
  const dir = await copyFixture(SMALL);
  try {
    await Deno.remove(join(dir, "manifest.json"));
    await Deno.writeTextFile(join(dir, "INCOMPLETE"), "");
    await rejects(
      listBackup(dir),
      (error: BackupError) =>
        error instanceof BackupError && error.code === "INCOMPLETE_BACKUP",
    );
    const terminal = fakeTerminal();
    const line = assertOneClearLine(
      await main(["list", dir], terminal),
      terminal,
    );
    match(line, /^error: .* is an incomplete backup: .*extract again$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listBackup() rejects a path that is not a string", async () => {
  await rejects(
    listBackup(undefined as unknown as string),
    TypeError,
  );
});

Deno.test("list prints the source, the counts as aligned tables and the schema", async () => {
  const terminal = fakeTerminal();
  equal(await main(["list", SMALL], terminal), 0, terminal.stderr);
  equal(terminal.stderr, "");
  equal(
    terminal.stdout,
    `Backup ${SMALL}, format 1, written by neo4j-backup 0.1.0
Source:     database "neo4j" at 127.0.0.1:46057, Neo4j 5.26.30 community
Extracted:  2026-11-22 05:49:46 UTC, in 0.4s
Contents:   24 nodes, 36 relationships; 1 constraint, 1 index (not counting the 1 that back constraints and 2 lookup indexes)
Files:      2 files (1 of nodes, 1 of relationships), 1.2 KiB, gzip-compressed

Nodes  Label set
    8  :Film:Movie
   16  :Person

Relationships  Type
           26  ACTED_IN
           10  KNOWS

Constraints
  person_uid  UNIQUENESS  (:Person {uid})

Indexes
  index_343aff4e  LOOKUP  nodes by label
  index_f7700477  LOOKUP  relationships by type
  movie_title     RANGE   (:Movie {title})
  person_uid      RANGE   (:Person {uid}), backs constraint person_uid
`,
  );
});

Deno.test("list says that a backup of the Python tool was counted from its records", async () => {
  const terminal = fakeTerminal();
  const dir = join(TESTDATA, "python_backup_gz");
  equal(await main(["list", dir], terminal), 0, terminal.stderr);
  match(
    terminal.stdout,
    /^Backup .*python_backup_gz, written by the Python neo4j-backup\nThis backup of the Python neo4j-backup has no manifest: its records were read to count them\n/,
  );
  match(
    terminal.stdout,
    /\nContents: {3}4 nodes, 4 relationships; 3 constraints/,
  );
  match(terminal.stdout, /\n {4}1 {2}:`Tag:Name`\n/);
  match(terminal.stdout, /\n {12}1 {2}`REL TYPE`\n/);
});

Deno.test("list --json prints listBackup()'s result as JSON, and nothing else", async (t) => {
  for (const fixture of ["small_backup", "python_backup_plain"]) {
    await t.step(fixture, async () => {
      const dir = join(TESTDATA, fixture);
      const terminal = fakeTerminal();
      equal(await main(["list", dir, "--json"], terminal), 0, terminal.stderr);
      deepEqual(JSON.parse(terminal.stdout), await listBackup(dir));
    });
  }
});

Deno.test("the listing's text shows a selection and detected writes, and no default selection", async (t) => {
  const base = await listBackup(SMALL);
  const selection = {
    labels: [],
    excludeLabels: [],
    types: [],
    excludeTypes: [],
    schema: true,
    data: true,
    relationshipsLeftOut: 0,
  };
  const cases: [string, Partial<BackupListing>, RegExp | null][] = [
    ["no selection recorded", { selection: null }, null],
    ["everything selected", { selection }, null],
    [
      "labels and types",
      {
        selection: {
          ...selection,
          labels: ["Person", "Film"],
          excludeLabels: ["Bot"],
          excludeTypes: ["KNOWS"],
          relationshipsLeftOut: 12,
        },
      },
      /\nSelection: {2}nodes labelled Person or Film, not Bot; relationships not of type KNOWS; 12 relationships left out because an endpoint was not selected\n/,
    ],
    [
      "schema only",
      { selection: { ...selection, data: false, types: ["ACTED IN"] } },
      /\nSelection: {2}schema only; relationships of type `ACTED IN`\n/,
    ],
    [
      "data only",
      { selection: { ...selection, schema: false } },
      /\nSelection: {2}data only \(no schema\)\n/,
    ],
    [
      "writes detected",
      { consistency: { writesDetected: true, schemaChanged: true } },
      /\nWrites: {5}detected: the database changed while it was extracted, its schema too; the backup may not be consistent\n/,
    ],
  ];
  for (const [name, change, pattern] of cases) {
    await t.step(name, () => {
      const text = formatListing({ ...base, ...change });
      if (pattern) match(text, pattern);
      else ok(!/\n(Selection|Writes):/.test(text), text);
    });
  }
});
