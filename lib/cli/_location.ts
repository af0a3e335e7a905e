import { stateDir } from "../_state_dir.ts";
import type { ElsewhereOptions } from "../location/_working_copy.ts";
import type { CommandInput } from "./_commands.ts";
import type { Terminal } from "./_terminal.ts";

/**
 * Runs a command: with `extract -`, standard output holds the archive, so the summary goes to
 * standard error. The engines take any location themselves (see {@linkcode locationOptions}).
 */
export function atLocation(
  input: CommandInput,
  run: (input: CommandInput) => Promise<number>,
): Promise<number> {
  if (input.dir !== "-") return run(input);
  return run({
    ...input,
    shown: "a tar stream",
    terminal: { ...input.terminal, out: input.terminal.err },
  });
}

/**
 * How the engines open a location that is not a directory, from the terminal's environment:
 * the AWS tools' variables and home folder, and the state folder for the working copies.
 */
export function locationOptions(terminal: Terminal): ElsewhereOptions {
  return {
    location: {
      s3: {
        env: awsEnvironment(terminal.env),
        home: terminal.env("HOME") ?? "/",
      },
    },
    stateDir: stateDir(terminal.env),
  };
}

/** The environment variables of AWS's tools that configure S3 (the only ones read). */
export const AWS_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_S3",
] as const;

function awsEnvironment(
  env: (name: string) => string | undefined,
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of AWS_VARIABLES) {
    const value = env(name);
    if (value !== undefined) found[name] = value;
  }
  return found;
}
