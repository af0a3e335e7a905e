// deno-lint-ignore-file no-console
/**
 * BENCHMARKS.md: `_report_template.md` (the prose) filled in with the results of every size (and
 * shape): the ratios, the targets, a table and notes per size, the environment and the commands.
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
import {
  CHECK_VS_VERIFY,
  extractVariantArgs,
  extractVariantComparison,
  type Kind,
  kindLabel,
  orderedKinds,
  resumeArgs,
  resumeRatio,
  shapeOf,
  type SizeResult,
  type Summary,
  variantArgs,
} from "./_results.ts";

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
  // By size, then the benchmark shape before the production shape.
  results.sort((a, b) =>
    a.nodes - b.nodes ||
    Number(shapeOf(a) !== "benchmark") - Number(shapeOf(b) !== "benchmark")
  );
  const targets = evaluateTargets(results);
  console.log("\nTargets:");
  for (const line of targets) console.log(`  ${line}`);
  if (!write) return;
  await Deno.writeTextFile(path, await report(results, targets));
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", path],
    stdout: "null",
  }).output();
  log(`Wrote ${path}`);
}

/** The report's markdown, before `deno fmt`. */
async function report(
  results: SizeResult[],
  targets: string[],
): Promise<string> {
  const env = results[0]!.environment;
  return fill(await Deno.readTextFile(TEMPLATE), {
    ratios: ratioTable(results),
    extract: extractSection(results),
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

/** A result's name in the report: its size, and its shape unless the benchmark's. */
function resultName(r: SizeResult): string {
  const shape = shapeOf(r);
  return shape === "benchmark" ? r.size : `${r.size}, ${shape} shape`;
}

/**
 * The rows of the ratio table: {@linkcode RATIO_ROWS}, then every other ratio that a result has,
 * in the order of the first result that has it, labelled after its name.
 */
function ratioRows(results: SizeResult[]): [string, string][] {
  const rows = [...RATIO_ROWS];
  for (const r of results) {
    for (const { name } of r.ratios) {
      if (rows.some(([key]) => key === name)) continue;
      const label = name === CHECK_VS_VERIFY
        ? "Import's check of the backup vs `verify`"
        : name.replace(" / ", " vs ").replace("UNWIND", "`UNWIND`")
          .replace(/\((-[^)]*)\)/, "`$1`").replace(
            /^./,
            (c) => c.toUpperCase(),
          );
      rows.push([name, label]);
    }
  }
  return rows;
}

/** This tool's throughput over each other's, per size. */
function ratioTable(results: SizeResult[]): string[] {
  const rows = [
    `| This tool's throughput / ... | ${
      results.map((r) => `${resultName(r)} (${shortCount(r.nodes)} nodes)`)
        .join(" | ")
    } |`,
    `| --- | ${results.map(() => "---:").join(" | ")} |`,
  ];
  for (const [key, label] of ratioRows(results)) {
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

/** This tool's extract variants in a result, besides `tool-extract`. */
function extractVariants(r: SizeResult): Kind[] {
  return orderedKinds(r).filter((k) =>
    k !== "tool-extract" && extractVariantArgs(k)
  );
}

/** The resume cases of a result. */
function resumeKinds(r: SizeResult): Kind[] {
  return orderedKinds(r).filter((k) => resumeArgs(k));
}

/**
 * The extract's own figures, per result (results of older runs without a shape left out): each
 * variant against the bare `for await` loop of the same rounds, the resume case against the
 * uninterrupted extract, the latency case against the bare loop through the same proxy, with
 * the peak RSS of each and the command that produced them; then the peak RSS from 1M to 5M.
 */
function extractSection(all: SizeResult[]): string[] {
  const results = all.filter((r) => r.shape !== undefined);
  if (results.length === 0) {
    return ["(no result of this run measures the extract's variants)"];
  }
  const lines: string[] = [];
  for (const r of results) {
    const get = (kind: Kind): Summary | undefined =>
      r.summaries.find((s) => s.kind === kind);
    const ratioOf = (name: string): string => {
      const x = r.ratios.find((q) => q.name === name)?.value;
      return x === undefined ? "n/a" : `**${formatRatio(x)}**`;
    };
    const row = (kind: Kind, figure: string): string[] => {
      const s = get(kind);
      if (!s) return [];
      return [
        `| ${s.label} | ${
          s.medianSeconds !== undefined ? formatSeconds(s.medianSeconds) : "n/a"
        } | ${
          s.recordsPerSecond !== undefined
            ? formatCount(Math.round(s.recordsPerSecond))
            : "n/a"
        } | ${figure} | ${s.maxRssBytes ? formatMiB(s.maxRssBytes) : "n/a"} |`,
      ];
    };
    const latency = `${r.latencyMs ?? 20} ms latency`;
    const resumes = resumeKinds(r).flatMap((kind) => {
      const x = resumeRatio(r, kind);
      return row(
        kind,
        x
          ? `**${
            formatRatio(x.value)
          }** the time of the same extract uninterrupted`
          : "n/a",
      );
    });
    const resumeRounds = resumeKinds(r).flatMap((kind) =>
      (r.measurements[kind] ?? []).filter((m) => m.resume && !m.error).map(
        (m) => {
          const q = m.resume!;
          return `- ${kindLabel(kind, r)}, round ${m.round}: killed after ${
            formatSeconds(q.killedSeconds)
          } with ${
            (100 * q.recordsDone / (r.nodes + r.relationships)).toFixed(0)
          }% of the records (${q.partitionsDone} of ${q.partitions} partitions) recorded as written, peak RSS ${
            q.killedRssBytes ? formatMiB(q.killedRssBytes) : "n/a"
          }; resumed in ${formatSeconds(q.resumeSeconds)}, peak RSS ${
            formatMiB(q.resumeRssBytes)
          }.`;
        },
      )
    );
    lines.push(
      `### ${resultName(r)}: ${formatCount(r.nodes)} nodes, ${
        formatCount(r.relationships)
      } relationships`,
      "",
      `Produced by \`${r.command}\` (${r.rounds} round${
        r.rounds === 1 ? "" : "s"
      }, interleaved; medians).`,
      "",
      "| Extract | Median | Records/s | Figure | Peak RSS |",
      "| --- | ---: | ---: | --- | ---: |",
      ...row("driver-iterate", "1.00x (the ceiling: one stream)"),
      ...row(
        "tool-extract",
        `${ratioOf("extract / bare driver loop (for await)")} the bare loop`,
      ),
      ...extractVariants(r).flatMap((kind) =>
        row(kind, `${ratioOf(extractVariantComparison(kind))} the bare loop`)
      ),
      ...resumes,
      ...row(
        "driver-iterate-latency",
        "1.00x (the ceiling through the same proxy)",
      ),
      ...row(
        "tool-extract-latency",
        `${
          ratioOf(
            `extract (${latency}) / bare driver loop (for await, ${latency})`,
          )
        } the bare loop through the same proxy`,
      ),
      "",
      ...(resumeRounds.length > 0 ? [...resumeRounds, ""] : []),
    );
  }
  lines.push(
    "Peak RSS from 1M to 5M nodes (the extract with its defaults):",
    "",
    ...evaluateTargets(results).filter((t) =>
      t.includes("peak RSS at 5M nodes")
    ).map((t) => `- ${t}`),
  );
  return lines;
}

/** A size's heading, table and notes. */
function sizeSection(r: SizeResult): string[] {
  return [
    `## ${resultName(r)}: ${formatCount(r.nodes)} nodes, ${
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
  const variants = orderedKinds(r).filter((k) => variantArgs(k));
  const check = checkRows(r);
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
      ...extractVariants(r),
      ...resumeKinds(r),
      "python-extract",
      "apoc-export",
      "driver-iterate-latency",
      "tool-extract-latency",
    ]),
    ...section("Import (into an empty database)", [
      "unwind-import",
      "tool-import",
      ...variants,
      "python-import",
      "apoc-import",
      "tool-import-txlimit",
      "tool-import-latency",
    ]),
    ...(check.length > 0
      ? [
        `| _Check of the backup_ | ${
          heads.map(() => "").join(" | ")
        } | | | | |`,
        ...check,
      ]
      : []),
  ];
}

/**
 * `verify` of this tool's backup, and the import's own check of it before it writes (its time
 * from its start to the end of the check, in each round): when measured.
 */
function checkRows(r: SizeResult): string[] {
  const rows = kindRow(r, "tool-verify");
  const imports = r.measurements["tool-import"] ?? [];
  const checks = imports.filter((m) => m.checkSeconds !== undefined);
  if (checks.length === 0) return rows;
  const s = r.summaries.find((x) => x.kind === "tool-import");
  const cells = Array.from({ length: r.rounds }, (_, i) => {
    const m = imports.find((x) => x.round === i + 1);
    return m?.checkSeconds === undefined ? "" : formatSeconds(m.checkSeconds);
  });
  const median = s?.checkSeconds;
  return [
    ...rows,
    `| Import's check of the backup, before it writes (part of the import) | ${
      cells.join(" | ")
    } | ${median !== undefined ? formatSeconds(median) : "n/a"} | ${
      median
        ? formatCount(Math.round((r.nodes + r.relationships) / median))
        : "n/a"
    } | (the import's) | |`,
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
      : shapeOf(r) !== "benchmark"
      ? "- The Python tool runs on the benchmark shape only."
      : "- The Python tool was not run at this size (run with `--python-large` to include it).",
  );
  notes.push(...newerNotes(r), ...resumeNotes(r));
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

/** The notes on the newer measurements (results that have a shape). */
function newerNotes(r: SizeResult): string[] {
  if (r.shape === undefined) return [];
  const notes: string[] = [];
  if (r.apoc && "skipped" in r.apoc) {
    notes.push(`- APOC was not measured: ${r.apoc.skipped}.`);
  } else if (r.apoc) {
    notes.push(
      `- APOC Core ${r.apoc.version} on the same server, its JSON file in the server's import folder; timed from the client, which only waits (its peak RSS is the client's). \`apoc.import.json\` needs a uniqueness constraint on \`neo4jImportId\` for every label: creating them is part of its time.`,
    );
  }
  if (r.latencyMs !== undefined) {
    notes.push(
      `- Latency: the client connects through the test suite's proxy (\`tests/_proxy.ts\`), which holds every chunk it forwards (up to 16 KiB) for ${r.latencyMs} ms in each direction, one chunk at a time per connection and direction; so it also caps each connection at about ${
        Math.round(16 / (r.latencyMs / 1000))
      } KiB/s each way.`,
    );
  }
  if (r.transactionLimit) {
    notes.push(
      `- Transaction limit: the import into a second server, started as the first but with \`db.memory.transaction.max=${r.transactionLimit}\` (\`dbms.memory.transaction.max_size\` on 4.4; the setting cannot be changed at run time on Community: \`dbms.setConfigValue\` is Enterprise only); the database is checked to hold the whole graph.`,
    );
  }
  if (
    r.measurements["tool-import"]?.some((m) => m.checkSeconds !== undefined)
  ) {
    notes.push(
      "- The import's check of the backup is timed from the start of the command (connecting and the look at the target included) to its last progress update of the check, before anything is written.",
    );
  }
  return notes;
}

/** The notes on the resume case: how it is measured, and each round's kill and resume. */
function resumeNotes(r: SizeResult): string[] {
  const kinds = resumeKinds(r);
  if (kinds.length === 0) return [];
  const pct = Math.round((r.resumeAt ?? 0.9) * 100);
  const notes = [
    `- Resume: the extract's child is killed (SIGKILL) as soon as its \`checkpoint.jsonl\` records ${pct}% of the records as written (the \`records\` of its \`{"done": ...}\` lines, polled every 100 ms), then \`extract <dir> --resume\` runs in a new child, once the server has let go of the killed reads; its time is the killed child's work until the kill plus the resume's, against the median of the same extract uninterrupted in the same rounds; its peak RSS the higher of the two children's. The resumed backup is checked: \`manifest.json\` there with the graph's counts, no \`checkpoint.jsonl\`.`,
  ];
  for (const kind of kinds) {
    for (const m of r.measurements[kind] ?? []) {
      const q = m.resume;
      if (!q || m.error) continue;
      if (q.partitionsDone >= q.partitions) {
        notes.push(
          `- ${
            kindLabel(kind, r)
          }, round ${m.round}: every one of its ${q.partitions} partitions was written before the kill (too few partitions at this size to stop at ${pct}%): the resume only finished the backup. A variant with \`--partition-size\` (\`--extract-variants\`, \`--resume-case\`) makes more.`,
        );
      }
    }
  }
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
