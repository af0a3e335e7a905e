import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../cli.ts";
import { loadFaultGraph } from "../dev/fault_loop.ts";
import { diffSnapshots, type GraphSnapshot, snapshotGraph } from "./_graph.ts";
import { TcpProxy } from "./_proxy.ts";
import { fakeTerminal } from "./_cli.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

async function connectionEnv(): Promise<Record<string, string>> {
  const target = await testTarget();
  return {
    NEO4J_URI: target.uri,
    NEO4J_USERNAME: target.username,
    NEO4J_PASSWORD: target.password,
    ...(target.database ? { NEO4J_DATABASE: target.database } : {}),
  };
}

Deno.test("main() fails in one line, without the password, when it cannot connect", async (t) => {
  const env = await connectionEnv();
  const secret = "Sup3r-s3cret-pa55word";
  const dir = await Deno.makeTempDir();
  try {
    // A backup to import, so that import gets as far as connecting.
    await using driver = await openDriver();
    await wipe(driver, (await testTarget()).database);
    equal(await main(["extract", join(dir, "b")], fakeTerminal(env)), 0);
    const cases: [string, string[], RegExp][] = [
      [
        "wrong password",
        ["-p", secret],
        /refused the credentials of user "neo4j"/,
      ],
      [
        "unknown user",
        ["-u", "nobody-here", "-p", secret],
        /refused the credentials of user "nobody-here"/,
      ],
      [
        "unreachable server",
        ["-a", "bolt://127.0.0.1:9", "-p", secret],
        /cannot reach a Neo4j server/,
      ],
      [
        "unknown database",
        ["-d", "no-such-db"],
        /has no database "no-such-db"/,
      ],
    ];
    for (const [name, args, pattern] of cases) {
      await t.step(name, async () => {
        for (const command of ["extract", "import"]) {
          const terminal = fakeTerminal(env);
          equal(await main([command, join(dir, "b"), ...args], terminal), 1);
          match(terminal.stderr, pattern);
          equal(terminal.stderr.trim().split("\n").length, 1, terminal.stderr);
          ok(
            !terminal.stderr.includes(secret) &&
              !terminal.stdout.includes(secret),
          );
          ok(!terminal.stderr.includes(env.NEO4J_PASSWORD!));
          ok(!/\bat .*\.ts:\d+/.test(terminal.stderr), "no stack trace");
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() extracts, refuses to overwrite without confirmation, imports and verifies", async () => {
  const env = await connectionEnv();
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await driver.executeQuery(
    "UNWIND range(1, 250) AS i CREATE (:Person {name: 'p' + i, born: 1900 + i})-[:LIKES {w: toFloat(i)}]->(:Thing {i: i})",
    {},
    { database },
  );
  const dir = await Deno.makeTempDir();
  const backup = join(dir, "backup");
  try {
    let terminal = fakeTerminal(env);
    equal(await main(["extract", backup], terminal), 0, terminal.stderr);
    match(
      terminal.stdout,
      /^Extracted 500 nodes and 250 relationships \(0 constraints, 0 indexes \(not counting 2 lookup indexes\)\) into .* in .*: 2 files, .*\n$/,
    );

    terminal = fakeTerminal(env);
    equal(await main(["extract", backup], terminal), 1);
    match(
      terminal.stderr,
      /^error: Cannot extract: .* is not empty \(\d+ entries\) and overwriting the backup in it was not confirmed; confirm with --yes\n$/,
    );

    terminal = fakeTerminal(env, { interactive: true, answers: ["n"] });
    equal(await main(["extract", backup], terminal), 1);
    match(terminal.stderr, /Overwrite the backup in it\? \[y\/N\] /);

    terminal = fakeTerminal(env, { interactive: true, answers: ["y"] });
    equal(await main(["extract", backup, "-q"], terminal), 0, terminal.stderr);
    equal(terminal.stdout, "");

    terminal = fakeTerminal(env);
    equal(await main(["import", backup], terminal), 1);
    match(
      terminal.stderr,
      /is not empty \(500 nodes, 250 relationships.*\); confirm with --yes, or empty it first with --clean\n$/,
    );
    ok(!/inputYes/.test(terminal.stderr), terminal.stderr);

    // The question says what a yes does: the backup is added to what is there.
    terminal = fakeTerminal(env, { interactive: true, answers: ["n"] });
    equal(await main(["import", backup], terminal), 1);
    match(
      terminal.stderr,
      /Import into it anyway\? The backup's nodes, relationships and schema are added to what it holds; nothing in it is changed or deleted\. \[y\/N\] /,
    );

    terminal = fakeTerminal(env);
    equal(
      await main(["import", backup, "--clean", "--yes"], terminal),
      0,
      terminal.stderr,
    );
    match(
      terminal.stdout,
      /^Imported 500 nodes and 250 relationships .*counts verified\n$/,
    );

    terminal = fakeTerminal(env);
    equal(await main(["verify", backup], terminal), 0, terminal.stderr);
    match(
      terminal.stdout,
      /is intact: 500 nodes, 250 relationships in 2 files/,
    );

    const [file] = [...Deno.readDirSync(join(backup, "data"))].map((e) =>
      e.name
    ).sort();
    const path = join(backup, "data", file!);
    const bytes = await Deno.readFile(path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await Deno.writeFile(path, bytes);
    terminal = fakeTerminal(env);
    equal(await main(["verify", backup], terminal), 1);
    match(
      terminal.stderr,
      new RegExp(
        `error: .*data/${
          file!.replace(".", "\\.")
        } does not match its checksum`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A backup of the fault graph (relationships enough for many batches), and its snapshot. */
async function faultGraphBackup(dir: string): Promise<GraphSnapshot> {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await loadFaultGraph(driver, 1500, database);
  const expected = await snapshotGraph(driver, database);
  equal(
    await main(
      ["extract", join(dir, "backup"), "-q"],
      fakeTerminal(await connectionEnv()),
    ),
    0,
  );
  await wipe(driver, database);
  return expected;
}

Deno.test("main() stops an import at the first Ctrl-C in the relationships phase, and --resume finishes it exactly", async () => {
  const env = await connectionEnv();
  const dir = await Deno.makeTempDir();
  try {
    const expected = await faultGraphBackup(dir);
    const backup = join(dir, "backup");
    // A live progress line shows the phase.
    const terminal = fakeTerminal(env, { interactive: true });
    const run = main(["import", backup, "--batch-size", "20"], terminal);
    const deadline = Date.now() + 120_000;
    // deno-lint-ignore no-control-regex
    while (!/\r\x1b\[2Krelationships/.test(terminal.stderr)) {
      ok(Date.now() < deadline, `no relationships phase: ${terminal.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    terminal.interrupt();
    equal(await run, 130, terminal.stderr);
    match(terminal.stderr, /Stopping \(Ctrl-C again to quit at once\)\.\.\./);
    match(
      terminal.stderr,
      /\nerror: Cannot import backup: cancelled; the import can continue where it stopped: run it again with --resume\n$/,
    );
    await using driver = await openDriver();
    const { database } = await testTarget();
    const { records } = await driver.executeQuery(
      "MATCH ()-[r]->() RETURN count(r) AS count",
      {},
      { database },
    );
    ok(
      Number(records[0]!.get("count")) < expected.relationships.length,
      "the import stopped before its end",
    );
    equal(
      await main(["import", backup, "--resume", "-q"], fakeTerminal(env)),
      0,
    );
    deepEqual(
      diffSnapshots(expected, await snapshotGraph(driver, database)),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "neo4j-backup quits at the second Ctrl-C at once, even while a query hangs",
  // The proxy's held chunks outlive the test by a few seconds.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(): Promise<void> {
    const target = await testTarget();
    const dir = await Deno.makeTempDir();
    await using proxy = TcpProxy.start(target.uri);
    try {
      await faultGraphBackup(dir);
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          fileURLToPath(new URL("../cli.ts", import.meta.url)),
          "import",
          join(dir, "backup"),
          "--batch-size",
          "20",
        ],
        env: { ...(await connectionEnv()), NEO4J_URI: proxy.uri() },
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const stderr = new Response(child.stderr).text();
      const deadline = Date.now() + 120_000;
      while (proxy.bytes < 200_000) {
        ok(Date.now() < deadline, "the import got going");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // Every answer of the server is now held for 20 s: the first Ctrl-C waits for the
      // transaction in flight, the second does not.
      proxy.delayMs = 20_000;
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 500));
      const second = performance.now();
      child.kill("SIGINT");
      const status = await child.status;
      const waited = performance.now() - second;
      const text = await stderr;
      equal(status.code, 130, text);
      match(
        text,
        /Stopping \(Ctrl-C again to quit at once\)\.\.\.\nQuitting at once\n$/,
      );
      ok(
        waited < 10_000,
        `it quit ${Math.round(waited)} ms after the second Ctrl-C`,
      );
    } finally {
      proxy.delayMs = 0;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
