/**
 * The benchmark's targets, one line each: `MET`, `MISSED`, `MET (projected)`, ... and the
 * numbers behind the verdict.
 *
 * @module
 */
import type { Kind, Ratio, SizeResult, Summary } from "./_results.ts";
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
    ...results.flatMap((r) =>
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
    `${
      verdict(x.value >= 0.8)
    }: extract >= 0.8x the bare driver loop at ${r.size}: ${
      formatRatio(x.value)
    } (for await)${
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
    `${verdict(x.value >= least)}: ${text} at ${r.size}: ${
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
  const target = `import >= 100x the Python tool at ${r.size}`;
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
    const r = results.find((r) => r.nodes === nodes);
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
    }: compressed backup no larger than the Python tool's at ${r.size}: ${
      formatBackupSize(tool)
    } vs ${formatBackupSize(py)} (${formatRatio(tool / py)})`,
  ];
}
