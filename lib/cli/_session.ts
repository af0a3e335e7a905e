import type { Driver } from "../_driver.ts";
import type { DriverSettings } from "../extract/_partition_readers.ts";
import { BackupError } from "../errors.ts";
import type { Command, Values } from "./_args.ts";
import {
  connectionOptions,
  createDriver,
  driverSettings,
  redactAddress,
} from "./_connection.ts";
import type { Who } from "./_messages.ts";
import type { ProgressDisplay } from "./_progress.ts";
import type { Terminal } from "./_terminal.ts";

/** What a command that talks to a database gets from {@linkcode withSession}. */
export interface Session {
  driver: Driver;
  /** How to open another driver like `driver` (for the extract's partition readers). */
  driverSettings: DriverSettings;
  /** The database flag or variable; undefined for the user's home database. */
  database: string | undefined;
  /** Aborted at the first Ctrl-C. */
  signal: AbortSignal;
  /** Asks a yes/no question on the terminal (no terminal: no). */
  confirm: (question: string) => Promise<boolean>;
}

/** The options an engine takes from a session, for the backup at `projectDir`. */
export function engineOptions(session: Session, projectDir: string): {
  projectDir: string;
  driver: Driver;
  database?: string;
  confirm: (question: string) => Promise<boolean>;
  signal: AbortSignal;
} {
  return {
    projectDir,
    driver: session.driver,
    ...(session.database ? { database: session.database } : {}),
    confirm: session.confirm,
    signal: session.signal,
  };
}

/** A library failure, with who and where for the line the command line prints. */
export class CommandFailure extends Error {
  override name = "CommandFailure";
  /** The library's error. */
  readonly error: BackupError;
  /** The user and address as given. */
  readonly who: Who;

  /** Wraps `error` of a command run as `who`. */
  constructor(error: BackupError, who: Who) {
    super(error.message, { cause: error });
    this.error = error;
    this.who = who;
  }
}

/**
 * Connects as the flags and NEO4J_* variables say, runs `work`, and closes the driver. The first
 * Ctrl-C aborts the session's signal (the library stops at its next safe point); a second calls
 * `quitNow`.
 */
export async function withSession<T>(
  values: Values,
  command: Command,
  io: { terminal: Terminal; progress: ProgressDisplay; quitNow: () => void },
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const { terminal, progress } = io;
  const connection = await connectionOptions(values, terminal, command);
  const abort = new AbortController();
  let interrupted = false;
  const stopListening = terminal.onInterrupt(() => {
    if (interrupted) {
      terminal.err("Quitting at once\n");
      io.quitNow();
      return;
    }
    interrupted = true;
    progress.finish();
    terminal.err("\nStopping (Ctrl-C again to quit at once)...\n");
    abort.abort();
  });
  const driver = createDriver(connection, command);
  try {
    return await work({
      driver,
      driverSettings: driverSettings(connection),
      database: connection.database,
      signal: abort.signal,
      confirm: (question) => ask(question, io, abort.signal),
    });
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    throw new CommandFailure(error, {
      command,
      address: redactAddress(connection.address),
      username: connection.username,
    });
  } finally {
    progress.finish();
    stopListening();
    await driver.close();
  }
}

/** Asks on the terminal; Ctrl-C while the question waits stops the command as anywhere else. */
async function ask(
  question: string,
  io: { terminal: Terminal; progress: ProgressDisplay },
  signal: AbortSignal,
): Promise<boolean> {
  if (!io.terminal.interactive.stdin) return false;
  io.progress.finish();
  io.terminal.err(`${question} [y/N] `);
  const stopped = Promise.withResolvers<never>();
  const onAbort = (): void => stopped.reject(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const answer = await Promise.race([
      io.terminal.readLine(true),
      stopped.promise,
    ]);
    return /^y(es)?$/i.test(answer?.trim() ?? "");
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
