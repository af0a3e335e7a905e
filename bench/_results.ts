/**
 * The benchmark's results: what one size produced (`bench/results/<size>.json`), and what is
 * derived from its measurements (the Python import's projected time, the medians, the ratios).
 *
 * @module
 */
import { join } from "node:path";
import type { GraphShape } from "../dev/generate_graph.ts";

/** The kinds of measurement that are not variants. */
export type BaseKind =
  | "driver-iterate"
  | "driver-subscribe"
  | "tool-extract"
  | "python-extract"
  | "apoc-export"
  | "tool-extract-latency"
  | "driver-iterate-latency"
  | "tool-extract-resume"
  | "tool-verify"
  | "unwind-import"
  | "tool-import"
  | "python-import"
  | "apoc-import"
  | "tool-import-txlimit"
  | "tool-import-latency";

/**
 * A kind of measurement: a {@linkcode BaseKind}; this tool's import with more command-line
 * arguments, `tool-import --jobs 2` (see {@linkcode variantArgs}); its extract with more
 * arguments, `tool-extract -j 1` (see {@linkcode extractVariantArgs}); or its extract with more
 * arguments killed and resumed, `tool-extract-resume -j 4` (`tool-extract-resume` alone: the
 * extract without more arguments).
 */
export type Kind =
  | BaseKind
  | `tool-import ${string}`
  | `tool-extract ${string}`
  | `tool-extract-resume ${string}`;

/**
 * The order of the kinds in the tables (the import's variants come after `tool-import`, the
 * extract's after `tool-extract`, its resume after them).
 */
export const KINDS: BaseKind[] = [
  "driver-iterate",
  "driver-subscribe",
  "tool-extract",
  "tool-extract-resume",
  "python-extract",
  "unwind-import",
  "tool-import",
  "python-import",
  "apoc-export",
  "driver-iterate-latency",
  "tool-extract-latency",
  "tool-verify",
  "apoc-import",
  "tool-import-txlimit",
  "tool-import-latency",
];

/** A base kind's name in the report. */
export const LABELS: Record<BaseKind, string> = {
  "driver-iterate": "Bare driver loop, `for await` (ceiling)",
  "driver-subscribe": "Bare driver loop, `subscribe` (ceiling)",
  "tool-extract": "**neo4j-backup extract** (this tool)",
  "python-extract": "neo4j-backup 1.0.0 `Extractor` (Python)",
  "unwind-import": "Hand-written `UNWIND` import (ceiling)",
  "tool-import": "**neo4j-backup import** (this tool)",
  "python-import": "neo4j-backup 1.0.0 `Importer` (Python)",
  "apoc-export": "APOC `apoc.export.json.all` (file on the server)",
  "tool-extract-latency":
    "**neo4j-backup extract** (default `--jobs`), 20 ms latency",
  "driver-iterate-latency": "Bare driver loop, `for await`, 20 ms latency",
  "tool-extract-resume":
    "**neo4j-backup extract**, killed at 90% and resumed (`--resume`)",
  "tool-verify": "**neo4j-backup verify** (the same backup)",
  "apoc-import": "APOC `apoc.import.json` (file on the server)",
  "tool-import-txlimit": "**neo4j-backup import**, 32 MiB transaction limit",
  "tool-import-latency": "**neo4j-backup import**, 20 ms latency",
};

/** The kind of this tool's import with more command-line arguments. */
export function variantKind(args: readonly string[]): Kind {
  return `tool-import ${args.join(" ")}`;
}

/** The extra command-line arguments of an import variant; undefined for other kinds. */
export function variantArgs(kind: Kind): string[] | undefined {
  return kind.startsWith("tool-import ")
    ? kind.slice("tool-import ".length).split(" ").filter(Boolean)
    : undefined;
}

/**
 * The kind of this tool's extract with more command-line arguments (`tool-extract` itself for
 * none).
 */
export function extractVariantKind(args: readonly string[]): Kind {
  return args.length === 0 ? "tool-extract" : `tool-extract ${args.join(" ")}`;
}

/** The extra command-line arguments of an extract variant (`[]` for `tool-extract`); else undefined. */
export function extractVariantArgs(kind: Kind): string[] | undefined {
  if (kind === "tool-extract") return [];
  return kind.startsWith("tool-extract ")
    ? kind.slice("tool-extract ".length).split(" ").filter(Boolean)
    : undefined;
}

/** The kind of the resume case of an extract variant (`tool-extract-resume` for none). */
export function resumeKind(args: readonly string[]): Kind {
  return args.length === 0
    ? "tool-extract-resume"
    : `tool-extract-resume ${args.join(" ")}`;
}

/** The extra command-line arguments of a resume case (`[]` for the plain one); else undefined. */
export function resumeArgs(kind: Kind): string[] | undefined {
  if (kind === "tool-extract-resume") return [];
  return kind.startsWith("tool-extract-resume ")
    ? kind.slice("tool-extract-resume ".length).split(" ").filter(Boolean)
    : undefined;
}

/** The extract measured without the kill that a resume case is compared with. */
export function resumeBaseline(kind: Kind): Kind {
  return extractVariantKind(resumeArgs(kind) ?? []);
}

/** A kind's name in the report, in the run's terms (its latency, its transaction limit). */
export function kindLabel(kind: Kind, r?: Partial<SizeResult>): string {
  const args = variantArgs(kind);
  if (args) return `**neo4j-backup import** \`${args.join(" ")}\``;
  const extractArgs = extractVariantArgs(kind);
  if (extractArgs && extractArgs.length > 0) {
    return `**neo4j-backup extract** \`${extractArgs.join(" ")}\``;
  }
  const resume = resumeArgs(kind);
  if (resume) {
    const pct = r?.resumeAt === undefined ? 90 : Math.round(r.resumeAt * 100);
    return `**neo4j-backup extract**${
      resume.length > 0 ? ` \`${resume.join(" ")}\`` : ""
    }, killed at ${pct}% and resumed (\`--resume\`)`;
  }
  const base = kind as BaseKind;
  if (
    base === "tool-extract-latency" || base === "tool-import-latency" ||
    base === "driver-iterate-latency"
  ) {
    return LABELS[base].replace("20 ms", `${r?.latencyMs ?? 20} ms`);
  }
  if (base === "tool-import-txlimit" && r?.transactionLimit) {
    return LABELS[base].replace(
      "32 MiB",
      formatLimit(r.transactionLimit),
    );
  }
  return LABELS[base];
}

/** A transaction limit in Neo4j's notation (`32m`) as the report writes it (`32 MiB`). */
export function formatLimit(limit: string): string {
  const match = /^(\d+)\s*([kmg])?i?b?$/i.exec(limit.trim());
  if (!match) return limit;
  const unit = { k: "KiB", m: "MiB", g: "GiB" }[
    (match[2] ?? "").toLowerCase() as "k" | "m" | "g"
  ] ?? "bytes";
  return `${match[1]} ${unit}`;
}

/** The kinds a result measured, in the order of the tables. */
export function orderedKinds(r: Pick<SizeResult, "measurements">): Kind[] {
  const measured = Object.keys(r.measurements) as Kind[];
  const variants = measured.filter((k) => variantArgs(k));
  const extractVariants = measured.filter((k) =>
    k !== "tool-extract" && extractVariantArgs(k)
  );
  const resumes = measured.filter((k) =>
    k !== "tool-extract-resume" && resumeArgs(k)
  );
  return KINDS.flatMap((kind): Kind[] =>
    kind === "tool-import"
      ? [kind, ...variants]
      : kind === "tool-extract"
      ? [kind, ...extractVariants]
      : kind === "tool-extract-resume"
      ? [kind, ...resumes]
      : [kind]
  ).filter((kind) => r.measurements[kind]);
}

/** Nodes and relationships in the database. */
export interface GraphCounts {
  nodes: number;
  relationships: number;
}

/** One run of one kind. */
export interface Measurement {
  round: number;
  /** Seconds of the measured work (the time reached, when timed out). */
  seconds: number;
  /** Seconds of the whole child process, from spawn to exit. */
  processSeconds: number;
  /** Records read or written: nodes + relationships (done so far, when timed out). */
  records: number;
  recordsPerSecond: number;
  /** Peak RSS of the client process, in bytes. */
  maxRssBytes: number;
  /** Bytes on disk of the backup it wrote (extracts). */
  bytes?: number;
  /** Records in each relationship file of the Python tool's backup (python-extract). */
  relationshipsPerFile?: number;
  /** Stopped at the time limit. */
  timedOut?: boolean;
  /** Nodes and relationships in the database at the end (imports). */
  database?: GraphCounts;
  /**
   * This tool's import: seconds from the start of the command to the end of its check of the
   * backup, before anything is written (connecting and the look at the target included).
   */
  checkSeconds?: number;
  /**
   * Counts sampled while it ran (Python import): [seconds, nodes, relationships, and once every
   * node and relationship is there, the temporal and spatial values still stored as strings].
   */
  timeline?: Sample[];
  /** The resume case: the extract killed, then `extract --resume` (see {@linkcode Resume}). */
  resume?: Resume;
  /** Temporal and spatial values the Python importer had yet to fix when stopped, of all. */
  toFix?: { left: number; total: number };
  /**
   * When timed out: a lower bound of the time it would take, from the rate at which it was
   * progressing in the phase it was in (the phases after that not counted).
   */
  projectedSeconds?: number;
  error?: string;
}

/**
 * A resume case: the extract child killed (SIGKILL) once its checkpoint recorded the share of
 * the records asked for, then `extract <dir> --resume` in a new child. The measurement's
 * `seconds` are the two added up (the killed one's from the start of its work, as every
 * measurement's, to the kill), its `maxRssBytes` the higher peak of the two.
 */
export interface Resume {
  /** Seconds of the killed extract's work, until the kill. */
  killedSeconds: number;
  /** Seconds of the resumed extract's work. */
  resumeSeconds: number;
  /** Partitions the checkpoint recorded as done at the kill, and in all. */
  partitionsDone: number;
  partitions: number;
  /** Records in the partitions recorded as done at the kill. */
  recordsDone: number;
  /** Peak RSS of the killed child (read from /proc before the kill), and of the resumed one. */
  killedRssBytes?: number;
  resumeRssBytes: number;
}

/** [seconds, nodes, relationships, values left to fix]. */
export type Sample = [number, number, number, number?];

/** The median of a kind's completed rounds. */
export interface Summary {
  kind: Kind;
  label: string;
  rounds: number;
  completed: number;
  medianSeconds?: number;
  recordsPerSecond?: number;
  maxRssBytes?: number;
  bytes?: number;
  /** This tool's import: the median of its completed rounds' check of the backup. */
  checkSeconds?: number;
  timedOut: boolean;
  /** When timed out: the time reached and how far it got. */
  reached?: {
    seconds: number;
    nodes: number;
    relationships: number;
    toFix?: { left: number; total: number };
    projectedSeconds?: number;
  };
}

/** This tool against another kind. */
export interface Ratio {
  name: string;
  /** Throughput of this tool / throughput of the other. */
  value?: number;
  /** A lower bound, when the other did not finish. */
  atLeast?: number;
  /** An estimate from the other's projected time, when it did not finish. */
  projected?: number;
}

/** The machine and the versions of everything measured. */
export interface Environment {
  machine: {
    cpu: string;
    cores: number;
    memoryBytes: number;
    os: string;
  };
  versions: Record<string, string>;
}

/**
 * Everything one size (of one shape) produced: the content of `bench/results/<size>.json`, or of
 * `bench/results/<size>-<shape>.json` for a shape other than the benchmark's.
 */
export interface SizeResult {
  size: string;
  /**
   * The generated graph's shape. Results without one (older runs) are of the benchmark shape, and
   * were run before the targets that need the newer measurements.
   */
  shape?: GraphShape;
  nodes: number;
  relationships: number;
  seed: number;
  rounds: number;
  timeLimitSeconds: number;
  command: string;
  date: string;
  environment: Environment;
  loadSeconds: number;
  /** /proc/loadavg when the size started and when it ended: other work on the machine. */
  loadAverage?: { start: string; end: string };
  /** Latency added each way, in milliseconds, in the latency measurements. */
  latencyMs?: number;
  /** The resume case: the share of the records (0..1) recorded done when the extract is killed. */
  resumeAt?: number;
  /** The `db.memory.transaction.max` of the transaction-limit import (e.g. `32m`). */
  transactionLimit?: string;
  /** The APOC release measured, or why APOC was not. */
  apoc?: { version: string } | { skipped: string };
  measurements: Partial<Record<Kind, Measurement[]>>;
  summaries: Summary[];
  ratios: Ratio[];
}

/** The shape of a result (`benchmark` for results that have none). */
export function shapeOf(r: Pick<SizeResult, "shape">): GraphShape {
  return r.shape ?? "benchmark";
}

/** A result's name among the results: its size, then its shape unless the benchmark's. */
export function resultKey(r: Pick<SizeResult, "size" | "shape">): string {
  const shape = shapeOf(r);
  return shape === "benchmark" ? r.size : `${r.size}-${shape}`;
}

/**
 * The comparisons of the report, by name: this tool's kind, and the other's (the ratio is the
 * other's time over this one's). More follow from a result's own measurements: see
 * {@linkcode comparisons}.
 */
export const COMPARISONS: readonly [string, Kind, Kind][] = [
  [
    "extract / bare driver loop (for await)",
    "tool-extract",
    "driver-iterate",
  ],
  [
    "extract / bare driver loop (subscribe)",
    "tool-extract",
    "driver-subscribe",
  ],
  ["extract / Python tool", "tool-extract", "python-extract"],
  [
    "import / hand-written UNWIND import",
    "tool-import",
    "unwind-import",
  ],
  ["import / Python tool", "tool-import", "python-import"],
];

/** The name of the comparison of an extract variant with the bare driver loop (`for await`). */
export function extractVariantComparison(kind: Kind): string {
  const args = extractVariantArgs(kind) ?? [];
  return args.length === 0
    ? "extract / bare driver loop (for await)"
    : `extract (${args.join(" ")}) / bare driver loop (for await)`;
}

/**
 * A resume case against the same extract uninterrupted, in time (not throughput): its median
 * (time to the kill + the resume's) over the uninterrupted one's; undefined unless both have a
 * median.
 */
export function resumeRatio(
  r: Pick<SizeResult, "summaries">,
  kind: Kind,
):
  | { value: number; resumed: Summary; uninterrupted: Summary }
  | undefined {
  const resumed = r.summaries.find((s) => s.kind === kind);
  const uninterrupted = r.summaries.find((s) =>
    s.kind === resumeBaseline(kind)
  );
  if (!resumed?.medianSeconds || !uninterrupted?.medianSeconds) {
    return undefined;
  }
  return {
    value: resumed.medianSeconds / uninterrupted.medianSeconds,
    resumed,
    uninterrupted,
  };
}

/** The name of the ratio of the import's check of the backup to `verify` on the same backup. */
export const CHECK_VS_VERIFY = "import check / verify";

/** Every comparison a result allows: {@linkcode COMPARISONS}, then those of the newer kinds. */
export function comparisons(
  r: Pick<SizeResult, "measurements" | "latencyMs" | "transactionLimit">,
): [string, Kind, Kind][] {
  const latency = `${r.latencyMs ?? 20} ms latency`;
  const limit = formatLimit(r.transactionLimit ?? "32m");
  const variants = orderedKinds(r).filter((k) => variantArgs(k));
  const extractVariants = orderedKinds(r).filter((k) =>
    k !== "tool-extract" && extractVariantArgs(k)
  );
  return [
    ...COMPARISONS,
    ...extractVariants.map((kind): [string, Kind, Kind] => [
      extractVariantComparison(kind),
      kind,
      "driver-iterate",
    ]),
    ...variants.map((kind): [string, Kind, Kind] => [
      `import (${variantArgs(kind)!.join(" ")}) / hand-written UNWIND import`,
      kind,
      "unwind-import",
    ]),
    ["extract / APOC export", "tool-extract", "apoc-export"],
    ["import / APOC import", "tool-import", "apoc-import"],
    [
      `import, ${limit} transaction limit / import, unlimited`,
      "tool-import-txlimit",
      "tool-import",
    ],
    [
      `extract (${latency}) / bare driver loop (for await, ${latency})`,
      "tool-extract-latency",
      "driver-iterate-latency",
    ],
    [`extract (${latency}) / extract`, "tool-extract-latency", "tool-extract"],
    [`import (${latency}) / import`, "tool-import-latency", "tool-import"],
  ];
}

/**
 * Records per relationship file of the Python tool's backups at its default `json_file_size`
 * (files are cut by the size of a list's pointer array): for results that did not record it.
 */
const PYTHON_RELATIONSHIPS_PER_FILE = 7461;

/**
 * The results in `dir` (`bench/results/`) of the sizes and shapes not in `except`, derived
 * afresh.
 */
export async function readResults(
  dir: string,
  except: SizeResult[],
): Promise<SizeResult[]> {
  const found: SizeResult[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const name = entry.name.slice(0, -5);
    if (except.some((r) => resultKey(r) === name)) continue;
    try {
      const text = await Deno.readTextFile(join(dir, entry.name));
      found.push(finalize(JSON.parse(text) as SizeResult));
    } catch {
      // Not one of ours.
    }
  }
  return found;
}

/** Derives the projections, the summaries and the ratios of a size's measurements. */
export function finalize(r: SizeResult): SizeResult {
  const perFile =
    (r.measurements["python-extract"] ?? []).find((m) => m.relationshipsPerFile)
      ?.relationshipsPerFile ?? PYTHON_RELATIONSHIPS_PER_FILE;
  for (const m of r.measurements["python-import"] ?? []) {
    if (!m.timedOut || !m.database) continue;
    const projected = project(
      m.timeline ?? [],
      m.seconds,
      m.database,
      { nodes: r.nodes, relationships: r.relationships },
      perFile,
    );
    if (projected !== undefined) m.projectedSeconds = projected;
  }
  r.summaries = orderedKinds(r).map((kind) =>
    summarize(kind, r.measurements[kind]!, r)
  );
  r.ratios = ratios(r.summaries, comparisons(r));
  return r;
}

/**
 * A lower bound of the total time of a Python import that hit the time limit (its time per row
 * taken as even). In the relationship phase: the time it took to create the nodes, plus every
 * relationship at the rate it was creating them, or, when not even its first transaction had
 * committed (one relationship type of one file: at most `perFile` rows), at less than
 * `perFile` rows in the time since the nodes were done; the fix-up passes not counted. In the
 * fix-up phase: the time reached, plus the values left to fix at the rate it was fixing them
 * (the final clean-up not counted).
 */
function project(
  timeline: Sample[],
  reached: number,
  at: GraphCounts,
  graph: GraphCounts,
  perFile: number,
): number | undefined {
  if (at.nodes < graph.nodes) return undefined;
  if (at.relationships === 0) {
    const done = timeline.find(([, n]) => n >= graph.nodes)?.[0];
    if (done === undefined || done >= reached) return undefined;
    return done + graph.relationships * (reached - done) / perFile;
  }
  if (at.relationships >= graph.relationships) {
    return projectFixes(timeline, reached);
  }
  const first = timeline.find(([, n]) => n >= graph.nodes);
  const nodesDone = first?.[0] ?? 0;
  // Rate from the first relationships seen to the limit, so the node phase is not counted.
  const start = timeline.find(([, , r]) => r > 0);
  if (!start || start[0] >= reached) return undefined;
  const rate = (at.relationships - start[2]) / (reached - start[0]);
  if (!(rate > 0)) return undefined;
  return nodesDone + graph.relationships / rate;
}

/** {@linkcode project} in the fix-up phase: the values left at the rate it was fixing them. */
function projectFixes(timeline: Sample[], reached: number): number | undefined {
  const fixes = timeline.filter((s) => s[3] !== undefined);
  const first = fixes[0];
  const last = fixes[fixes.length - 1];
  if (!first || !last || last[0] <= first[0]) return undefined;
  const rate = (first[3]! - last[3]!) / (last[0] - first[0]);
  if (!(rate > 0)) return undefined;
  return reached + last[3]! / rate;
}

/** The median of a kind's completed rounds, or how far it got when it timed out. */
function summarize(
  kind: Kind,
  list: Measurement[],
  r: SizeResult,
): Summary {
  const done = list.filter((m) => !m.error && !m.timedOut);
  const timed = list.find((m) => m.timedOut);
  const summary: Summary = {
    kind,
    label: kindLabel(kind, r),
    rounds: list.length,
    completed: done.length,
    timedOut: timed !== undefined,
  };
  if (done.length > 0) {
    summary.medianSeconds = median(done.map((m) => m.seconds));
    summary.recordsPerSecond = done[0]!.records / summary.medianSeconds;
    summary.maxRssBytes = Math.max(...done.map((m) => m.maxRssBytes));
    const bytes = done.map((m) => m.bytes).filter((b) => b !== undefined);
    if (bytes.length > 0) summary.bytes = median(bytes);
    const checks = done.map((m) => m.checkSeconds).filter((c) =>
      c !== undefined
    );
    if (checks.length > 0) summary.checkSeconds = median(checks);
  } else if (timed) {
    summary.reached = {
      seconds: timed.seconds,
      nodes: timed.database?.nodes ?? 0,
      relationships: timed.database?.relationships ?? 0,
      ...(timed.toFix ? { toFix: timed.toFix } : {}),
      ...(timed.projectedSeconds === undefined
        ? {}
        : { projectedSeconds: timed.projectedSeconds }),
    };
    summary.maxRssBytes = timed.maxRssBytes;
  }
  return summary;
}

/** The comparisons the summaries allow, and the import's check against `verify`. */
function ratios(
  summaries: Summary[],
  list: readonly [string, Kind, Kind][],
): Ratio[] {
  const get = (kind: Kind): Summary | undefined =>
    summaries.find((s) => s.kind === kind);
  const out: Ratio[] = [];
  for (const [name, tool, other] of list) {
    const a = get(tool);
    const b = get(other);
    if (!a?.medianSeconds || !b) continue;
    if (b.medianSeconds) {
      out.push({ name, value: b.medianSeconds / a.medianSeconds });
    } else if (b.reached) {
      out.push({
        name,
        atLeast: b.reached.seconds / a.medianSeconds,
        ...(b.reached.projectedSeconds
          ? { projected: b.reached.projectedSeconds / a.medianSeconds }
          : {}),
      });
    }
  }
  const check = get("tool-import")?.checkSeconds;
  const verify = get("tool-verify")?.medianSeconds;
  if (check && verify) {
    out.push({ name: CHECK_VS_VERIFY, value: verify / check });
  }
  return out;
}

/** The median of a list of numbers (the mean of the middle two of an even count). */
export function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
