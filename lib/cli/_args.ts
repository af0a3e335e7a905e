import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseSize } from "./_format.ts";

/** The commands of the tool. */
export type Command = "extract" | "import" | "verify";

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

/** Each command's options, as `node:util` parseArgs takes them. */
export const OPTIONS = {
  extract: {
    ...CONNECTION_OPTIONS,
    ...COMMON_OPTIONS,
    "no-compress": { type: "boolean" },
    indent: { type: "string" },
    "file-size": { type: "string" },
    "no-schema": { type: "boolean" },
    // The Python tool's name, kept for the migration (it covers the whole schema here).
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
export class UsageError extends Error {
  override name = "UsageError";
  /** The command whose usage was wrong, for the hint. */
  readonly command: Command | undefined;

  /** A usage error of `command` (undefined: of the tool itself). */
  constructor(message: string, command?: Command) {
    super(message);
    this.command = command;
  }
}

/** Option values by name, as parseArgs returns them. */
export type Values = Record<string, string | boolean | undefined>;

/** A command line, parsed. */
export interface ParsedArgs {
  command: Command;
  values: Values;
  /** The one backup location. */
  dir: string | undefined;
}

/**
 * Parses the arguments after the tool's name (`--version` and `--help` of the tool itself are
 * the caller's); `dir` is undefined only with `--help`.
 *
 * @throws {UsageError} for an unknown command or option, or not exactly one location.
 */
export function parseCommandLine(args: string[]): ParsedArgs {
  const [first, ...rest] = args;
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
  if (values.help) return { command, values, dir: undefined };
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
  return { command, values, dir: positionals[0]! };
}

/** The Extractor's options that `extract`'s flags give. */
export function extractOptions(values: Values): {
  inputYes: boolean;
  compress: boolean;
  indentSize: number;
  jsonFileSize?: number;
  schema: boolean;
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
    schema: values["no-schema"] !== true && values["no-constraints"] !== true,
  };
}

/** The Importer's options that `import`'s flags give. */
export function importOptions(values: Values): {
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

/** `; did you mean x?` for the closest of `candidates`, when one is close enough. */
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
