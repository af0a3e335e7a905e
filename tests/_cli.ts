/**
 * Helpers for tests that drive the command line in-process (`main()`) and check what it did to a
 * database.
 *
 * @module
 */
import { equal, ok } from "node:assert/strict";
import type { Driver } from "neo4j-driver";
import { main } from "../cli.ts";
import type { Terminal } from "../lib/cli/_terminal.ts";
import { processEnv, stateDir } from "../lib/_state_dir.ts";
import type { TestTarget } from "./_neo4j.ts";

/** A terminal that records what is written, and can be sent a Ctrl-C. */
export interface FakeTerminal extends Terminal {
  stdout: string;
  stderr: string;
  /** Sends a Ctrl-C, as the process's SIGINT would. */
  interrupt(): void;
}

/** Options of {@linkcode fakeTerminal}. */
export interface FakeTerminalOptions {
  /** Whether standard input and standard error are terminals. */
  interactive?: boolean;
  /** The lines typed at prompts, in order (then end of input). */
  answers?: string[];
  /** Replaces the scripted answers, e.g. to reject as Ctrl-C at a prompt does. */
  readLine?: Terminal["readLine"];
}

const STATE_VARIABLES = ["NEO4J_BACKUP_STATE_DIR", "XDG_STATE_HOME", "HOME"];

/** The import journals in the state folder now (to compare before and after an import). */
export function journalNames(): string[] {
  try {
    return [...Deno.readDirSync(stateDir(processEnv))]
      .map((e) => e.name).filter((n) => n.endsWith(".journal")).sort();
  } catch {
    return [];
  }
}

/**
 * A terminal that records what is written, reads `env` as its environment and answers prompts
 * from a script; not interactive unless asked.
 */
export function fakeTerminal(
  env: Record<string, string> = {},
  options: FakeTerminalOptions = {},
): FakeTerminal {
  const answers = [...(options.answers ?? [])];
  const listeners = new Set<() => void>();
  const terminal: FakeTerminal = {
    stdout: "",
    stderr: "",
    out: (text) => void (terminal.stdout += text),
    err: (text) => void (terminal.stderr += text),
    interactive: {
      stderr: options.interactive ?? false,
      stdin: options.interactive ?? false,
    },
    readLine: options.readLine ?? (() => Promise.resolve(answers.shift())),
    // The state folder's variables come from the process unless given: the CLI's journals and
    // working copies go where the library's do (dev/run_tests.ts points them at a folder of
    // the run's own).
    env: (name) =>
      env[name] ??
        (STATE_VARIABLES.includes(name) ? processEnv(name) : undefined),
    onInterrupt: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    interrupt: () => {
      for (const listener of [...listeners]) listener();
    },
  };
  return terminal;
}

/** Runs the command line in-process with `env`; fails (showing its stderr) unless it exits 0. */
export async function runOk(
  args: string[],
  env: Record<string, string>,
): Promise<FakeTerminal> {
  const terminal = fakeTerminal(env);
  equal(await main(args, terminal), 0, terminal.stderr);
  return terminal;
}

/** NEO4J_* variables for a target, with another URI when given. */
export function connectionEnv(
  target: TestTarget,
  uri = target.uri,
): Record<string, string> {
  return {
    NEO4J_URI: uri,
    NEO4J_USERNAME: target.username,
    NEO4J_PASSWORD: target.password,
    ...(target.database ? { NEO4J_DATABASE: target.database } : {}),
  };
}

/**
 * Checks that a command failed the way a user should see it: status 1, exactly one `error:` line
 * (progress lines aside), no stack trace, nothing on stdout; returns the error line.
 */
export function assertOneClearLine(
  status: number,
  terminal: FakeTerminal,
): string {
  equal(status, 1, `status ${status}; stderr: ${terminal.stderr}`);
  const errors = terminal.stderr.split("\n").filter((line) =>
    line.startsWith("error:")
  );
  equal(errors.length, 1, terminal.stderr);
  ok(!/This is a bug|\bat .*\.ts:\d+/.test(terminal.stderr), terminal.stderr);
  equal(terminal.stdout, "");
  return errors[0]!;
}

/** What a database holds, in brief: to check that nothing was written. */
export interface Contents {
  nodes: number;
  relationships: number;
  constraints: number;
  indexes: number;
}

/** Counts nodes, relationships, constraints and indexes (token lookup indexes included). */
export async function contents(
  driver: Driver,
  database: string | undefined,
): Promise<Contents> {
  const count = async (query: string): Promise<number> => {
    const { records } = await driver.executeQuery(query, {}, { database });
    return Number(records[0]!.get(0));
  };
  return {
    nodes: await count("MATCH (n) RETURN count(n)"),
    relationships: await count("MATCH ()-[r]->() RETURN count(r)"),
    constraints: await count("SHOW CONSTRAINTS YIELD name RETURN count(*)"),
    indexes: await count("SHOW INDEXES YIELD name RETURN count(*)"),
  };
}

/** The names in a backup directory (and in its `data/`), sorted. */
export function listBackup(dir: string): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isDirectory) {
      for (const inner of Deno.readDirSync(`${dir}/${entry.name}`)) {
        names.push(`${entry.name}/${inner.name}`);
      }
    } else names.push(entry.name);
  }
  return names.sort();
}
