/**
 * Backups anywhere, through the command line: in a bucket of a real S3-compatible server (moto,
 * started here), in a `.tar` file, and as a tar stream on standard output and input; each checked
 * with a client no one here wrote (the AWS CLI, tar(1)) and imported back exactly.
 *
 * @module
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../cli.ts";
import { loadGeneratedGraph } from "../dev/generate_graph.ts";
import { S3Server } from "../dev/s3_server.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { Importer } from "../lib/import/importer.ts";
import { listBackup } from "../lib/list/list_backup.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";
import { snapshotBackup } from "./_backup.ts";
import {
  assertOneClearLine,
  connectionEnv,
  fakeTerminal,
  runOk,
} from "./_cli.ts";
import { diffSnapshots, snapshotGraph } from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";
import { TcpProxy } from "./_proxy.ts";

const TARGET = await testTarget();
const { database } = TARGET;
const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
const hasAws = await new Deno.Command("aws", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

Deno.test("a backup in a bucket is an ordinary backup: the AWS CLI copies it into a directory that verify accepts, and import restores it exactly", async (t) => {
  await using s3 = await S3Server.start();
  await using driver = await openDriver();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 1500, database });
  const expected = await snapshotGraph(driver, database);
  const work = await Deno.makeTempDir({ prefix: "locations-s3-" });
  const env = {
    ...connectionEnv(TARGET),
    ...s3.env(),
    NEO4J_BACKUP_STATE_DIR: join(work, "state"),
    HOME: join(work, "home"),
  };
  const aws = (args: string[]): Promise<Deno.CommandOutput> =>
    new Deno.Command("aws", {
      args: ["--endpoint-url", s3.info.endpoint, ...args],
      env: { ...s3.env(), HOME: join(work, "home") },
      stdout: "piped",
      stderr: "piped",
    }).output();
  try {
    await t.step("extract to s3://", async () => {
      await s3.createBucket("backups");
      const terminal = await runOk(
        ["extract", "s3://backups/nightly", "--partition-size", "400"],
        env,
      );
      match(terminal.stdout, /into s3:\/\/backups\/nightly in /);
    });
    await t.step({
      name: "the AWS CLI sees an ordinary backup",
      ignore: !hasAws,
      fn: async () => {
        const copy = join(work, "copy");
        const cp = await aws([
          "s3",
          "cp",
          "--recursive",
          "s3://backups/nightly",
          copy,
        ]);
        ok(cp.success, new TextDecoder().decode(cp.stderr));
        await runOk(["verify", copy, "-q"], env);
        deepEqual(diffSnapshots(expected, await snapshotBackup(copy)), []);
      },
    });
    await t.step("verify, list and import read from the bucket", async () => {
      await runOk(["verify", "s3://backups/nightly", "-q"], env);
      const listed = await runOk(["list", "s3://backups/nightly"], env);
      match(listed.stdout, /^Backup s3:\/\/backups\/nightly, format 2/);
      await runOk(
        ["import", "s3://backups/nightly", "--clean", "--yes", "-q"],
        env,
      );
      deepEqual(
        diffSnapshots(expected, await snapshotGraph(driver, database)),
        [],
      );
    });
    await t.step("a second extract asks before it overwrites", async () => {
      const terminal = fakeTerminal(env);
      match(
        assertOneClearLine(
          await main(["extract", "s3://backups/nightly"], terminal),
          terminal,
        ),
        /^error: Cannot extract: s3:\/\/backups\/nightly is not empty and overwriting the backup in it was not confirmed; confirm with --yes$/,
      );
      await runOk(["extract", "s3://backups/nightly", "--yes", "-q"], env);
      await runOk(["verify", "s3://backups/nightly", "-q"], env);
    });
    await t.step("credentials refused: one clear line, no secret", async () => {
      const terminal = fakeTerminal({
        ...env,
        AWS_SECRET_ACCESS_KEY: "not-the-secret-0123456789",
      });
      const line = assertOneClearLine(
        await main(["verify", "s3://backups/nightly"], terminal),
        terminal,
      );
      match(line, /access denied/);
      ok(!terminal.stderr.includes("not-the-secret-0123456789"));
      ok(!terminal.stderr.includes(s3.info.secretAccessKey));
    });
    await t.step("a corrupt object: one clear line naming it", async () => {
      const copy = join(work, "corrupt");
      ok(
        (await aws(["s3", "cp", "--recursive", "s3://backups/nightly", copy]))
          .success || !hasAws,
      );
      if (!hasAws) return;
      const manifest = JSON.parse(
        await Deno.readTextFile(join(copy, "manifest.json")),
      );
      const file = manifest.files[0].path as string;
      const bytes = await Deno.readFile(join(copy, file));
      bytes[bytes.length >> 1] ^= 0xff;
      await Deno.writeFile(join(copy, file), bytes);
      ok(
        (await aws([
          "s3",
          "cp",
          join(copy, file),
          `s3://backups/nightly/${file}`,
        ]))
          .success,
      );
      const terminal = fakeTerminal(env);
      const line = assertOneClearLine(
        await main(["verify", "s3://backups/nightly"], terminal),
        terminal,
      );
      ok(line.includes(file), line);
    });
    await t.step(
      "an upload whose network stays down fails in one clear line, leaves nothing complete-looking, and --resume finishes it",
      async () => {
        await using proxy = TcpProxy.start({
          hostname: "127.0.0.1",
          port: Number(new URL(s3.info.endpoint).port),
        });
        const cut = {
          ...env,
          AWS_ENDPOINT_URL_S3: proxy.uri("http"),
        };
        // Down for good once the extract is done and its upload under way.
        proxy.cutAfter(20_000, () => proxy.refuse());
        const terminal = fakeTerminal(cut);
        const status = await main(
          ["extract", "s3://backups/cut", "-q"],
          terminal,
        );
        match(
          assertOneClearLine(status, terminal),
          /; the extract can continue where it stopped: run it again with --resume$/,
        );
        ok(!terminal.stderr.includes(s3.info.secretAccessKey));
        proxy.accept();
        const listed = await aws([
          "s3",
          "ls",
          "--recursive",
          "s3://backups/cut",
        ]);
        ok(!new TextDecoder().decode(listed.stdout).includes("manifest.json"));
        const verify = fakeTerminal(cut);
        assertOneClearLine(
          await main(["verify", "s3://backups/cut"], verify),
          verify,
        );
        await runOk(["extract", "s3://backups/cut", "--resume", "-q"], cut);
        await runOk(["verify", "s3://backups/cut", "-q"], cut);
        await runOk(
          ["import", "s3://backups/cut", "--clean", "--yes", "-q"],
          cut,
        );
        deepEqual(
          diffSnapshots(expected, await snapshotGraph(driver, database)),
          [],
        );
      },
    );
    await t.step("a bucket that does not exist: one clear line", async () => {
      const terminal = fakeTerminal(env);
      match(
        assertOneClearLine(
          await main(["verify", "s3://no-such-bucket/x"], terminal),
          terminal,
        ),
        /no-such-bucket/,
      );
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("a backup as a tar: a .tar file and a stream through a pipe, readable by tar(1), imported exactly", async () => {
  await using driver = await openDriver();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 1000, database });
  const expected = await snapshotGraph(driver, database);
  const work = await Deno.makeTempDir({ prefix: "locations-tar-" });
  const env = {
    ...connectionEnv(TARGET),
    NEO4J_BACKUP_STATE_DIR: join(work, "state"),
  };
  try {
    const file = join(work, "backup.tar");
    await runOk(["extract", file, "-q"], env);
    const listed = await new Deno.Command("tar", {
      args: ["-tf", file],
      stdout: "piped",
    }).output();
    const names = new TextDecoder().decode(listed.stdout).trim().split("\n");
    equal(names.at(-1), "manifest.json");
    ok(names.some((n) => n.startsWith("data/nodes_")));
    await runOk(["verify", file, "-q"], env);

    // extract - | import -, two processes and a pipe, as over ssh.
    const extract = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "extract", "-", "-q"],
      env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const restore = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "import", "-", "--clean", "--yes", "-q"],
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await extract.stdout.pipeTo(restore.stdin);
    const [extracted, restored] = await Promise.all([
      extract.output(),
      restore.output(),
    ]);
    equal(extracted.code, 0, new TextDecoder().decode(extracted.stderr));
    equal(restored.code, 0, new TextDecoder().decode(restored.stderr));
    deepEqual(
      diffSnapshots(expected, await snapshotGraph(driver, database)),
      [],
    );
    // Nothing of the working copies is left.
    const left = [...Deno.readDirSync(join(work, "state"))].map((e) => e.name);
    deepEqual(left, []);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("the library's engines take a bucket and a .tar file where they take a directory", async () => {
  await using s3 = await S3Server.start();
  await s3.createBucket("lib");
  await using driver = await openDriver();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 800, database });
  const expected = await snapshotGraph(driver, database);
  const work = await Deno.makeTempDir({ prefix: "locations-lib-" });
  const where = {
    location: { s3: { env: s3.env(), home: join(work, "home") } },
    stateDir: join(work, "state"),
  };
  try {
    for (const spec of ["s3://lib/b", join(work, "b.tar")]) {
      const extracted = await new Extractor({
        projectDir: spec,
        driver,
        database,
        ...where,
      }).extractData();
      equal(extracted.nodes, expected.nodes.length);
      const verified = await verifyBackup(spec, where);
      equal(verified.nodes, expected.nodes.length);
      const listing = await listBackup(spec, where);
      equal(listing.dir, spec);
      equal(listing.formatVersion, 2);
      await new Importer({
        projectDir: spec,
        driver,
        database,
        clean: true,
        inputYes: true,
        ...where,
      }).importData();
      deepEqual(
        diffSnapshots(expected, await snapshotGraph(driver, database)),
        [],
        spec,
      );
    }
    deepEqual([...Deno.readDirSync(join(work, "state"))], []);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
