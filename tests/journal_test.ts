import { deepEqual, equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import type { BackupError } from "../lib/errors.ts";
import { Journal, type JournalHeader } from "../lib/import/_journal.ts";

const header: JournalHeader = {
  journal: "neo4j-backup-import",
  version: 1,
  backup: "abc",
  target: { address: "localhost:7687", database: "neo4j", databaseId: "X" },
  createdAt: "2026-11-22T00:00:00.000Z",
  baseline: { labelSets: [], relationshipTypes: [] },
};

Deno.test("Journal sorts entries into committed, aborted and uncertain", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "j.journal");
  try {
    const journal = await Journal.create(path, header);
    await journal.begin({
      s: 0,
      k: "n",
      f: 0,
      a: 0,
      b: 2,
      ids: [10, 100, 11, 101],
    });
    await journal.commit(0);
    await journal.begin({ s: 1, k: "n", f: 0, a: 2, b: 3, ids: [12, 102] });
    await journal.abort(1);
    await journal.begin({ s: 2, k: "n", f: 0, a: 2, b: 3, ids: [12, 103] });
    await journal.commit(2);
    await journal.begin({ s: 3, k: "r", f: 1, a: 0, b: 1, ids: [500] });
    journal.close();
    const contents = await Journal.read(path);
    deepEqual(contents?.header, header);
    deepEqual(contents?.committed.map((e) => e.s), [0, 2]);
    deepEqual(contents?.uncertain.map((e) => e.s), [3]);
    equal(contents?.nextSequence, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Journal ignores a last line cut short by a crash", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "j.journal");
  try {
    const journal = await Journal.create(path, header);
    await journal.begin({ s: 0, k: "n", f: 0, a: 0, b: 1, ids: [1, 2] });
    await journal.commit(0);
    journal.close();
    await Deno.writeTextFile(
      path,
      '{"s":1,"k":"n","f":0,"a":1,"b":2,"ids":[2,',
      { append: true },
    );
    const contents = await Journal.read(path);
    deepEqual(contents?.committed.map((e) => e.s), [0]);
    deepEqual(contents?.uncertain, []);
    const appended = await Journal.append(path);
    appended.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Journal.read returns undefined without a journal and refuses a foreign file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    equal(await Journal.read(join(dir, "none")), undefined);
    await Deno.writeTextFile(join(dir, "other"), '{"hello":1}\n');
    await rejects(
      Journal.read(join(dir, "other")),
      (e: BackupError) => e.code === "RESUME",
    );
    await Deno.writeTextFile(
      join(dir, "corrupt"),
      JSON.stringify(header) + "\n{oops\n",
    );
    await rejects(
      Journal.read(join(dir, "corrupt")),
      (e: BackupError) => /corrupt at line 2/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Journal.create replaces an old journal whole and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "j.journal");
  try {
    const old = await Journal.create(path, { ...header, backup: "old" });
    await old.begin({ s: 0, k: "n", f: 0, a: 0, b: 1, ids: [1, 2] });
    old.close();
    // A temporary file left by a process killed while creating a journal.
    await Deno.writeTextFile(`${path}.tmp`, "");
    const journal = await Journal.create(path, header);
    journal.close();
    const contents = await Journal.read(path);
    deepEqual(contents?.header, header);
    deepEqual(contents?.uncertain, []);
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["j.journal"]);
    await Journal.discard(path);
    equal(await Journal.read(path), undefined);
    await Journal.discard(path); // Nothing there: no error.
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
