/**
 * The `neo4j-backup` command line: `extract`, `import`, `verify` and `list`.
 *
 * ```sh
 * deno run -A jsr:@neo4j-tools/neo4j-backup/cli extract backup/ -a neo4j://localhost:7687
 * deno run -A jsr:@neo4j-tools/neo4j-backup/cli import backup/ -a neo4j://other:7687
 * ```
 *
 * @module
 */
import { DRIVER_VERSION } from "./lib/_driver.ts";
import { type Command, parseCommandLine, UsageError } from "./lib/cli/_args.ts";
import {
  type CommandInput,
  extractCommand,
  importCommand,
  listCommand,
  verifyCommand,
} from "./lib/cli/_commands.ts";
import { HELP } from "./lib/cli/_help.ts";
import { atLocation } from "./lib/cli/_location.ts";
import { failureLine } from "./lib/cli/_messages.ts";
import { ProgressDisplay } from "./lib/cli/_progress.ts";
import { CommandFailure } from "./lib/cli/_session.ts";
import { processTerminal, type Terminal } from "./lib/cli/_terminal.ts";
import { BackupError } from "./lib/errors.ts";
import { VERSION } from "./lib/version.ts";

export type { Terminal };

const COMMANDS: Record<Command, (input: CommandInput) => Promise<number>> = {
  extract: extractCommand,
  import: importCommand,
  verify: verifyCommand,
  list: listCommand,
};

/**
 * Runs the command line with `args` and returns its exit status: 0 when it worked, 1 when it
 * failed, 2 for a usage error, 130 when interrupted. It never exits the process itself.
 *
 * @example Print the versions, as `neo4j-backup --version` does
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { main } from "./cli.ts";
 *
 * equal(await main(["--version"]), 0);
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
    return report(error, terminal);
  }
}

async function run(
  args: string[],
  terminal: Terminal,
  quitNow: () => void,
): Promise<number> {
  const [first] = args;
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
  const { command, values, dir } = parseCommandLine(args);
  if (dir === undefined) {
    terminal.out(`${HELP[command]}\n`);
    return 0;
  }
  const progress = new ProgressDisplay(terminal, values.quiet === true);
  return await atLocation(
    { dir, values, terminal, progress, quitNow },
    COMMANDS[command],
  );
}

/** Prints what went wrong, and returns the exit status for it. */
function report(error: unknown, terminal: Terminal): number {
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
  const [failure, who] = error instanceof CommandFailure
    ? [error.error, error.who]
    : [error, undefined];
  if (failure instanceof BackupError) {
    terminal.err(`error: ${failureLine(failure, who)}\n`);
    return failure.code === "ABORTED" ? 130 : 1;
  }
  terminal.err(
    `error: ${(error as Error)?.stack ?? String(error)}\n` +
      "This is a bug in neo4j-backup; please report it with the lines above.\n",
  );
  return 1;
}

if (import.meta.main) {
  // main() has finished its work (or was told to quit at once by a second Ctrl-C): end now,
  // whatever is still pending.
  Deno.exit(await main(Deno.args));
}
