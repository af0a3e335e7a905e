// deno-lint-ignore-file no-console
/**
 * Faults, as production has them: the server dies (SIGKILL) or stops in the middle of an extract
 * or an import, the disk fills during an extract, the network is slow or drops connections.
 * Each must end in an exact result or one clear line (exit 1), and nothing a later run could
 * mistake for a complete backup or a finished import.
 *
 * The dedicated servers (killed and restarted here) only run when this suite may start servers
 * (`testTarget().localServers`); the disk-full cases need `unshare` and tmpfs mounts.
 *
 * @module
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import neo4j from "neo4j-driver";
import { main } from "../cli.ts";
import {
  describeOutcome,
  type KillLoopTarget,
  loadFaultGraph,
  serverKillLoop,
  stayAwake,
  timeImport,
} from "../dev/fault_loop.ts";
import { loadGeneratedGraph, random } from "../dev/generate_graph.ts";
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { BackupError } from "../lib/errors.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { openBackup } from "../lib/format/backup_reader.ts";
import { snapshotBackup } from "./_backup.ts";
import {
  assertOneClearLine,
  connectionEnv,
  fakeTerminal,
  journalNames,
  listBackup,
  runOk,
} from "./_cli.ts";
import {
  diffSnapshots,
  type GraphSnapshot,
  snapshotGraph,
  snapshotSchema,
} from "./_graph.ts";
import { openDriver, type TestTarget, testTarget, wipe } from "./_neo4j.ts";
import { TcpProxy } from "./_proxy.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** Server kill points in CI; `deno task faults` runs the full loop. */
const SERVER_KILL_POINTS = Number(
  Deno.env.get("NEO4J_BACKUP_SERVER_KILL_POINTS") ?? 3,
);

const TARGET = await testTarget();
if (!TARGET.localServers) {
  console.warn(
    "faults_test: the cases that kill and restart a server of their own are skipped: NEO4J_URI names a server this suite did not start (set NEO4J_BACKUP_LOCAL_SERVERS=1 to allow local servers)",
  );
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, polling every few milliseconds. */
async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Checks that a backup directory is marked incomplete and holds nothing that looks complete. */
async function assertIncomplete(dir: string): Promise<void> {
  const names = listBackup(dir);
  ok(names.includes("INCOMPLETE"), names.join(", "));
  ok(!names.includes("manifest.json"), names.join(", "));
  ok(!names.some((n) => n.endsWith(".partial")), names.join(", "));
  await rejects(openBackup(dir), (error: unknown) => {
    ok(error instanceof BackupError);
    equal(error.code, "INCOMPLETE_BACKUP");
    return true;
  });
  const terminal = fakeTerminal();
  match(
    assertOneClearLine(await main(["verify", dir], terminal), terminal),
    /is an incomplete backup/,
  );
}

/** Checks that a complete backup holds exactly `expected`. */
async function assertBackupHolds(
  dir: string,
  expected: GraphSnapshot,
): Promise<void> {
  deepEqual(diffSnapshots(expected, await snapshotBackup(dir)), []);
  ok(!listBackup(dir).includes("INCOMPLETE"));
}

Deno.test({
  name:
    "the server dying in the middle of an extract or an import loses nothing",
  ignore: !TARGET.localServers,
  async fn(t): Promise<void> {
    await using server = await Neo4jServer.start({
      keepData: true,
      pageCache: "128m",
      heap: "1g",
    });
    const home = server.home!;
    const dir = await Deno.makeTempDir({ prefix: "faults-server-" });
    try {
      const info = (): TestTarget => ({
        uri: server.info.uri,
        username: server.info.username,
        password: server.info.password,
        database: undefined,
        localServers: true,
      });
      let expected: KillLoopTarget["expected"];
      {
        await using driver = await openDriver(info());
        await loadFaultGraph(driver, 3000);
        expected = {
          graph: await snapshotGraph(driver),
          schema: await snapshotSchema(driver),
        };
      }
      await using proxy = TcpProxy.start(server.info.uri);
      const env = connectionEnv(info(), proxy.uri());
      // Each step makes what it needs: a running server and a backup of its own, so that one
      // step's failure cannot fail the next.
      const freshBackup = async (name: string): Promise<string> => {
        if (!server.running) await stayAwake(server.restart());
        const backup = join(dir, name);
        await runOk(["extract", backup, "-q"], env);
        await assertBackupHolds(backup, expected.graph);
        return backup;
      };
      // How many bytes a whole extract moves, to aim the kills.
      let before = proxy.bytes;
      await freshBackup("measure");
      const extractBytes = proxy.bytes - before;

      await t.step(
        "an extract whose server is killed mid-stream rides it out by reading its partitions again, or fails in one clear line and --resume finishes; either way exact",
        async () => {
          const backup = await freshBackup("killed");
          before = proxy.bytes;
          const terminal = fakeTerminal(env);
          const run = main(
            ["extract", backup, "--yes", "-q", "--partition-size", "300"],
            terminal,
          );
          await until(
            () => proxy.bytes - before > extractBytes * 0.3,
            "the extract to get going",
          );
          // Hold what is in flight, so that the stream cannot end before the server is gone.
          proxy.delayMs = 1000;
          await stayAwake(server.kill());
          proxy.delayMs = 0;
          await stayAwake(server.restart());
          const status = await run;
          if (status !== 0) {
            match(
              assertOneClearLine(status, terminal),
              /^error: Cannot extract: (lost the connection to the|cannot reach a) Neo4j server at 127\.0\.0\.1:\d+: .*; the extract can continue where it stopped: run it again with --resume$/,
            );
            await assertIncomplete(backup);
            await runOk(
              ["extract", backup, "--resume", "-q", "--partition-size", "300"],
              env,
            );
          }
          await assertBackupHolds(backup, expected.graph);
        },
      );

      await t.step(
        "an extract whose server shuts down mid-stream ends exact or in one clear line with an incomplete directory; a rerun is complete and exact",
        async () => {
          const backup = await freshBackup("stopped");
          before = proxy.bytes;
          const terminal = fakeTerminal(env);
          const run = main(["extract", backup, "--yes", "-q"], terminal);
          await until(
            () => proxy.bytes - before > extractBytes * 0.6,
            "the extract to get going",
          );
          proxy.delayMs = 1000;
          const stopped = server.stop();
          await sleep(200);
          proxy.delayMs = 0;
          await stopped;
          // The extract may retry its last reads while the server is away: bring it back.
          await stayAwake(server.restart());
          const status = await run;
          if (status === 0) {
            await assertBackupHolds(backup, expected.graph);
          } else {
            // A server that shuts down cleanly first answers that the database is unavailable,
            // then closes its connections: either is a correct, clear account of what happened.
            match(
              assertOneClearLine(status, terminal),
              /^error: Cannot extract: (lost the connection to the Neo4j server at|cannot reach a Neo4j server at|the database at) 127\.0\.0\.1:\d+(: | became unavailable: the server is stopping or restarting it; )/,
            );
            await assertIncomplete(backup);
          }
          await runOk(["extract", backup, "--resume", "-q"], env);
          await assertBackupHolds(backup, expected.graph);
        },
      );

      await t.step(
        `an import whose server is killed at ${SERVER_KILL_POINTS} random points finishes exactly every time, by its retries or with --resume`,
        async () => {
          const target: KillLoopTarget = {
            dir: await freshBackup("import"),
            uri: server.info.uri,
            username: server.info.username,
            password: server.info.password,
            expected,
          };
          const fullMs = await timeImport(target);
          const seed = Number(
            Deno.env.get("NEO4J_BACKUP_FAULT_SEED") ?? Date.now() % 1_000_000,
          );
          const lines: string[] = [];
          const outcomes = await serverKillLoop(target, server, {
            points: SERVER_KILL_POINTS,
            fullMs,
            random: random(seed),
            onOutcome: (o) => lines.push(describeOutcome(o)),
          });
          console.log(
            `Import ${Math.round(fullMs)} ms, seed ${seed}:\n${
              lines.join("\n")
            }`,
          );
          for (const outcome of outcomes) {
            deepEqual(outcome.differences, [], describeOutcome(outcome));
            equal(outcome.journalsLeft, 0, describeOutcome(outcome));
          }
          equal(
            outcomes.filter((o) => o.interrupted).length,
            SERVER_KILL_POINTS,
            lines.join("\n"),
          );
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await stayAwake(server.kill());
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  },
});

/** Whether this machine lets us mount a tmpfs in a user and mount namespace. */
async function canMountTmpfs(): Promise<string | undefined> {
  const dir = await Deno.makeTempDir();
  try {
    const { success, stderr } = await new Deno.Command("unshare", {
      args: ["-rm", "sh", "-c", `mount -t tmpfs -o size=4k tmpfs "${dir}"`],
      stdout: "null",
      stderr: "piped",
    }).output();
    return success
      ? undefined
      : new TextDecoder().decode(stderr).trim() || "mount failed";
  } catch (error) {
    return (error as Error).message;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const NO_TMPFS = await canMountTmpfs();
if (NO_TMPFS) {
  console.warn(
    `faults_test: the disk-full cases are skipped: cannot mount a tmpfs with "unshare -rm" here (${NO_TMPFS})`,
  );
}

/**
 * Runs `neo4j-backup extract <tmpfs>/b` on a tmpfs of `size` bytes of its own (in a user and
 * mount namespace), then copies what it left to `out`/b. With `resumeSize`, the tmpfs is then
 * grown to that size and `extract --resume` run, and what it left copied to `out`/resumed.
 */
async function extractOnTmpfs(
  size: number,
  out: string,
  env: Record<string, string>,
  resumeSize?: number,
): Promise<{ code: number; stderr: string; resume?: ResumeOutcome }> {
  const mount = await Deno.makeTempDir();
  try {
    const script = `mount -t tmpfs -o size=${size} tmpfs "$MNT" || exit 99
"$DENO" run -A "$CLI" extract "$MNT/b" -q -j 1
code=$?
cp -a "$MNT/b" "$OUT/" 2>/dev/null
if [ -n "$RESUME" ]; then
  mount -o remount,size="$RESUME" "$MNT" || exit 98
  "$DENO" run -A "$CLI" extract "$MNT/b" --resume -q 2>"$OUT/resume.err"
  echo $? >"$OUT/resume.code"
  cp -a "$MNT/b" "$OUT/resumed" 2>/dev/null
fi
exit $code`;
    const { code, stderr } = await new Deno.Command("unshare", {
      args: ["-rm", "sh", "-c", script],
      env: {
        ...env,
        MNT: mount,
        OUT: out,
        DENO: Deno.execPath(),
        CLI,
        RESUME: resumeSize === undefined ? "" : String(resumeSize),
      },
      stdout: "null",
      stderr: "piped",
      // A hang (as a full disk once caused) fails the test instead of stalling it.
      signal: AbortSignal.timeout(180_000),
    }).output();
    return {
      code,
      stderr: new TextDecoder().decode(stderr),
      ...(resumeSize === undefined ? {} : {
        resume: {
          code: Number(await Deno.readTextFile(join(out, "resume.code"))),
          stderr: await Deno.readTextFile(join(out, "resume.err")),
        },
      }),
    };
  } finally {
    await Deno.remove(mount, { recursive: true });
  }
}

/** How `extract --resume` ended after the disk was grown. */
interface ResumeOutcome {
  code: number;
  stderr: string;
}

Deno.test({
  name:
    "an extract that fills the disk exits 1 in one clear line and leaves no complete-looking backup",
  ignore: NO_TMPFS !== undefined,
  async fn(t): Promise<void> {
    await using driver = await openDriver();
    const { database } = TARGET;
    await wipe(driver, database);
    await loadGeneratedGraph(driver, { nodes: 2000, database });
    const env = connectionEnv(TARGET);
    const work = await Deno.makeTempDir({ prefix: "faults-disk-" });
    try {
      // The same extract on a real disk: which files it writes, and their sizes (the
      // checkpoint's too, while the nodes are written and at the end). One partition at a
      // time (-j 1), so that the disk fills where the sizes say.
      const reference = join(work, "reference");
      const checkpoint = join(reference, "checkpoint.jsonl");
      let checkpointAtStart = 0;
      let checkpointAtEnd = 0;
      await new Extractor({
        projectDir: reference,
        driver,
        database,
        jobs: 1,
        onProgress: (p) => {
          if (p.phase === "nodes" && checkpointAtStart === 0) {
            checkpointAtStart = Deno.statSync(checkpoint).size;
          }
          if (p.phase === "finishing") {
            checkpointAtEnd = Deno.statSync(checkpoint).size;
          }
        },
      }).extractData();
      const expected = await snapshotGraph(driver, database);
      const page = 4096;
      const pagesOf = (bytes: number): number => Math.ceil(bytes / page) * page;
      const pages = (name: string): number =>
        pagesOf(Deno.statSync(join(reference, name)).size);
      const names = listBackup(reference);
      const data = names.filter((n) => n.startsWith("data/"));
      const legacy = names.filter((n) =>
        !n.startsWith("data/") && n !== "manifest.json"
      );
      const manifestBytes =
        Deno.statSync(join(reference, "manifest.json")).size;
      ok(manifestBytes > page, "the manifest spans more than one page");
      const marker = page; // INCOMPLETE
      const allData = data.reduce((sum, n) => sum + pages(n), 0);
      const allLegacy = legacy.reduce((sum, n) => sum + pages(n), 0);
      const room = 64 * 1024 * 1024;

      const cases: [string, number, RegExp][] = [
        ["full from the start", marker, /checkpoint\.jsonl/],
        [
          "full in the middle of the node file",
          marker + pagesOf(checkpointAtStart) +
          Math.floor(pages(data[0]!) / 2 / page) * page,
          /\.partitions\/nodes-000001\/data\/nodes\.0\.partial/,
        ],
        [
          "full in the middle of the relationship file",
          marker + pagesOf(checkpointAtEnd) + pages(data[0]!) + page,
          /\.partitions\/relationships-000001\/data\/relationships\.0\.partial/,
        ],
        [
          // Room for one page of a manifest longer than that: a write that takes only part.
          "full in the middle of the manifest",
          marker + pagesOf(checkpointAtEnd) + allData + allLegacy + page,
          /manifest\.json/,
        ],
      ];
      for (const [name, size, file] of cases) {
        await t.step(
          `${name} (${size} bytes), then --resume with room`,
          async () => {
            const out = join(work, name.replaceAll(" ", "_"));
            await Deno.mkdir(out);
            const { code, stderr, resume } = await extractOnTmpfs(
              size,
              out,
              env,
              room,
            );
            equal(code, 1, stderr);
            const lines = stderr.trim().split("\n");
            equal(lines.length, 1, stderr);
            match(
              lines[0]!,
              /^error: Cannot extract: cannot write \S+: the disk is full \(No space left on device/,
            );
            match(lines[0]!, file);
            ok(!stderr.includes(TARGET.password));
            await assertIncomplete(join(out, "b"));
            equal(resume!.code, 0, resume!.stderr);
            await assertBackupHolds(join(out, "resumed"), expected);
          },
        );
      }
      await t.step(
        "with room enough, the same extract is complete and exact",
        async () => {
          const out = join(work, "room");
          await Deno.mkdir(out);
          const { code, stderr } = await extractOnTmpfs(
            marker + allData + allLegacy + 4 * manifestBytes,
            out,
            env,
          );
          equal(code, 0, stderr);
          await assertBackupHolds(join(out, "b"), expected);
        },
      );
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

/** The test server behind a proxy, with a small generated graph loaded. */
async function networkSetup(nodes = 1500): Promise<{
  expected: GraphSnapshot;
  proxy: TcpProxy;
  env: Record<string, string>;
  dir: string;
}> {
  await using driver = await openDriver();
  const { database } = TARGET;
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes, database });
  const expected = await snapshotGraph(driver, database);
  const proxy = TcpProxy.start(TARGET.uri);
  const dir = await Deno.makeTempDir({ prefix: "faults-network-" });
  return { expected, proxy, env: connectionEnv(TARGET, proxy.uri()), dir };
}

/**
 * Backs the proxied server up into the backup folder that `importArgs` names, then runs that
 * import once, uninterrupted; returns the bytes it sent through the proxy.
 */
async function backupAndMeasureImport(
  proxy: TcpProxy,
  env: Record<string, string>,
  importArgs: string[],
): Promise<number> {
  await runOk(["extract", importArgs[1]!, "-q"], env);
  const before = proxy.bytes;
  await runOk(importArgs, env);
  return proxy.bytes - before;
}

async function assertDatabaseHolds(expected: GraphSnapshot): Promise<void> {
  await using driver = await openDriver();
  deepEqual(
    diffSnapshots(expected, await snapshotGraph(driver, TARGET.database)),
    [],
  );
}

Deno.test("an extract and an import over a slow network (delayed and throttled) are exact", async () => {
  const { expected, proxy, env, dir } = await networkSetup(800);
  try {
    proxy.delayMs = 3;
    proxy.bytesPerSecond = 4 * 1024 * 1024;
    const backup = join(dir, "backup");
    await runOk(["extract", backup, "-q"], env);
    await assertBackupHolds(backup, expected);
    await runOk(["import", backup, "--clean", "--yes", "-q"], env);
    await assertDatabaseHolds(expected);
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an extract whose connection drops mid-stream reads that partition again and is exact", async () => {
  const { expected, proxy, env, dir } = await networkSetup();
  try {
    const backup = join(dir, "backup");
    const args = ["--partition-size", "200", "-q"];
    let before = proxy.bytes;
    await runOk(["extract", backup, ...args], env);
    const full = proxy.bytes - before;
    for (const fraction of [0.2, 0.45, 0.75]) {
      before = proxy.bytes;
      const cuts = proxy.cuts;
      proxy.cutAfter(Math.round(full * fraction));
      await runOk(["extract", backup, "--yes", ...args], env);
      ok(proxy.cuts > cuts, `cut after ${fraction} of the bytes`);
      await assertBackupHolds(backup, expected);
    }
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a connection cut while it logs in is opened again, by the extract and by the import", async (t) => {
  // The driver says such a cut with its own code (ProtocolError), not ServiceUnavailable. With
  // four jobs, the connections after the first are opened for partitions and batches, which are
  // retried: the second and third are cut in HELLO.
  const { expected, proxy, env, dir } = await networkSetup(800);
  try {
    const backup = join(dir, "backup");
    // -j 2 reads in workers, each with a driver of its own (on two cores or more); -j 4 here.
    for (const jobs of ["2", "4"]) {
      await t.step(`extract -j ${jobs}`, async () => {
        const cuts = proxy.loginCuts;
        proxy.cutLogins(2, 3);
        await runOk(
          [
            "extract",
            backup,
            "--partition-size",
            "200",
            "-j",
            jobs,
            "--yes",
            "-q",
          ],
          env,
        );
        equal(proxy.loginCuts, cuts + 2);
        await assertBackupHolds(backup, expected);
      });
    }
    await t.step("import", async () => {
      const cuts = proxy.loginCuts;
      proxy.cutLogins(2, 3);
      await runOk(
        ["import", backup, "--clean", "--yes", "-j", "4", "-q"],
        env,
      );
      equal(proxy.loginCuts, cuts + 2);
      await assertDatabaseHolds(expected);
    });
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an extract whose network stays down fails in one clear line, and --resume then finishes exactly", async () => {
  const { expected, proxy, env, dir } = await networkSetup();
  try {
    const backup = join(dir, "backup");
    const args = ["--partition-size", "200", "-q"];
    let before = proxy.bytes;
    await runOk(["extract", join(dir, "measure"), ...args], env);
    const full = proxy.bytes - before;
    before = proxy.bytes;
    // Down for good from the middle on (each partition is retried for 60 s).
    proxy.cutAfter(Math.round(full * 0.5), () => proxy.refuse());
    const terminal = fakeTerminal(env);
    const status = await main(["extract", backup, ...args], terminal);
    match(
      assertOneClearLine(status, terminal),
      /^error: Cannot extract: (cannot reach a|lost the connection to the) Neo4j server at 127\.0\.0\.1:\d+: .*; the extract can continue where it stopped: run it again with --resume$/,
    );
    await assertIncomplete(backup);
    const kept = (await Deno.readTextFile(join(backup, "checkpoint.jsonl")))
      .split("\n").filter((line) => line.startsWith('{"done"')).length;
    ok(kept > 0, "partitions were recorded as done before the network went");
    proxy.accept();
    before = proxy.bytes;
    const resumed = await runOk(
      ["extract", backup, "--resume", "--partition-size", "200"],
      env,
    );
    match(resumed.stdout, new RegExp(`resumed: ${kept} of \\d+ partitions`));
    ok(
      proxy.bytes - before < full,
      "the resume read less than a whole extract",
    );
    await assertBackupHolds(backup, expected);
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an extract whose connections drop after the data was read retries its last reads and is exact", async () => {
  const { expected, proxy, dir } = await networkSetup(500);
  const driver = neo4j.driver(
    proxy.uri(),
    neo4j.auth.basic(TARGET.username, TARGET.password),
    { useBigInt: true, logging: { level: "error", logger: () => {} } },
  );
  try {
    const backup = join(dir, "backup");
    let cut = false;
    await new Extractor({
      projectDir: backup,
      driver,
      ...(TARGET.database ? { database: TARGET.database } : {}),
      onProgress: (progress) => {
        if (progress.phase === "finishing" && !cut) {
          cut = true;
          proxy.cutAll();
          proxy.refuse(1000);
        }
      },
    }).extractData();
    ok(cut);
    ok(proxy.cuts > 0);
    await assertBackupHolds(backup, expected);
  } finally {
    await driver.close();
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an import whose connections drop at any point finishes exactly through its retries", async () => {
  const { expected, proxy, env, dir } = await networkSetup();
  try {
    const backup = join(dir, "backup");
    const args = ["import", backup, "--clean", "--yes", "--batch-size", "200"];
    const full = await backupAndMeasureImport(proxy, env, [...args, "-q"]);
    const next = random(7);
    for (let i = 0; i < 4; i++) {
      const at = Math.round(full * (0.05 + 0.9 * next()));
      const cuts = proxy.cuts;
      proxy.cutAfter(at);
      const terminal = fakeTerminal(env);
      equal(
        await main([...args, "-q"], terminal),
        0,
        `cut after ${at} of ${full} bytes: ${terminal.stderr}`,
      );
      ok(proxy.cuts > cuts, "a connection was cut");
      await assertDatabaseHolds(expected);
    }
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an import that cannot reconnect for a while waits, then finishes exactly", async () => {
  const { expected, proxy, env, dir } = await networkSetup();
  try {
    const backup = join(dir, "backup");
    const args = ["import", backup, "--clean", "--yes", "--batch-size", "200"];
    const full = await backupAndMeasureImport(proxy, env, [...args, "-q"]);
    let refused = false;
    proxy.cutAfter(Math.round(full * 0.6), () => {
      refused = true;
      proxy.refuse(5000);
    });
    const started = performance.now();
    await runOk([...args, "-q"], env);
    ok(refused);
    ok(performance.now() - started > 4000, "it waited");
    await assertDatabaseHolds(expected);
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an import whose network stays down fails in one clear line, and --resume then finishes exactly", async () => {
  const { expected, proxy, env, dir } = await networkSetup();
  try {
    const backup = join(dir, "backup");
    const args = ["import", backup, "--batch-size", "200", "-q"];
    const full = await backupAndMeasureImport(proxy, env, [
      ...args,
      "--clean",
      "--yes",
    ]);
    const journals = journalNames();
    // Down for good from the middle of the nodes on (the import retries for 60 s).
    proxy.cutAfter(Math.round(full * 0.3), () => proxy.refuse());
    const terminal = fakeTerminal(env);
    const status = await main([...args, "--clean", "--yes"], terminal);
    match(
      assertOneClearLine(status, terminal),
      /^error: Cannot import backup: (cannot reach a|lost the connection to the) Neo4j server at 127\.0\.0\.1:\d+: .*; the import can continue where it stopped: run it again with --resume$/,
    );
    equal(journalNames().length, journals.length + 1, "a journal to resume");
    ok(!listBackup(backup).some((name) => name.endsWith(".journal")));
    proxy.accept();
    await runOk([...args, "--resume"], env);
    await assertDatabaseHolds(expected);
    deepEqual(journalNames(), journals);
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
});
