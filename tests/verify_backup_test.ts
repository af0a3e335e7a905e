import { equal, match, rejects } from "node:assert/strict";
import type { BackupError } from "../lib/errors.ts";
import { DataFileWriter } from "../lib/format/data_file_writer.ts";
import {
  type Manifest,
  readManifest,
  writeManifest,
} from "../lib/format/manifest.ts";
import type { BackupRecord } from "../lib/format/record.ts";
import { RecordStringifyStream } from "../lib/format/record_stringify_stream.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";

/** Writes a backup of these records, cut into many small files, with an honest manifest. */
async function writeBackup(
  dir: string,
  nodes: BackupRecord[],
  relationships: BackupRecord[],
): Promise<void> {
  const files = [];
  for (
    const [kind, records] of [["nodes", nodes], [
      "relationships",
      relationships,
    ]] as const
  ) {
    const writer = new DataFileWriter(dir, kind, { fileSize: 600 });
    await ReadableStream.from([records]).pipeThrough(
      new RecordStringifyStream(),
    ).pipeTo(writer);
    files.push(...writer.files);
  }
  const manifest: Manifest = {
    format: "neo4j-backup",
    formatVersion: 1,
    tool: {
      name: "neo4j-backup",
      version: "0",
      runtime: "test",
      driver: "test",
    },
    source: {
      address: "",
      database: "neo4j",
      databaseId: null,
      version: "5",
      edition: "community",
    },
    startedAt: "",
    finishedAt: "",
    compressed: true,
    counts: {
      nodes: nodes.length,
      relationships: relationships.length,
      labelSets: [{ labels: ["N"], count: nodes.length }],
      relationshipTypes: [{ type: "R", count: relationships.length }],
    },
    files,
    schema: { constraints: [], indexes: [] },
    consistency: {
      writesDetected: false,
      schemaChanged: false,
      nodesAtStart: 0,
      nodesAtEnd: 0,
      relationshipsAtStart: 0,
      relationshipsAtEnd: 0,
    },
    selection: null,
  };
  await writeManifest(dir, manifest);
}

const node = (id: number): BackupRecord => ({
  kind: "node",
  id: BigInt(id),
  labels: ["N"],
  properties: { i: BigInt(id) },
});
const rel = (id: number, start: number, end: number): BackupRecord => ({
  kind: "relationship",
  id: BigInt(id),
  type: "R",
  startId: BigInt(start),
  endId: BigInt(end),
  properties: {},
});

Deno.test("verifyBackup() reads a backup of many files and counts every record, with and without workers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const nodes = Array.from({ length: 300 }, (_, i) => node(i * 3));
    const relationships = Array.from(
      { length: 400 },
      (_, i) => rel(i, (i * 3) % 900, (i * 7 * 3) % 900),
    );
    await writeBackup(dir, nodes, relationships);
    const manifest = await readManifest(dir);
    equal(manifest.files.length > 20, true, `${manifest.files.length} files`);
    for (const workers of [0, 1, 3]) {
      const counts = await verifyBackup(dir, { workers });
      equal(counts.nodes, 300);
      equal(counts.relationships, 400);
      equal(counts.files, manifest.files.length);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifyBackup() names the file and record of a relationship whose end node is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const nodes = Array.from({ length: 300 }, (_, i) => node(i));
    const relationships = Array.from(
      { length: 400 },
      (_, i) => rel(i, i % 300, i === 357 ? 5000 : (i * 7) % 300),
    );
    await writeBackup(dir, nodes, relationships);
    const manifest = await readManifest(dir);
    const files = manifest.files.filter((f) => f.kind === "relationships");
    let before = 0;
    const file = files.find((f) => (before += f.records) > 357)!;
    const record = 357 - (before - file.records) + 1;
    for (const workers of [0, 3]) {
      await rejects(verifyBackup(dir, { workers }), (e: BackupError) => {
        equal(e.code, "INVALID_BACKUP");
        equal(e.file, file.path);
        equal(e.record, record);
        match(
          e.message,
          new RegExp(
            `relationship 357 \\(record ${record} in ${
              file.path.replace(".", "\\.")
            }\\) ends at node 5000, which the backup does not hold`,
          ),
        );
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifyBackup() refuses a manifest whose counts disagree with the records", async (t) => {
  for (const change of ["nodes", "labelSets", "relationshipTypes"] as const) {
    await t.step(change, async () => {
      const dir = await Deno.makeTempDir();
      try {
        await writeBackup(dir, [node(1), node(2)], [rel(1, 1, 2)]);
        const manifest = await readManifest(dir);
        if (change === "nodes") manifest.counts.nodes = 3;
        if (change === "labelSets") {
          manifest.counts.labelSets = [{ labels: ["M"], count: 2 }];
        }
        if (change === "relationshipTypes") {
          manifest.counts.relationshipTypes = [{ type: "S", count: 1 }];
        }
        await writeManifest(dir, manifest);
        await rejects(
          verifyBackup(dir),
          (e: BackupError) =>
            e.code === "INVALID_BACKUP" && /the manifest says/.test(e.message),
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});
