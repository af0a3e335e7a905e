import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Selection } from "../format/selection.ts";
import { parseSize } from "./_format.ts";

/** The commands of the tool. */
export type Command = "extract" | "import" | "verify" | "list";

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

/** What part of the data and schema extract and import take (repeatable names). */
const SELECTION_OPTIONS = {
  label: { type: "string", multiple: true },
  "exclude-label": { type: "string", multiple: true },
  type: { type: "string", multiple: true },
  "exclude-type": { type: "string", multiple: true },
  "schema-only": { type: "boolean" },
  "data-only": { type: "boolean" },
} as const;

/** Each command's options, as `node:util` parseArgs takes them. */
export const OPTIONS = {
  extract: {
    ...CONNECTION_OPTIONS,
    ...COMMON_OPTIONS,
    ...SELECTION_OPTIONS,
    "no-compress": { type: "boolean" },
    indent: { type: "string" },
    "file-size": { type: "string" },
    "no-schema": { type: "boolean" },
    resume: { type: "boolean" },
    jobs: { type: "string", short: "j" },
    "partition-size": { type: "string" },
    // The Python tool's name, kept for the migration (it covers the whole schema here).
    "no-constraints": { type: "boolean" },
  },
  import: {
    ...CONNECTION_OPTIONS,
    ...COMMON_OPTIONS,
    "batch-size": { type: "string" },
    "batch-bytes": { type: "string" },
    jobs: { type: "string", short: "j" },
    clean: { type: "boolean" },
    resume: { type: "boolean" },
    journal: { type: "string" },
    "no-schema": { type: "boolean" },
    ...SELECTION_OPTIONS,
    "rename-label": { type: "string", multiple: true },
    "rename-type": { type: "string", multiple: true },
  },
  verify: {
    quiet: { type: "boolean", short: "q" },
    help: { type: "boolean", short: "h" },
  },
  list: {
    json: { type: "boolean" },
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

/** Option values by name, as parseArgs returns them (lists for repeatable options). */
export type Values = Record<string, string | boolean | string[] | undefined>;

/** The selection flags, as the engines take them (every field given). */
export type SelectionFlags = Required<Selection>;

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
export function extractOptions(values: Values): SelectionFlags & {
  inputYes: boolean;
  compress: boolean;
  indentSize: number;
  jsonFileSize?: number;
  resume: boolean;
  jobs?: number;
  partitionSize?: number;
} {
  const indent = integer(values.indent, "--indent", 0, 10, "extract") ?? 0;
  const fileSize = size(values, "file-size", "extract");
  const jobs = integer(values.jobs, "--jobs", 1, 64, "extract");
  const partitionSize = integer(
    values["partition-size"],
    "--partition-size",
    1,
    Number.MAX_SAFE_INTEGER,
    "extract",
  );
  if (values.resume && values.yes) {
    throw new UsageError(
      "--resume and --yes exclude each other (--yes starts over)",
      "extract",
    );
  }
  const selection = selectionFlags(values, "extract");
  return {
    inputYes: values.yes === true,
    compress: values["no-compress"] !== true,
    indentSize: indent,
    ...(fileSize === undefined ? {} : { jsonFileSize: fileSize }),
    resume: values.resume === true,
    ...(jobs === undefined ? {} : { jobs }),
    ...(partitionSize === undefined ? {} : { partitionSize }),
    ...selection,
  };
}

/** The Importer's options that `import`'s flags give. */
export function importOptions(values: Values): SelectionFlags & {
  inputYes: boolean;
  batchSize?: number;
  batchBytes?: number;
  jobs?: number;
  clean: boolean;
  resume: boolean;
  journal?: string;
  renameLabels: Record<string, string>;
  renameTypes: Record<string, string>;
} {
  const batchSize = integer(
    values["batch-size"],
    "--batch-size",
    1,
    1_000_000,
    "import",
  );
  const jobs = integer(values.jobs, "--jobs", 1, 64, "import");
  const batchBytes = size(values, "batch-bytes", "import");
  if (values.clean && values.resume) {
    throw new UsageError("--clean and --resume exclude each other", "import");
  }
  const selection = selectionFlags(values, "import");
  return {
    inputYes: values.yes === true,
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(batchBytes === undefined ? {} : { batchBytes }),
    ...(jobs === undefined ? {} : { jobs }),
    clean: values.clean === true,
    resume: values.resume === true,
    ...(typeof values.journal === "string" ? { journal: values.journal } : {}),
    ...selection,
    renameLabels: renames(values, "rename-label"),
    renameTypes: renames(values, "rename-type"),
  };
}

/**
 * The flag a selected or excluded name came from (`--label`, `--exclude-label`, `--type`,
 * `--exclude-type`), for the warning about a name that matches nothing.
 */
export function selectionFlag(
  values: Values,
  what: "label" | "type",
  name: string,
): string {
  return strings(values[`exclude-${what}`]).includes(name)
    ? `--exclude-${what}`
    : `--${what}`;
}

/** The selection flags of extract and import, checked. */
function selectionFlags(values: Values, command: Command): SelectionFlags {
  const labels = names(values, "label", command);
  const excludeLabels = names(values, "exclude-label", command);
  const types = names(values, "type", command);
  const excludeTypes = names(values, "exclude-type", command);
  for (
    const [flag, selected, excluded] of [
      ["label", labels, excludeLabels],
      ["type", types, excludeTypes],
    ] as const
  ) {
    const clash = selected.find((name) => excluded.includes(name));
    if (clash !== undefined) {
      throw new UsageError(
        `--${flag} and --exclude-${flag} both name ${JSON.stringify(clash)}`,
        command,
      );
    }
  }
  const noSchema = ["data-only", "no-schema", "no-constraints"].find((flag) =>
    values[flag] === true
  );
  if (values["schema-only"] === true && noSchema !== undefined) {
    throw new UsageError(
      `--schema-only and --${noSchema} exclude each other`,
      command,
    );
  }
  return {
    labels,
    excludeLabels,
    types,
    excludeTypes,
    schema: noSchema === undefined,
    data: values["schema-only"] !== true,
  };
}

/** The names given to a repeatable flag, each once; an empty one is a usage error. */
function names(values: Values, flag: string, command: Command): string[] {
  const given = strings(values[flag]);
  if (given.includes("")) {
    throw new UsageError(`--${flag} must be a non-empty name, got ""`, command);
  }
  return [...new Set(given)];
}

/** The renames of `--rename-label` or `--rename-type`: old name to new name. */
function renames(
  values: Values,
  flag: "rename-label" | "rename-type",
): Record<string, string> {
  const map = new Map<string, string>();
  for (const value of strings(values[flag])) {
    const at = value.indexOf("=");
    const from = at < 0 ? "" : value.slice(0, at);
    const to = at < 0 ? "" : value.slice(at + 1);
    if (from === "" || to === "") {
      throw new UsageError(
        `--${flag} must be <old>=<new>, got ${JSON.stringify(value)}`,
        "import",
      );
    }
    const earlier = map.get(from);
    if (earlier !== undefined && earlier !== to) {
      throw new UsageError(
        `--${flag} renames ${JSON.stringify(from)} twice: to ${
          JSON.stringify(earlier)
        } and to ${JSON.stringify(to)}`,
        "import",
      );
    }
    map.set(from, to);
  }
  // fromEntries defines own properties: a name like "__proto__" stays a name.
  return Object.fromEntries(map);
}

/** A repeatable option's values (none when absent). */
function strings(value: Values[string]): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [String(value)];
}

/** A size flag (`64M`, `1G`, a number of bytes), or undefined when not given. */
function size(
  values: Values,
  name: string,
  command: Command,
): number | undefined {
  const value = values[name];
  if (typeof value !== "string") return undefined;
  try {
    return parseSize(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`, command);
  }
}

function integer(
  value: Values[string],
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
