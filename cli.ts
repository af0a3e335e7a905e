/**
 * The `neo4j-backup` command line: `extract`, `import` and `verify`.
 *
 * ```sh
 * deno run -A jsr:@neo4j-tools/neo4j-backup/cli extract backup/ -a neo4j://localhost:7687
 * deno run -A jsr:@neo4j-tools/neo4j-backup/cli import backup/ -a neo4j://other:7687
 * ```
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import neo4j, { type Driver, DRIVER_VERSION } from "./lib/_driver.ts";
import {
  formatBytes,
  formatCount,
  formatDuration,
  parseSize,
  plural,
} from "./lib/cli/_format.ts";
import { ProgressDisplay } from "./lib/cli/_progress.ts";
import { processTerminal, type Terminal } from "./lib/cli/_terminal.ts";

export type { Terminal };
import { describeSchemaCounts } from "./lib/_schema_counts.ts";
import { BackupError } from "./lib/errors.ts";
import { Extractor } from "./lib/extract/extractor.ts";
import { Importer } from "./lib/import/importer.ts";
import { verifyBackup } from "./lib/import/verify_backup.ts";
import { VERSION } from "./lib/version.ts";

const DEFAULT_ADDRESS = "neo4j://localhost:7687";
const DEFAULT_BATCH_SIZE = 10_000;

const CONNECTION_HELP =
  `Connection (as Neo4j's own tools; flags win over the environment):
  -a, --address <uri>       Bolt URI [env: NEO4J_URI] (default: ${DEFAULT_ADDRESS})
  -u, --username <name>     User [env: NEO4J_USERNAME] (default: neo4j)
  -p, --password <secret>   Password [env: NEO4J_PASSWORD]; asked for, without echo, on a
                            terminal when missing
  -d, --database <name>     Database [env: NEO4J_DATABASE] (default: the user's home database)`;

const HELP = {
  main:
    `neo4j-backup ${VERSION}: back up and restore Neo4j databases with Cypher over Bolt

Usage:
  neo4j-backup extract <dir> [options]   Back up a database into <dir>
  neo4j-backup import <dir> [options]    Restore the backup in <dir> into a database
  neo4j-backup verify <dir>              Check a backup's files, without a database
  neo4j-backup <command> --help          Options of a command
  neo4j-backup --version                 Versions of this tool, Deno and neo4j-driver

Works with Neo4j 4.4 and later, Community or Enterprise, self-hosted or Aura: no dump files,
no APOC, no access to the server's files.`,
  extract: `Usage: neo4j-backup extract <dir> [options]

Writes every node, relationship, constraint and index of one database into <dir> as
gzip-compressed JSON (data/nodes_<N>.json.gz, data/relationships_<N>.json.gz, manifest.json).
The manifest is written last: a directory without one is an incomplete backup.

${CONNECTION_HELP}

Extract:
      --no-compress         Write plain .json files
      --indent <n>          Pretty-print records with <n> spaces (default: one record per line)
      --file-size <size>    Start a new data file after this much JSON, e.g. 64M (default: 128M)
      --no-constraints      Leave out the schema (constraints and indexes)
  -y, --yes                 Overwrite the backup in a non-empty <dir> without asking
  -q, --quiet               Print errors only
  -h, --help                This help`,
  import: `Usage: neo4j-backup import <dir> [options]

Restores the backup in <dir> (made by extract, or by the Python neo4j-backup) into a database:
nodes, relationships, then constraints and indexes. Every file is checked before anything is
written; the counts are checked after.

${CONNECTION_HELP}

Import:
      --batch-size <n>      Records per transaction (default: 10000)
      --clean               Empty the database first (data and schema), after confirmation
      --resume              Continue an import that stopped, where it stopped
      --journal <file>      The resume journal (default: <dir>/import-<database id>.journal)
      --no-schema           Leave out constraints and indexes
  -y, --yes                 Import into a non-empty database (or empty it) without asking
  -q, --quiet               Print errors only
  -h, --help                This help`,
  verify: `Usage: neo4j-backup verify <dir> [options]

Checks a backup without a database: the manifest, every file's size and SHA-256, every record,
the counts, and that every relationship's endpoints are in the backup.

  -q, --quiet               Print errors only
  -h, --help                This help`,
} as const;

type Command = "extract" | "import" | "verify";

const CONNECTION_OPTIONS = {
  address: { type: "string", short: "a" },
  username: { type: "string", short: "u" },
  password: { type: "string", short: "p" },
  database: { type: "string", short: "d" },
} as const;

const COMMON_OPTIONS = {
  yes: { type: "boolean", short: "y" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

const OPTIONS = {
  extract: {
    ...CONNECTION_OPTIONS,
    ...COMMON_OPTIONS,
    "no-compress": { type: "boolean" },
    indent: { type: "string" },
    "file-size": { type: "string" },
    "no-constraints": { type: "boolean" },
  },
  import: {
    ...CONNECTION_OPTIONS,
    ...COMMON_OPTIONS,
    "batch-size": { type: "string" },
    clean: { type: "boolean" },
    resume: { type: "boolean" },
    journal: { type: "string" },
    "no-schema": { type: "boolean" },
  },
  verify: {
    quiet: { type: "boolean", short: "q" },
    help: { type: "boolean", short: "h" },
  },
} satisfies Record<Command, ParseArgsConfig["options"]>;

/** A mistake in the command line: exit status 2. */
class UsageError extends Error {
  override name = "UsageError";
  constructor(message: string, readonly command?: Command) {
    super(message);
  }
}

type Values = Record<string, string | boolean | undefined>;

/**
 * Runs the command line with `args` and returns its exit status: 0 when it worked, 1 when it
 * failed, 2 for a usage error, 130 when interrupted. It never exits the process itself.
 *
 * @example Back up the database at NEO4J_URI
 * ```ts ignore
 * import { main } from "./cli.ts";
 * const status = await main(["extract", "backup", "--yes"]);
 * ```
 */
export async function main(
  args: string[],
  terminal: Terminal = processTerminal(),
): Promise<number> {
  // A second Ctrl-C ends main() at once, whatever the command is waiting for.
  const quit = Promise.withResolvers<number>();
  try {
    return await Promise.race([
      run(args, terminal, () => quit.resolve(130)),
      quit.promise,
    ]);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") {
      // Ctrl-C at a prompt.
      terminal.err("Interrupted\n");
      return 130;
    }
    if (error instanceof UsageError) {
      terminal.err(`error: ${error.message}\n`);
      terminal.err(
        `hint: run "neo4j-backup ${
          error.command ? `${error.command} ` : ""
        }--help" for usage\n`,
      );
      return 2;
    }
    if (error instanceof BackupError) {
      terminal.err(`error: ${error.message}${advice(error)}\n`);
      return error.code === "ABORTED" ? 130 : 1;
    }
    terminal.err(
      `error: ${(error as Error)?.stack ?? String(error)}\n` +
        "This is a bug in neo4j-backup; please report it with the lines above.\n",
    );
    return 1;
  }
}

/**
 * What to do about a failure, in this command line's flags (the library gives the fact as the
 * error's `hint`); empty when running again would fail the same way.
 */
function advice(error: BackupError): string {
  switch (error.hint) {
    case undefined:
      return "";
    case "resume":
      return "; the import can continue where it stopped: run it again with --resume";
    case "resume-smaller-batches":
      return `; the import can continue where it stopped with smaller transactions: run it again with --resume and a smaller --batch-size (default: ${DEFAULT_BATCH_SIZE})`;
    case "resume-after-fix":
      return "; --resume fails the same way until the cause is removed from the database (--clean starts over in an emptied database instead)";
    case "resume-or-clean":
      return "; continue it with --resume, or start over with --clean";
    case "confirm":
      return "; confirm with --yes";
    case "confirm-or-clean":
      return "; confirm with --yes, or empty it first with --clean";
  }
}

async function run(
  args: string[],
  terminal: Terminal,
  quitNow: () => void,
): Promise<number> {
  const [first, ...rest] = args;
  if (first === "--version" || first === "-V") {
    terminal.out(
      `neo4j-backup ${VERSION}\ndeno ${Deno.version.deno}\nneo4j-driver ${DRIVER_VERSION}\n`,
    );
    return 0;
  }
  if (first === "--help" || first === "-h") {
    terminal.out(`${HELP.main}\n`);
    return 0;
  }
  if (first === undefined) throw new UsageError("missing command");
  if (!Object.hasOwn(OPTIONS, first)) {
    throw new UsageError(
      `unknown command "${first}"${didYouMean(first, Object.keys(OPTIONS))}`,
    );
  }
  const command = first as Command;
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: OPTIONS[command],
      allowPositionals: true,
      strict: true,
    }) as { values: Values; positionals: string[] });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error as Error, command), command);
  }
  if (values.help) {
    terminal.out(`${HELP[command]}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "missing <dir>"
        : `expected one <dir>, got ${positionals.length}: ${
          positionals.join(" ")
        }`,
      command,
    );
  }
  const dir = positionals[0]!;
  const quiet = values.quiet === true;
  const progress = new ProgressDisplay(terminal, quiet);

  if (command === "verify") {
    const started = performance.now();
    try {
      const counts = await verifyBackup(dir, {
        onProgress: (p) =>
          progress.update({
            phase: p.phase,
            done: p.done,
            total: p.total,
            unit: p.phase === "checksums" ? "bytes" : "records",
          }),
      });
      progress.finish();
      if (!quiet) {
        terminal.out(
          `${dir} is intact: ${formatCount(counts.nodes)} nodes, ${
            formatCount(counts.relationships)
          } relationships in ${plural(counts.files, "file")} (${
            formatBytes(counts.bytes)
          }), checked in ${formatDuration(performance.now() - started)}\n`,
        );
      }
      return 0;
    } finally {
      progress.finish();
    }
  }

  const options = command === "extract"
    ? extractOptions(values)
    : importOptions(values);
  const connection = await connectionOptions(values, terminal, command);
  const abort = new AbortController();
  const confirm = async (question: string): Promise<boolean> => {
    if (!terminal.interactive.stdin) return false;
    progress.finish();
    terminal.err(`${question} [y/N] `);
    // Ctrl-C while the question waits stops the command as it would at any other point.
    const stopped = Promise.withResolvers<never>();
    const onAbort = (): void => stopped.reject(abort.signal.reason);
    abort.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const answer = await Promise.race([
        terminal.readLine(true),
        stopped.promise,
      ]);
      return /^y(es)?$/i.test(answer?.trim() ?? "");
    } finally {
      abort.signal.removeEventListener("abort", onAbort);
    }
  };

  let interrupted = false;
  const stopListening = terminal.onInterrupt(() => {
    if (interrupted) {
      terminal.err("Quitting at once\n");
      quitNow();
      return;
    }
    interrupted = true;
    progress.finish();
    terminal.err("\nStopping (Ctrl-C again to quit at once)...\n");
    abort.abort();
  });
  const driver: Driver = createDriver(connection, command);
  try {
    if (command === "extract") {
      const counts = await new Extractor({
        projectDir: dir,
        driver,
        ...(connection.database ? { database: connection.database } : {}),
        ...options,
        confirm,
        signal: abort.signal,
        onProgress: (p) =>
          progress.update({
            phase: p.phase,
            done: p.done,
            total: p.total,
            bytes: p.bytes,
          }),
      }).extractData();
      progress.finish();
      if (counts.writesDetected) {
        terminal.err(
          "warning: the database changed while it was extracted; the backup may not be consistent (see consistency in manifest.json)\n",
        );
      }
      if (!quiet) {
        terminal.out(
          `Extracted ${formatCount(counts.nodes)} nodes and ${
            formatCount(counts.relationships)
          } relationships (${describeSchemaCounts(counts)}) into ${dir} in ${
            formatDuration(counts.elapsedMs)
          }: ${plural(counts.files, "file")}, ${formatBytes(counts.bytes)}\n`,
        );
      }
    } else {
      const counts = await new Importer({
        projectDir: dir,
        driver,
        ...(connection.database ? { database: connection.database } : {}),
        ...options,
        confirm,
        signal: abort.signal,
        onProgress: (p) =>
          progress.update({
            phase: p.phase,
            done: p.done,
            total: p.total,
            unit: p.phase === "checksums" ? "bytes" : "records",
          }),
      }).importData();
      progress.finish();
      for (const item of counts.skipped) {
        terminal.err(
          `warning: ${item.kind} ${
            JSON.stringify(item.name)
          } (${item.type}) was not created: ${item.reason}\n`,
        );
      }
      if (!quiet) {
        terminal.out(
          `Imported ${formatCount(counts.nodes)} nodes and ${
            formatCount(counts.relationships)
          } relationships (${describeSchemaCounts(counts)}) from ${dir}${
            counts.resumed ? " (resumed)" : ""
          } in ${formatDuration(counts.elapsedMs)}; counts verified\n`,
        );
      }
    }
    return 0;
  } catch (error) {
    // The library cannot see the address and user name inside the driver; name them here.
    if (error instanceof BackupError && error.code === "CONNECTION") {
      const address = redactAddress(connection.address);
      const message = error.message
        .replace(
          /(refused the credentials|blocks logins)(?= after|$)/,
          `$1 of user ${JSON.stringify(connection.username)}`,
        )
        .replace(
          /(cannot reach a Neo4j server|the server)(?=:| refused| blocks| has no)/,
          `$1 at ${address}`,
        );
      throw error.with({ message });
    }
    throw error;
  } finally {
    progress.finish();
    stopListening();
    await driver.close();
  }
}

interface Connection {
  address: string;
  username: string;
  password: string;
  database: string | undefined;
}

async function connectionOptions(
  values: Values,
  terminal: Terminal,
  command: Command,
): Promise<Connection> {
  const address = (values.address as string | undefined) ??
    terminal.env("NEO4J_URI") ?? DEFAULT_ADDRESS;
  const username = (values.username as string | undefined) ??
    terminal.env("NEO4J_USERNAME") ?? "neo4j";
  let password = (values.password as string | undefined) ??
    terminal.env("NEO4J_PASSWORD");
  if (password === undefined) {
    if (!terminal.interactive.stdin) {
      throw new UsageError(
        "no password: give --password or set NEO4J_PASSWORD (or run on a terminal to be asked)",
        command,
      );
    }
    terminal.err(`Password for ${username} at ${address}: `);
    password = await terminal.readLine(false) ?? "";
  }
  const database = (values.database as string | undefined) ??
    (terminal.env("NEO4J_DATABASE") || undefined);
  return { address, username, password, database };
}

function createDriver(connection: Connection, command: Command): Driver {
  try {
    return neo4j.driver(
      connection.address,
      neo4j.auth.basic(connection.username, connection.password),
      {
        useBigInt: true,
        userAgent: `neo4j-backup/${VERSION}`,
        logging: { level: "error", logger: () => {} },
        connectionTimeout: 30_000,
        maxTransactionRetryTime: 30_000,
      },
    );
  } catch (error) {
    // A permission the process lacks is not the user's typing error.
    if (
      error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) throw error;
    throw new UsageError(
      `invalid --address ${
        JSON.stringify(redactAddress(connection.address))
      }: ${(error as Error).message.split("\n")[0]}`,
      command,
    );
  }
}

/** An address as it may be shown: without a user name and password in it (`bolt://u:p@host`). */
function redactAddress(address: string): string {
  return address.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, "$1");
}

function extractOptions(values: Values): {
  inputYes: boolean;
  compress: boolean;
  indentSize: number;
  jsonFileSize?: number;
  pullUniquenessConstraints: boolean;
} {
  const indent = integer(values.indent, "--indent", 0, 10, "extract") ?? 0;
  let fileSize: number | undefined;
  if (typeof values["file-size"] === "string") {
    try {
      fileSize = parseSize(values["file-size"]);
    } catch (error) {
      throw new UsageError(
        `--file-size: ${(error as Error).message}`,
        "extract",
      );
    }
  }
  return {
    inputYes: values.yes === true,
    compress: values["no-compress"] !== true,
    indentSize: indent,
    ...(fileSize === undefined ? {} : { jsonFileSize: fileSize }),
    pullUniquenessConstraints: values["no-constraints"] !== true,
  };
}

function importOptions(values: Values): {
  inputYes: boolean;
  batchSize?: number;
  clean: boolean;
  resume: boolean;
  journal?: string;
  schema: boolean;
} {
  const batchSize = integer(
    values["batch-size"],
    "--batch-size",
    1,
    1_000_000,
    "import",
  );
  if (values.clean && values.resume) {
    throw new UsageError("--clean and --resume exclude each other", "import");
  }
  return {
    inputYes: values.yes === true,
    ...(batchSize === undefined ? {} : { batchSize }),
    clean: values.clean === true,
    resume: values.resume === true,
    ...(typeof values.journal === "string" ? { journal: values.journal } : {}),
    schema: values["no-schema"] !== true,
  };
}

function integer(
  value: string | boolean | undefined,
  flag: string,
  min: number,
  max: number,
  command: Command,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(
      `${flag} must be an integer from ${min} to ${max}, got "${value}"`,
      command,
    );
  }
  return n;
}

/** The message of a parseArgs error, in this tool's words, with a suggestion for a typo. */
function parseArgsMessage(error: Error, command: Command): string {
  const message = error.message.replace(/\. To specify a positional.*$/s, "");
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) {
    const flags = Object.entries(OPTIONS[command]).flatMap((
      [name, option],
    ) => ["short" in option ? `-${option.short}` : [], `--${name}`].flat());
    return `unknown option ${unknown[1]}${didYouMean(unknown[1]!, flags)}`;
  }
  return message[0]!.toLowerCase() + message.slice(1);
}

/** `; did you mean "x"?` for the closest of `candidates`, when one is close enough. */
function didYouMean(word: string, candidates: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const limit = Math.max(1, Math.floor(word.replace(/^-+/, "").length / 3));
  return best !== undefined && bestDistance <= limit
    ? `; did you mean ${best}?`
    : "";
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const d = Array.from(
    { length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i || j),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(
        d[i - 1]![j]! + 1,
        row[j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

if (import.meta.main) {
  // main() has finished its work (or was told to quit at once by a second Ctrl-C): end now,
  // whatever is still pending.
  Deno.exit(await main(Deno.args));
}
