/**
 * The command line without a database: help, versions, usage errors, the password prompt.
 *
 * @module
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { main } from "../cli.ts";
import {
  extractOptions,
  importOptions,
  parseCommandLine,
  selectionFlag,
} from "../lib/cli/_args.ts";
import { fakeTerminal } from "./_cli.ts";

Deno.test("main() prints help and versions on stdout with status 0", async (t) => {
  for (
    const [args, pattern] of [
      [["--help"], /Usage:\n {2}neo4j-backup extract <dir>/],
      [["-h"], /neo4j-backup import <dir>/],
      [["extract", "--help"], /--file-size <size>/],
      [["import", "-h"], /--resume/],
      [["verify", "--help"], /Checks a backup/],
      [["list", "--help"], /--json/],
      [["extract", "--help"], /--exclude-label <label>/],
      [["import", "--help"], /--rename-label <old=new>/],
      [["--help"], /neo4j-backup list <dir> \[--json\]/],
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
    [["import", "d", "--jobs", "0"], /--jobs must be an integer from 1 to 64/],
    [
      ["import", "d", "--batch-bytes", "lots"],
      /--batch-bytes: "lots" is not a size/,
    ],
    [
      ["import", "d", "--clean", "--resume"],
      /--clean and --resume exclude each other/,
    ],
    [["import", "d", "-p", "x", "-a", "nonsense://host"], /invalid --address/],
    [
      ["extract", "d", "--schema-only", "--data-only"],
      /error: --schema-only and --data-only exclude each other\n/,
    ],
    [
      ["import", "d", "--data-only", "--schema-only"],
      /error: --schema-only and --data-only exclude each other\n/,
    ],
    [
      ["import", "d", "--schema-only", "--no-schema"],
      /error: --schema-only and --no-schema exclude each other\n/,
    ],
    [
      ["extract", "d", "--schema-only", "--no-constraints"],
      /error: --schema-only and --no-constraints exclude each other\n/,
    ],
    [
      ["extract", "d", "--label", ""],
      /error: --label must be a non-empty name, got ""\n/,
    ],
    [
      ["import", "d", "--exclude-type="],
      /error: --exclude-type must be a non-empty name, got ""\n/,
    ],
    [
      ["extract", "d", "--label", "Person", "--exclude-label", "Person"],
      /error: --label and --exclude-label both name "Person"\n/,
    ],
    [
      ["import", "d", "--type", "KNOWS", "--exclude-type", "KNOWS"],
      /error: --type and --exclude-type both name "KNOWS"\n/,
    ],
    [
      ["import", "d", "--rename-label", "Person"],
      /error: --rename-label must be <old>=<new>, got "Person"\n/,
    ],
    [
      ["import", "d", "--rename-label", "=Human"],
      /error: --rename-label must be <old>=<new>, got "=Human"\n/,
    ],
    [
      ["import", "d", "--rename-type", "KNOWS="],
      /error: --rename-type must be <old>=<new>, got "KNOWS="\n/,
    ],
    [
      ["import", "d", "--rename-label", "A=B", "--rename-label", "A=C"],
      /error: --rename-label renames "A" twice: to "B" and to "C"\n/,
    ],
    [
      ["extract", "d", "--rename-label", "A=B"],
      /error: unknown option --rename-label\n/,
    ],
    [["extract", "d", "--lable", "A"], /did you mean --label\?\n/],
    [["list"], /error: missing <dir>\n/],
    [["list", "a", "b"], /error: expected one <dir>, got 2/],
    [["list", "d", "--jsno"], /did you mean --json\?\n/],
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

Deno.test("extractOptions() and importOptions() give the engines the selection and batch flags", async (t) => {
  const none = {
    labels: [],
    excludeLabels: [],
    types: [],
    excludeTypes: [],
    schema: true,
    data: true,
  };
  const cases: [string[], Record<string, unknown>][] = [
    [["extract", "d"], { ...none }],
    [["import", "d"], { ...none, renameLabels: {}, renameTypes: {} }],
    [
      [
        "extract",
        "d",
        "--label",
        "Person",
        "--label",
        "Movie",
        "--label",
        "Person",
        "--exclude-label",
        "Bot",
        "--type",
        "ACTED_IN",
        "--exclude-type",
        "KNOWS",
      ],
      {
        ...none,
        labels: ["Person", "Movie"],
        excludeLabels: ["Bot"],
        types: ["ACTED_IN"],
        excludeTypes: ["KNOWS"],
      },
    ],
    [["extract", "d", "--schema-only"], { ...none, data: false }],
    [["extract", "d", "--data-only"], { ...none, schema: false }],
    [["extract", "d", "--no-schema"], { ...none, schema: false }],
    [["extract", "d", "--no-constraints"], { ...none, schema: false }],
    [["import", "d", "--schema-only", "--label", "Person"], {
      ...none,
      labels: ["Person"],
      data: false,
      renameLabels: {},
      renameTypes: {},
    }],
    [["import", "d", "--data-only", "--no-schema"], {
      ...none,
      schema: false,
      renameLabels: {},
      renameTypes: {},
    }],
    [
      [
        "import",
        "d",
        "--label=Person",
        "--rename-label",
        "Person=Human",
        "--rename-label",
        "Person=Human",
        "--rename-label",
        "a=b=c",
        "--rename-label",
        "__proto__=Proto",
        "--rename-type",
        "KNOWS=FRIEND_OF",
      ],
      {
        ...none,
        labels: ["Person"],
        renameLabels: Object.fromEntries([
          ["Person", "Human"],
          ["a", "b=c"],
          ["__proto__", "Proto"],
        ]),
        renameTypes: { KNOWS: "FRIEND_OF" },
      },
    ],
    [["import", "d", "-j", "3", "--batch-bytes", "2M"], {
      jobs: 3,
      batchBytes: 2 << 20,
    }],
  ];
  for (const [args, expected] of cases) {
    await t.step(args.join(" "), () => {
      const { command, values } = parseCommandLine(args);
      const options = command === "extract"
        ? extractOptions(values)
        : importOptions(values);
      const selection = Object.fromEntries(
        Object.keys(expected).map((key) => [
          key,
          options[key as keyof typeof options],
        ]),
      );
      deepEqual(selection, expected);
    });
  }
  await t.step("the warning names the flag a name came from", () => {
    const { values } = parseCommandLine([
      "import",
      "d",
      "--label",
      "A",
      "--exclude-label",
      "B",
      "--exclude-type",
      "T",
    ]);
    equal(selectionFlag(values, "label", "A"), "--label");
    equal(selectionFlag(values, "label", "B"), "--exclude-label");
    equal(selectionFlag(values, "type", "T"), "--exclude-type");
  });
});
