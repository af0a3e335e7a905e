/**
 * The command line without a database: help, versions, usage errors, the password prompt.
 *
 * @module
 */
import { equal, match } from "node:assert/strict";
import { main } from "../cli.ts";
import { fakeTerminal } from "./_cli.ts";

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
    [["extract", "d", "--bogus"], /error: unknown option --bogus\n/],
    [
      ["extract", "d", "--adress", "bolt://h"],
      /error: unknown option --adress; did you mean --address\?\n/,
    ],
    [
      ["import", "d", "--batchsize", "5"],
      /error: unknown option --batchsize; did you mean --batch-size\?\n/,
    ],
    [
      ["extrcat", "d"],
      /error: unknown command "extrcat"; did you mean extract\?\n/,
    ],
    [["constructor", "d"], /error: unknown command "constructor"\n/],
    [
      ["extract", "d", "--indent"],
      /error: option '--indent <value>' argument missing/,
    ],
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

Deno.test("main() exits 130, not as a bug, when Ctrl-C ends the password prompt", async () => {
  const terminal = fakeTerminal({ NEO4J_URI: "bolt://127.0.0.1:1" }, {
    interactive: true,
    readLine: () => Promise.reject(new DOMException("Cancelled", "AbortError")),
  });
  equal(await main(["extract", "somewhere"], terminal), 130);
  match(
    terminal.stderr,
    /^Password for neo4j at bolt:\/\/127\.0\.0\.1:1: Interrupted\n$/,
  );
  equal(terminal.stdout, "");
});

Deno.test("main() wants a password and asks for none without a terminal", async () => {
  const terminal = fakeTerminal({ NEO4J_URI: "bolt://127.0.0.1:1" });
  equal(await main(["extract", "somewhere"], terminal), 2);
  match(
    terminal.stderr,
    /error: no password: give --password or set NEO4J_PASSWORD/,
  );
});
