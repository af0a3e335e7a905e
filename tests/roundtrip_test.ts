// deno-lint-ignore-file no-console
import { journalNames } from "./_cli.ts";
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import type { BackupError } from "../lib/errors.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { readManifest } from "../lib/format/manifest.ts";
import { Importer } from "../lib/import/importer.ts";
import { snapshotBackup } from "./_backup.ts";
import { createFullTypeDataset } from "./_dataset.ts";
import {
  diffSnapshots,
  snapshotGraph,
  snapshotSchema,
  tokenSnapshot,
} from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

/**
 * Zoned DateTimes at the years Neo4j allows, beyond the JavaScript Date range the driver
 * decodes them in (lib/_zoned_date_time_fix.ts makes them readable).
 */
const EXTREME_ZONED = [
  "+999999999-12-31T23:59:59.999999999[Europe/London]",
  "-999999999-01-01T00:00:00[America/New_York]",
  "+300000-06-15T12:00:00.000000001[Europe/Berlin]",
  "+300000-01-15T12:00:00[Europe/Berlin]",
  "+999999999-07-01T12:00:00.5[America/St_Johns]",
  "-500000-07-01T12:00:00[Asia/Kathmandu]",
];

async function createExtremeZoned(
  driver: Awaited<ReturnType<typeof openDriver>>,
  database: string | undefined,
): Promise<void> {
  await driver.executeQuery(
    "CREATE (:ExtremeZoned {first: datetime($texts[0]), all: [t IN $texts | datetime(t)]})",
    { texts: EXTREME_ZONED },
    { database },
  );
}

Deno.test("Extractor writes every value of the database exactly, type for type", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  const info = await createFullTypeDataset(driver, database);
  await createExtremeZoned(driver, database);
  const dir = await Deno.makeTempDir();
  try {
    const counts = await new Extractor({ projectDir: dir, driver, database })
      .extractData();
    equal(counts.nodes, info.nodes + 1);
    equal(counts.relationships, info.relationships);
    equal(counts.writesDetected, false);

    // What the driver reads from the database, rendered independently of the codec...
    const database_ = await snapshotGraph(driver, database);
    // ...equals what the backup files decode to.
    const backup = await snapshotBackup(dir);
    deepEqual(diffSnapshots(database_, backup), []);
    ok(
      backup.nodes.some((n) =>
        n.includes(
          "DateTime(+999999999-12-31T23:59:59.999999999+00:00[Europe/London])",
        )
      ),
      backup.nodes.find((n) => n.includes("ExtremeZoned")),
    );

    const manifest = await readManifest(dir);
    const schema = await snapshotSchema(driver, database);
    deepEqual(
      manifest.schema.constraints.map((c) => c.name),
      schema.constraints.map((c) => c.name),
    );
    deepEqual(
      manifest.schema.indexes.filter((i) => i.type !== "LOOKUP").map((i) =>
        i.name
      ),
      schema.indexes.map((i) => i.name),
    );
    equal(manifest.consistency.writesDetected, false);
    equal(manifest.counts.nodes, info.nodes + 1);
    equal(
      manifest.counts.labelSets.reduce((n, s) => n + s.count, 0),
      info.nodes + 1,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Importer restores the backup exactly, schema included, and leaves no trace", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  const info = await createFullTypeDataset(driver, database);
  await createExtremeZoned(driver, database);
  const source = await snapshotGraph(driver, database);
  const sourceSchema = await snapshotSchema(driver, database);
  const sourceTokens = await tokenSnapshot(driver, database);
  const dir = await Deno.makeTempDir();
  const first = join(dir, "first");
  const second = join(dir, "second");
  try {
    await new Extractor({ projectDir: first, driver, database }).extractData();
    await wipe(driver, database);
    const before = await tokenSnapshot(driver, database);

    const journals = journalNames();
    const counts = await new Importer({ projectDir: first, driver, database })
      .importData();
    equal(counts.nodes, info.nodes + 1);
    equal(counts.relationships, info.relationships);
    deepEqual(counts.skipped, []);
    equal(counts.resumed, false);
    console.log(
      `Imported ${counts.nodes} nodes, ${counts.relationships} relationships, ` +
        `${counts.constraints} constraints, ${counts.indexes} indexes`,
    );

    deepEqual(diffSnapshots(source, await snapshotGraph(driver, database)), []);
    deepEqual(
      diffSnapshots(sourceSchema, await snapshotSchema(driver, database)),
      [],
    );
    const after = await tokenSnapshot(driver, database);
    deepEqual(after.labels, sourceTokens.labels);
    deepEqual(after.relationshipTypes, sourceTokens.relationshipTypes);
    // No temporary property key: the import added no token the database did not know.
    deepEqual(after.propertyKeys, before.propertyKeys);
    deepEqual(journalNames(), journals, "no journal left");

    // Extracting the restored database gives the same backup, record for record, ids aside.
    await new Extractor({ projectDir: second, driver, database }).extractData();
    deepEqual(
      diffSnapshots(await snapshotBackup(first), await snapshotBackup(second)),
      [],
    );
    const [a, b] = [await readManifest(first), await readManifest(second)];
    deepEqual(a.counts, b.counts);
    const definitions = (m: typeof a) =>
      [...m.schema.constraints, ...m.schema.indexes].map((d) => ({
        ...d,
        createStatement: null,
        options: { ...d.options, indexProvider: null },
      }));
    deepEqual(definitions(b), definitions(a));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Importer refuses a non-empty database unless confirmed, and then adds to it", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await driver.executeQuery(
    "UNWIND range(1, 20) AS i CREATE (:Item {i: i})-[:NEXT]->(:Item {i: -i})",
    {},
    { database },
  );
  const dir = await Deno.makeTempDir();
  try {
    await new Extractor({ projectDir: dir, driver, database }).extractData();
    const asked: string[] = [];
    await rejects(
      new Importer({
        projectDir: dir,
        driver,
        database,
        confirm: (question) => (asked.push(question), false),
      }).importData(),
      (e: BackupError) =>
        e.code === "TARGET_NOT_EMPTY" &&
        /is not empty \(40 nodes, 20 relationships/.test(e.message),
    );
    equal(asked.length, 1);
    const counts = await new Importer({
      projectDir: dir,
      driver,
      database,
      inputYes: true,
    })
      .importData();
    equal(counts.nodes, 40);
    const { records: [row] } = await driver.executeQuery(
      "MATCH (n:Item) RETURN count(n) AS n",
      {},
      { database },
    );
    equal(row!.get("n"), 80n);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Extractor options: file size, indent and no compression all import back", async (t) => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await driver.executeQuery(
    "UNWIND range(1, 300) AS i CREATE (:A {i: i, s: 'text ' + i})-[:R {w: i * 1.5}]->(:B {d: date('2020-01-01') + duration({days: i})})",
    {},
    { database },
  );
  const source = await snapshotGraph(driver, database);
  for (
    const [name, options] of [
      ["small files", { jsonFileSize: 4096 }],
      ["indent 4", { indentSize: 4 }],
      ["no compression", { compress: false }],
    ] as const
  ) {
    await t.step(name, async () => {
      const dir = await Deno.makeTempDir();
      try {
        await new Extractor({ projectDir: dir, driver, database, ...options })
          .extractData();
        const manifest = await readManifest(dir);
        if (name === "small files") {
          ok(manifest.files.length > 10, `${manifest.files.length} files`);
        }
        if (name === "no compression") {
          ok(manifest.files.every((f) => f.path.endsWith(".json")));
          ok(!manifest.compressed);
        }
        if (name === "indent 4") {
          const file = manifest.files[0]!.path;
          const text = await new Response(
            (await Deno.open(join(dir, file))).readable.pipeThrough(
              new DecompressionStream("gzip"),
            ),
          ).text();
          ok(
            text.startsWith('[\n    {\n        "node_id": '),
            text.slice(0, 80),
          );
        }
        deepEqual(diffSnapshots(source, await snapshotBackup(dir)), []);
        await new Importer({
          projectDir: dir,
          driver,
          database,
          clean: true,
          inputYes: true,
        })
          .importData();
        deepEqual(
          diffSnapshots(source, await snapshotGraph(driver, database)),
          [],
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});

Deno.test("Extractor detects and records writes made while it runs", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await driver.executeQuery(
    "UNWIND range(1, 5000) AS i CREATE (:N {i: i})",
    {},
    { database },
  );
  const dir = await Deno.makeTempDir();
  try {
    let write: Promise<unknown> | undefined;
    const counts = await new Extractor({
      projectDir: dir,
      driver,
      database,
      fetchSize: 100,
      onProgress: (p) => {
        write ??= p.phase === "nodes"
          ? driver.executeQuery("CREATE (:Late)", {}, { database })
          : undefined;
      },
    }).extractData();
    await write;
    equal(counts.writesDetected, true);
    const manifest = await readManifest(dir);
    equal(manifest.consistency.writesDetected, true);
    equal(manifest.consistency.nodesAtStart, 5000);
    equal(manifest.consistency.nodesAtEnd, 5001);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Extractor leaves a cancelled backup marked incomplete, and a rerun completes it", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await driver.executeQuery(
    "UNWIND range(1, 5000) AS i CREATE (:N {i: i})",
    {},
    { database },
  );
  const dir = await Deno.makeTempDir();
  try {
    const abort = new AbortController();
    await rejects(
      new Extractor({
        projectDir: dir,
        driver,
        database,
        fetchSize: 100,
        signal: abort.signal,
        onProgress: () => abort.abort(),
      }).extractData(),
      (e: BackupError) => e.code === "ABORTED",
    );
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    ok(
      names.includes("INCOMPLETE") && !names.includes("manifest.json"),
      names.join(),
    );
    const data = [...Deno.readDirSync(join(dir, "data"))].map((e) => e.name);
    deepEqual(data, []);
    await rejects(
      new Importer({ projectDir: dir, driver, database }).importData(),
      (e: BackupError) =>
        e.code === "INCOMPLETE_BACKUP" && /incomplete backup/.test(e.message),
    );
    await rejects(
      new Extractor({ projectDir: dir, driver, database }).extractData(),
      (e: BackupError) => e.code === "TARGET_NOT_EMPTY",
    );
    const counts = await new Extractor({
      projectDir: dir,
      driver,
      database,
      inputYes: true,
    })
      .extractData();
    equal(counts.nodes, 5000);
    const after = [...Deno.readDirSync(dir)].map((e) => e.name);
    ok(
      after.includes("manifest.json") && !after.includes("INCOMPLETE"),
      after.join(),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
