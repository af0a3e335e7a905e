/**
 * The benchmark's targets, one line each: `MET`, `MISSED`, `MET (projected)`, `NOT MEASURED`, ...
 * and the numbers behind the verdict.
 *
 * The targets of the newer measurements (the production shape, APOC, `--jobs`, the check of the
 * backup, the transaction limit) are judged on the results that have a shape, which older runs
 * did not record: a report of older results only reads as it always has.
 *
 * @module
 */
import {
  CHECK_VS_VERIFY,
  comparisons,
  extractVariantArgs,
  extractVariantComparison,
  extractVariantKind,
  formatLimit,
  type Kind,
  orderedKinds,
  type Ratio,
  resumeArgs,
  resumeBaseline,
  resumeRatio,
  shapeOf,
  type SizeResult,
  type Summary,
  variantKind,
} from "./_results.ts";
import {
  formatBackupSize,
  formatMiB,
  formatRatio,
  formatSeconds,
} from "./_format.ts";

/** Every target the results allow to judge, in the report's order. */
export function evaluateTargets(results: SizeResult[]): string[] {
  return [
    ...results.flatMap(extractVsDriver),
    ...results.flatMap((r) =>
      simpleTarget(
        r,
        "extract / Python tool",
        10,
        "extract >= 10x the Python tool",
      )
    ),
    ...results.filter((r) => r.shape === undefined).flatMap((r) =>
      simpleTarget(
        r,
        "import / hand-written UNWIND import",
        0.8,
        "import >= 0.8x the hand-written UNWIND import",
      )
    ),
    ...results.filter((r) => r.nodes === 100_000).flatMap(importVsPython),
    ...extractMemory(results),
    ...results.flatMap(backupSize),
    ...newerTargets(results.filter((r) => r.shape !== undefined)),
  ];
}

/** The targets of the results that have a shape (issues 13 and 14). */
function newerTargets(results: SizeResult[]): string[] {
  return [
    ...results.flatMap(extractVsDriverDefault),
    ...results.flatMap(extractVsDriverSingle),
    ...results.flatMap(extractRss),
    ...extractRssGrowth(results),
    ...results.flatMap(resumeCost),
    ...results.flatMap(singleSessionImport),
    ...results.flatMap(defaultJobsImport),
    ...results.flatMap(checkVsVerify),
    ...results.filter((r) => shapeOf(r) === "production").flatMap(
      transactionLimitTarget,
    ),
  ];
}

/** A result's name in a target: `small` or `small (production shape)`. */
function at(r: SizeResult): string {
  const shape = shapeOf(r);
  return shape === "benchmark" ? r.size : `${r.size} (${shape} shape)`;
}

/** Why a kind has no median: not run, failed (its first error), timed out. */
function whyNot(r: SizeResult, kind: Kind): string {
  const list = r.measurements[kind];
  if (!list || list.length === 0) {
    if (kind === "tool-import-txlimit" && !r.transactionLimit) {
      return "left out (--tx-limit none)";
    }
    return "not run";
  }
  const error = list.find((m) => m.error)?.error;
  if (error) return `failed: ${error}`;
  if (list.some((m) => m.timedOut)) return "stopped at the time limit";
  return "no completed round";
}

/**
 * A ratio at `least` or more, or why it was not measured: the first of `kinds` (this tool's and
 * the other's) that has no median.
 */
function ratioTarget(
  r: SizeResult,
  name: string,
  kinds: readonly Kind[],
  least: number,
  text: string,
  detail = "",
): string[] {
  const x = ratio(r, name);
  if (x?.value !== undefined) {
    return [
      `${verdict(x.value >= least)}: ${text} at ${at(r)}: ${
        formatRatio(x.value)
      }${detail}`,
    ];
  }
  const missing = kinds.find((k) => summary(r, k)?.medianSeconds === undefined);
  return [
    `NOT MEASURED: ${text} at ${at(r)}: ${
      missing ? `${missing} ${whyNot(r, missing)}` : "no ratio"
    }`,
  ];
}

/**
 * Extract, with its default number of jobs, at least as fast as the bare single-stream driver
 * loop (`for await`) of the same rounds; the other variants' ratios shown too.
 */
function extractVsDriverDefault(r: SizeResult): string[] {
  const others = extractVariants(r).flatMap((kind) => {
    const x = ratio(r, extractVariantComparison(kind));
    return x?.value === undefined
      ? []
      : [`${extractVariantArgs(kind)!.join(" ")}: ${formatRatio(x.value)}`];
  });
  return ratioTarget(
    r,
    "extract / bare driver loop (for await)",
    ["tool-extract", "driver-iterate"],
    1.0,
    "extract (--jobs at its default) >= 1.0x the bare driver loop",
    others.length > 0 ? ` (${others.join(", ")})` : "",
  );
}

/** The extract's variants measured in a result, besides `tool-extract`, in the tables' order. */
function extractVariants(r: SizeResult): Kind[] {
  return orderedKinds(r).filter((k) =>
    k !== "tool-extract" && extractVariantArgs(k)
  );
}

/** The single-stream extract (`-j 1`) at 0.8x the bare single-stream driver loop or better. */
function extractVsDriverSingle(r: SizeResult): string[] {
  const jobs1 = extractVariantKind(["-j", "1"]);
  const text = "extract (single stream, -j 1) >= 0.8x the bare driver loop";
  if (!r.measurements[jobs1]) {
    return [
      `NOT MEASURED: ${text} at ${
        at(r)
      }: the variant jobs1 was not run (--extract-variants)`,
    ];
  }
  return ratioTarget(
    r,
    extractVariantComparison(jobs1),
    [jobs1, "driver-iterate"],
    0.8,
    text,
  );
}

/** The limit of extract's peak RSS on every shape. */
const EXTRACT_RSS_LIMIT = 300 * 2 ** 20;

/**
 * Extract's peak RSS at most 300 MiB (the extract with its defaults; the peaks of the other
 * variants, of the resume case and of the latency case shown too).
 */
function extractRss(r: SizeResult): string[] {
  const text = "extract peak RSS <= 300 MiB";
  const rss = summary(r, "tool-extract")?.maxRssBytes;
  if (!rss || summary(r, "tool-extract")?.medianSeconds === undefined) {
    return [
      `NOT MEASURED: ${text} at ${at(r)}: tool-extract ${
        whyNot(r, "tool-extract")
      }`,
    ];
  }
  const others = orderedKinds(r).filter((k) =>
    k !== "tool-extract" &&
    (extractVariantArgs(k) || resumeArgs(k) || k === "tool-extract-latency")
  ).flatMap((kind) => {
    const peak = summary(r, kind)?.maxRssBytes;
    if (!peak) return [];
    const name = resumeArgs(kind)
      ? `resumed${
        resumeArgs(kind)!.length > 0 ? ` ${resumeArgs(kind)!.join(" ")}` : ""
      }`
      : kind === "tool-extract-latency"
      ? "latency"
      : extractVariantArgs(kind)!.join(" ");
    return [
      `${name}: ${formatMiB(peak)}${peak > EXTRACT_RSS_LIMIT ? " (over)" : ""}`,
    ];
  });
  return [
    `${verdict(rss <= EXTRACT_RSS_LIMIT)}: ${text} at ${at(r)}: ${
      formatMiB(rss)
    } (default${others.length > 0 ? `; ${others.join(", ")}` : ""})`,
  ];
}

/**
 * Extract's peak RSS at 5M nodes at most 1.1x that at 1M, in each shape that has results (from
 * one run, or from two with `--merge`).
 */
function extractRssGrowth(results: SizeResult[]): string[] {
  const shapes = [...new Set(results.map(shapeOf))];
  return shapes.flatMap((shape) => {
    const text = `extract peak RSS at 5M nodes <= 1.1x at 1M (${shape} shape)`;
    const find = (nodes: number): SizeResult | undefined =>
      results.find((x) => x.nodes === nodes && shapeOf(x) === shape);
    const rssAt = (nodes: number): number | undefined => {
      const r = find(nodes);
      return r ? summary(r, "tool-extract")?.maxRssBytes : undefined;
    };
    const rss1m = rssAt(1_000_000);
    const rss5m = rssAt(5_000_000);
    if (!rss1m || !rss5m) {
      const sizes = [
        ...(rss1m ? [] : ["1M (large)"]),
        ...(rss5m ? [] : ["5M (xlarge)"]),
      ];
      return [
        `NOT MEASURED: ${text}: not measured in this run (no extract at ${
          sizes.join(" or ")
        } in the results)`,
      ];
    }
    const a = find(1_000_000)!;
    const b = find(5_000_000)!;
    const runs = a.command === b.command && a.date.slice(0, 10) ===
        b.date.slice(0, 10)
      ? ""
      : `; from two runs: \`${a.command}\` and \`${b.command}\``;
    return [
      `${verdict(rss5m <= 1.1 * rss1m)}: ${text}: ${formatMiB(rss5m)} vs ${
        formatMiB(rss1m)
      } (${formatRatio(rss5m / rss1m)})${runs}`,
    ];
  });
}

/**
 * An extract killed (SIGKILL) once its checkpoint recorded 90% of the records as written, then
 * resumed, takes at most 1.2x the same extract uninterrupted: (the time to the kill + the
 * resume's) / the uninterrupted one's, medians of the same rounds.
 */
function resumeCost(r: SizeResult): string[] {
  const kinds = orderedKinds(r).filter((k) => resumeArgs(k));
  const pct = Math.round((r.resumeAt ?? 0.9) * 100);
  const text = (kind: Kind): string => {
    const args = resumeArgs(kind) ?? [];
    return `an extract${
      args.length > 0 ? ` (${args.join(" ")})` : ""
    } killed at ${pct}% and resumed takes <= 1.2x an uninterrupted one`;
  };
  if (kinds.length === 0) {
    return [
      `NOT MEASURED: ${text("tool-extract-resume")} at ${
        at(r)
      }: the resume case was not run (--resume-case)`,
    ];
  }
  return kinds.map((kind) => {
    const x = resumeRatio(r, kind);
    if (!x) {
      const missing = [kind, resumeBaseline(kind)].find((k) =>
        summary(r, k)?.medianSeconds === undefined
      )!;
      return `NOT MEASURED: ${text(kind)} at ${at(r)}: ${missing} ${
        whyNot(r, missing)
      }`;
    }
    const done = (r.measurements[kind] ?? []).filter((m) =>
      m.resume && !m.error
    );
    if (done.every((m) => m.resume!.partitionsDone >= m.resume!.partitions)) {
      return `NOT MEASURED: ${text(kind)} at ${at(r)}: every one of the ${
        done[0]?.resume?.partitions ?? 0
      } partitions was written before the kill in every round (too few partitions at this size: a variant with --partition-size, as --resume-case, makes more)`;
    }
    const killedAt = done.map((m) =>
      `${m.resume!.partitionsDone}/${m.resume!.partitions} partitions, ${
        (100 * m.resume!.recordsDone / (r.nodes + r.relationships)).toFixed(0)
      }% of the records`
    );
    return `${verdict(x.value <= 1.2)}: ${text(kind)} at ${at(r)}: ${
      formatRatio(x.value)
    } (${formatSeconds(x.resumed.medianSeconds!)} vs ${
      formatSeconds(x.uninterrupted.medianSeconds!)
    }; killed at ${killedAt.join("; ")})`;
  });
}

/**
 * The single-session import (`--jobs 1`; the import without `--jobs` when that variant did not
 * complete) at 0.9x the hand-written single-session import or better on the benchmark shape,
 * 0.8x on the production shape.
 */
function singleSessionImport(r: SizeResult): string[] {
  const least = shapeOf(r) === "production" ? 0.8 : 0.9;
  const text =
    `import (one session) >= ${least}x the hand-written single-session UNWIND import`;
  const jobs1 = variantKind(["--jobs", "1"]);
  const name = comparisons(r).find(([, tool]) => tool === jobs1)?.[0];
  if (name && ratio(r, name)?.value !== undefined) {
    return ratioTarget(
      r,
      name,
      [jobs1, "unwind-import"],
      least,
      text,
      " (--jobs 1)",
    );
  }
  const fallback = name
    ? ` (without --jobs: --jobs 1 ${whyNot(r, jobs1)})`
    : " (without --jobs: --jobs 1 not run)";
  return ratioTarget(
    r,
    "import / hand-written UNWIND import",
    ["tool-import", "unwind-import"],
    least,
    text,
    fallback,
  );
}

/** The import with its default number of jobs at 1.2x the hand-written import or better. */
function defaultJobsImport(r: SizeResult): string[] {
  return ratioTarget(
    r,
    "import / hand-written UNWIND import",
    ["tool-import", "unwind-import"],
    1.2,
    "import (--jobs at its default) >= 1.2x the hand-written single-session UNWIND import",
  );
}

/** The import's check of the backup before it writes at least as fast as `verify`. */
function checkVsVerify(r: SizeResult): string[] {
  const text =
    "the import's check before writing at least as fast as verify on the same backup";
  const x = ratio(r, CHECK_VS_VERIFY);
  const check = summary(r, "tool-import")?.checkSeconds;
  const verify = summary(r, "tool-verify")?.medianSeconds;
  if (x?.value !== undefined && check && verify) {
    return [
      `${verdict(x.value >= 1)}: ${text} at ${at(r)}: ${
        formatSeconds(check)
      } vs ${formatSeconds(verify)} (${formatRatio(x.value)})`,
    ];
  }
  const why = verify === undefined
    ? `tool-verify ${whyNot(r, "tool-verify")}`
    : summary(r, "tool-import")?.medianSeconds === undefined
    ? `tool-import ${whyNot(r, "tool-import")}`
    : "the import reported no check phase";
  return [`NOT MEASURED: ${text} at ${at(r)}: ${why}`];
}

/**
 * A target with the transaction limit takes the production-shaped graph exactly (the count of
 * every node and relationship checked), at 0.5x the speed of an unlimited one or better.
 */
function transactionLimitTarget(r: SizeResult): string[] {
  const limit = formatLimit(r.transactionLimit ?? "32m");
  const text =
    `a target with db.memory.transaction.max = ${limit} takes the graph exactly, at >= 0.5x the speed of an unlimited one`;
  const name =
    comparisons(r).find(([, tool]) => tool === "tool-import-txlimit")![0];
  const x = ratio(r, name);
  if (x?.value !== undefined) {
    return [
      `${verdict(x.value >= 0.5)}: ${text} at ${at(r)}: ${
        formatRatio(x.value)
      }`,
    ];
  }
  const list = r.measurements["tool-import-txlimit"] ?? [];
  const error = list.find((m) => m.error)?.error;
  if (error) return [`MISSED: ${text} at ${at(r)}: failed: ${error}`];
  return [
    `NOT MEASURED: ${text} at ${at(r)}: ${
      summary(r, "tool-import")?.medianSeconds === undefined
        ? `tool-import ${whyNot(r, "tool-import")}`
        : `tool-import-txlimit ${whyNot(r, "tool-import-txlimit")}`
    }`,
  ];
}

function verdict(ok: boolean): string {
  return ok ? "MET" : "MISSED";
}

function ratio(r: SizeResult, name: string): Ratio | undefined {
  return r.ratios.find((x) => x.name === name);
}

function summary(r: SizeResult, kind: Kind): Summary | undefined {
  return r.summaries.find((s) => s.kind === kind);
}

/** Extract at 0.8x the bare driver loop or better (`for await`; `subscribe` shown too). */
function extractVsDriver(r: SizeResult): string[] {
  const x = ratio(r, "extract / bare driver loop (for await)");
  const y = ratio(r, "extract / bare driver loop (subscribe)");
  if (x?.value === undefined) return [];
  return [
    `${verdict(x.value >= 0.8)}: extract >= 0.8x the bare driver loop at ${
      at(r)
    }: ${formatRatio(x.value)} (for await)${
      y?.value !== undefined ? `, ${formatRatio(y.value)} (subscribe)` : ""
    }`,
  ];
}

/** A ratio at `least` or more, when measured. */
function simpleTarget(
  r: SizeResult,
  name: string,
  least: number,
  text: string,
): string[] {
  const x = ratio(r, name);
  if (x?.value === undefined) return [];
  return [
    `${verdict(x.value >= least)}: ${text} at ${at(r)}: ${
      formatRatio(x.value)
    }`,
  ];
}

/**
 * Import at 100x the Python tool or better (at 100k nodes): measured, or when the Python tool
 * did not finish, a lower bound, else a projection, else undetermined.
 */
function importVsPython(r: SizeResult): string[] {
  const x = ratio(r, "import / Python tool");
  if (!x) return [];
  const target = `import >= 100x the Python tool at ${at(r)}`;
  if (x.value !== undefined) {
    return [`${verdict(x.value >= 100)}: ${target}: ${formatRatio(x.value)}`];
  }
  if (x.atLeast === undefined) return [];
  const limit = formatSeconds(
    summary(r, "python-import")?.reached?.seconds ?? 0,
  );
  if (x.atLeast >= 100) {
    return [
      `MET: ${target}: more than ${
        formatRatio(x.atLeast)
      } (the Python tool had not finished after ${limit})`,
    ];
  }
  if (x.projected !== undefined) {
    return [
      `${verdict(x.projected >= 100)} (projected): ${target}: about ${
        formatRatio(x.projected)
      } or more from the Python tool's projected time (at least ${
        formatRatio(x.atLeast)
      } measured: it had not finished after ${limit})`,
    ];
  }
  return [
    `UNDETERMINED: ${target}: at least ${
      formatRatio(x.atLeast)
    } (the Python tool had not finished after ${limit})`,
  ];
}

/** Extract's peak RSS at 1M nodes at most 1.2x that at 100k. */
function extractMemory(results: SizeResult[]): string[] {
  const rssAt = (nodes: number): number | undefined => {
    const r = results.find((r) =>
      r.nodes === nodes && shapeOf(r) === "benchmark"
    );
    return r ? summary(r, "tool-extract")?.maxRssBytes : undefined;
  };
  const rss100k = rssAt(100_000);
  const rss1m = rssAt(1_000_000);
  if (!rss100k || !rss1m) return [];
  return [
    `${
      verdict(rss1m <= 1.2 * rss100k)
    }: extract peak RSS at 1M nodes <= 1.2x at 100k: ${formatMiB(rss1m)} vs ${
      formatMiB(rss100k)
    } (${formatRatio(rss1m / rss100k)})`,
  ];
}

/** A backup no larger than the Python tool's. */
function backupSize(r: SizeResult): string[] {
  const tool = summary(r, "tool-extract")?.bytes;
  const py = summary(r, "python-extract")?.bytes;
  if (!tool || !py) return [];
  return [
    `${
      verdict(tool <= py)
    }: compressed backup no larger than the Python tool's at ${at(r)}: ${
      formatBackupSize(tool)
    } vs ${formatBackupSize(py)} (${formatRatio(tool / py)})`,
  ];
}
