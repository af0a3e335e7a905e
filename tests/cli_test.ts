import { equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { main } from "../cli.ts";
import type { Terminal } from "../lib/cli/_terminal.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

interface FakeTerminal extends Terminal {
  stdout: string;
  stderr: string;
}

/** A terminal that records what is written and answers prompts from a script. */
function fakeTerminal(
  env: Record<string, string> = {},
  options: { interactive?: boolean; answers?: string[] } = {},
): FakeTerminal {
  const answers = [...(options.answers ?? [])];
  const terminal: FakeTerminal = {
    stdout: "",
    stderr: "",
    out: (text) => void (terminal.stdout += text),
    err: (text) => void (terminal.stderr += text),
    interactive: {
      stderr: options.interactive ?? false,
      stdin: options.interactive ?? false,
    },
    readLine: () => Promise.resolve(answers.shift()),
    env: (name) => env[name],
  };
  return terminal;
}

async function connectionEnv(): Promise<Record<string, string>> {
  const target = await testTarget();
  return {
    NEO4J_URI: target.uri,
    NEO4J_USERNAME: target.username,
    NEO4J_PASSWORD: target.password,
    ...(target.database ? { NEO4J_DATABASE: target.database } : {}),
  };
}

Deno.test("main() prints help and versions on stdout with status 0", async (t) => {
  for (
    const [args, pattern] of [
      [["--help"], /Usage:\n {2}neo4j-backup extract <dir>/],
      [["-h"], /neo4j-backup import <dir>/],
      [["extract", "--help"], /--file-size <size>/],
      [["import", "-h"], /--resume/],
      [["verify", "--help"], /Checks a backup/],
      [
        ["--version"],
        /^neo4j-backup \d+\.\d+\.\d+\ndeno \d+\.\d+\.\d+\nneo4j-driver 6\.\d+\.\d+\n$/,
      ],
    ] as const
  ) {
    await t.step(args.join(" "), async () => {
      const terminal = fakeTerminal();
      equal(await main([...args], terminal), 0);
      match(terminal.stdout, pattern);
      equal(terminal.stderr, "");
    });
  }
});

Deno.test("main() reports usage errors on stderr with a hint and status 2", async (t) => {
  const cases: [string[], RegExp][] = [
    [[], /error: missing command/],
    [["backup"], /error: unknown command "backup"/],
    [["extract"], /error: missing <dir>/],
    [["extract", "a", "b"], /error: expected one <dir>, got 2/],
    [["extract", "d", "--bogus"], /error: Unknown option '--bogus'/],
    [
      ["extract", "d", "--indent", "x"],
      /--indent must be an integer from 0 to 10/,
    ],
    [
      ["extract", "d", "--file-size", "lots"],
      /--file-size: "lots" is not a size/,
    ],
    [
      ["import", "d", "--batch-size", "0"],
      /--batch-size must be an integer from 1/,
    ],
    [
      ["import", "d", "--clean", "--resume"],
      /--clean and --resume exclude each other/,
    ],
    [["import", "d", "-p", "x", "-a", "nonsense://host"], /invalid --address/],
  ];
  for (const [args, pattern] of cases) {
    await t.step(args.join(" ") || "(nothing)", async () => {
      const terminal = fakeTerminal();
      equal(await main(args, terminal), 2);
      match(terminal.stderr, pattern);
      match(
        terminal.stderr,
        /\nhint: run "neo4j-backup .*--help" for usage\n$/,
      );
      equal(terminal.stdout, "");
    });
  }
});

Deno.test("main() wants a password and asks for none without a terminal", async () => {
  const terminal = fakeTerminal({ NEO4J_URI: "bolt://127.0.0.1:1" });
  equal(await main(["extract", "somewhere"], terminal), 2);
  match(
    terminal.stderr,
    /error: no password: give --password or set NEO4J_PASSWORD/,
  );
});

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
      /^Extracted 500 nodes and 250 relationships \(0 constraints, 2 indexes\) into .* in .*: 2 files, .*\n$/,
    );

    terminal = fakeTerminal(env);
    equal(await main(["extract", backup], terminal), 1);
    match(terminal.stderr, /is not empty; confirm with --yes/);

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
      /is not empty \(500 nodes, 250 relationships.*confirm with --yes/,
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
