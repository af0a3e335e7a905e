// deno-lint-ignore-file no-console
/**
 * BENCHMARKS.md: `_report_template.md` (the prose) filled in with the results of every size: the
 * ratios, the targets, a table and notes per size, the environment and the commands.
 *
 * @module
 */
import { evaluateTargets } from "./_targets.ts";
import {
  formatBackupSize,
  formatCount,
  formatGiB,
  formatMiB,
  formatRatio,
  formatSeconds,
  log,
  shortCount,
} from "./_format.ts";
import type { Kind, SizeResult, Summary } from "./_results.ts";

const TEMPLATE = new URL("./_report_template.md", import.meta.url);

/** The rows of the ratio table: a comparison's name (see `COMPARISONS`) and its label. */
const RATIO_ROWS: readonly [string, string][] = [
  [
    "extract / bare driver loop (for await)",
    "Extract vs bare driver loop (`for await`)",
  ],
  [
    "extract / bare driver loop (subscribe)",
    "Extract vs bare driver loop (`subscribe`)",
  ],
  ["extract / Python tool", "Extract vs Python tool"],
  [
    "import / hand-written UNWIND import",
    "Import vs hand-written `UNWIND` import",
  ],
  ["import / Python tool", "Import vs Python tool"],
];

/**
 * Prints the targets and, unless `write` is false, writes the report to `path` in the project's
 * markdown style (`deno fmt`, so that `deno fmt --check` stays clean).
 */
export async function writeReport(
  results: SizeResult[],
  path: string,
  write: boolean,
): Promise<void> {
  results.sort((a, b) => a.nodes - b.nodes);
  const targets = evaluateTargets(results);
  console.log("\nTargets:");
  for (const line of targets) console.log(`  ${line}`);
  if (!write) return;
  await Deno.writeTextFile(path, await report(results, targets));
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", path],
    stdout: "null",
  }).output();
  log(`Wrote BENCHMARKS.md`);
}

/** The report's markdown, before `deno fmt`. */
async function report(
  results: SizeResult[],
  targets: string[],
): Promise<string> {
  const env = results[0]!.environment;
  return fill(await Deno.readTextFile(TEMPLATE), {
    ratios: ratioTable(results),
    targets: targets.length > 0 ? targets : ["(none that the sizes run allow)"],
    sizes: results.flatMap((
      r,
      i,
    ) => [...(i > 0 ? [""] : []), ...sizeSection(r)]),
    environment: [
      `Machine: ${env.machine.cpu}, ${env.machine.cores} cores, ${
        formatGiB(env.machine.memoryBytes)
      } RAM; ${env.machine.os}`,
      ...Object.entries(env.versions).map(([name, version]) =>
        `${name}: ${version}`
      ),
    ],
    commands: [...new Set(results.map((r) => r.command))],
  });
}

/**
 * Fills in a template: a line `{{name}}` becomes the lines of `parts[name]`, a line `- {{name}}`
 * one list item per line; the leading `<!-- ... -->` comment is left out.
 */
function fill(template: string, parts: Record<string, string[]>): string {
  const body = template.replace(/^<!--[\s\S]*?-->\n\n/, "");
  return body.split("\n").flatMap((line) => {
    const match = /^(- )?\{\{(\w+)\}\}$/.exec(line);
    if (!match) return [line];
    const lines = parts[match[2]!];
    if (!lines) throw new Error(`The report has no part "${match[2]}"`);
    return lines.map((l) => (match[1] ?? "") + l);
  }).join("\n");
}

/** This tool's throughput over each other's, per size. */
function ratioTable(results: SizeResult[]): string[] {
  const rows = [
    `| This tool's throughput / ... | ${
      results.map((r) => `${r.size} (${shortCount(r.nodes)} nodes)`).join(" | ")
    } |`,
    `| --- | ${results.map(() => "---:").join(" | ")} |`,
  ];
  for (const [key, label] of RATIO_ROWS) {
    const cells = results.map((r) => {
      const x = r.ratios.find((q) => q.name === key);
      if (x?.value !== undefined) return `**${formatRatio(x.value)}**`;
      if (x?.atLeast === undefined) return "n/a";
      return `**> ${formatRatio(x.atLeast)}**${
        x.projected !== undefined
          ? ` (projected: > ${formatRatio(x.projected)})`
          : ""
      }`;
    });
    rows.push(`| ${label} | ${cells.join(" | ")} |`);
  }
  return rows;
}

/** A size's heading, table and notes. */
function sizeSection(r: SizeResult): string[] {
  return [
    `## ${r.size}: ${formatCount(r.nodes)} nodes, ${
      formatCount(r.relationships)
    } relationships`,
    "",
    ...sizeTable(r),
    "",
    ...sizeNotes(r),
  ];
}

/** Every round of every kind, the median, the rate, the peak RSS and the backup's size. */
function sizeTable(r: SizeResult): string[] {
  const heads = Array.from({ length: r.rounds }, (_, i) => `Round ${i + 1}`);
  const section = (title: string, kinds: Kind[]): string[] => [
    `| _${title}_ | ${heads.map(() => "").join(" | ")} | | | | |`,
    ...kinds.flatMap((kind) => kindRow(r, kind)),
  ];
  return [
    `| | ${
      heads.join(" | ")
    } | Median | Records/s | Peak RSS | Backup on disk |`,
    `| --- | ${
      heads.map(() => "---:").join(" | ")
    } | ---: | ---: | ---: | ---: |`,
    ...section("Extract", [
      "driver-iterate",
      "driver-subscribe",
      "tool-extract",
      "python-extract",
    ]),
    ...section("Import (into an empty database)", [
      "unwind-import",
      "tool-import",
      "python-import",
    ]),
  ];
}

/** The table row of a kind, when it ran. */
function kindRow(r: SizeResult, kind: Kind): string[] {
  const list = r.measurements[kind];
  const s = r.summaries.find((x) => x.kind === kind);
  if (!list || !s) return [];
  const cells = Array.from({ length: r.rounds }, (_, i) => {
    const m = list.find((x) => x.round === i + 1);
    if (!m) return s.timedOut ? "not repeated" : "";
    if (m.error) return "failed";
    if (m.timedOut) return `> ${formatSeconds(m.seconds)} (limit)`;
    return formatSeconds(m.seconds);
  });
  const medianCell = s.medianSeconds !== undefined
    ? formatSeconds(s.medianSeconds)
    : s.reached
    ? `> ${formatSeconds(s.reached.seconds)}`
    : "n/a";
  const rate = s.recordsPerSecond !== undefined
    ? formatCount(Math.round(s.recordsPerSecond))
    : s.reached
    ? `${
      formatCount(
        Math.round(
          (s.reached.nodes + s.reached.relationships) / s.reached.seconds,
        ),
      )
    } (until stopped)`
    : "n/a";
  return [
    `| ${s.label} | ${cells.join(" | ")} | ${medianCell} | ${rate} | ${
      s.maxRssBytes ? formatMiB(s.maxRssBytes) : "n/a"
    } | ${s.bytes ? formatBackupSize(s.bytes) : ""} |`,
  ];
}

/** The notes under a size's table: timeouts, failures, the time limit, the load, the run. */
function sizeNotes(r: SizeResult): string[] {
  const notes: string[] = [];
  for (const s of r.summaries) {
    if (s.reached) notes.push(timeoutNote(r, s));
    for (const m of r.measurements[s.kind] ?? []) {
      if (m.error) {
        notes.push(`- ${s.label}, round ${m.round}, failed: ${m.error}`);
      }
    }
  }
  notes.push(
    r.measurements["python-extract"]
      ? `- Time limit of one run of the Python tool: ${
        formatSeconds(r.timeLimitSeconds)
      }.`
      : "- The Python tool was not run at this size (run with `--python-large` to include it).",
  );
  if (r.loadAverage) {
    notes.push(
      `- Load average (1, 5, 15 min) of the machine when this size started: ${r.loadAverage.start}; when it ended: ${r.loadAverage.end}.`,
    );
  }
  notes.push(
    `- Loading the graph for the extract measurements (the hand-written import, once more) took ${
      formatSeconds(r.loadSeconds)
    }. Run ${r.date.slice(0, 16).replace("T", " ")} UTC with \`${r.command}\`.`,
  );
  return notes;
}

/** How far a kind that hit the time limit got, and the time it would need. */
function timeoutNote(r: SizeResult, s: Summary): string {
  const reached = s.reached!;
  const pct = (a: number, b: number): string =>
    `${(100 * a / b).toFixed(a === b ? 0 : 1)}%`;
  const fixed = reached.toFix
    ? `, and ${formatCount(reached.toFix.total - reached.toFix.left)} of its ${
      formatCount(reached.toFix.total)
    } temporal and spatial values fixed (it writes them as strings, then sets them one query and one full scan per value)`
    : "";
  const projected = reached.projectedSeconds === undefined
    ? ""
    : reached.relationships === 0 && reached.nodes === r.nodes
    ? `: not even its first relationship transaction (the rows of one type from one file of its backup) had committed, so at the pace it was going it would need at least ${
      formatSeconds(reached.projectedSeconds)
    } in all (its time per row taken as even; the fix-up passes after the relationships not counted)`
    : `; at the rate it was going in that phase, it would need at least ${
      formatSeconds(reached.projectedSeconds)
    } in all (the phases after it not counted)`;
  return `- ${s.label} did not finish within the time limit: stopped after ${
    formatSeconds(reached.seconds)
  } with ${formatCount(reached.nodes)} of ${formatCount(r.nodes)} nodes (${
    pct(reached.nodes, r.nodes)
  }) and ${formatCount(reached.relationships)} of ${
    formatCount(r.relationships)
  } relationships (${
    pct(reached.relationships, r.relationships)
  }) written${fixed}${projected}.${
    s.rounds < r.rounds ? " Not repeated in later rounds." : ""
  }`;
}
