import { describeSchemaCounts } from "../_schema_counts.ts";
import { Extractor } from "../extract/extractor.ts";
import { stateDir } from "../_state_dir.ts";
import { locationOptions } from "./_location.ts";
import { Importer } from "../import/importer.ts";
import { listBackup } from "../list/list_backup.ts";
import { verifyBackup } from "../verify/verify_backup.ts";
import {
  extractOptions,
  importOptions,
  selectionFlag,
  type Values,
} from "./_args.ts";
import { formatBytes, formatCount, formatDuration, plural } from "./_format.ts";
import { formatListing } from "./_list.ts";
import type { ProgressDisplay } from "./_progress.ts";
import { engineOptions, withSession } from "./_session.ts";
import type { Terminal } from "./_terminal.ts";

/** What a command gets: its location, flags, terminal and progress line. */
export interface CommandInput {
  dir: string;
  values: Values;
  terminal: Terminal;
  progress: ProgressDisplay;
  /** Ends the command line at once (a second Ctrl-C). */
  quitNow: () => void;
  /** The location as the user gave it, when `dir` is a working copy of it. */
  shown?: string;
}

/** `neo4j-backup verify <dir>`: checks a backup without a database. */
export async function verifyCommand(input: CommandInput): Promise<number> {
  const { dir, terminal, progress } = input;
  const started = performance.now();
  try {
    const counts = await verifyBackup(dir, {
      ...locationOptions(terminal),
      onProgress: (p) =>
        progress.update({
          ...p,
          unit: p.phase === "checksums" ? "bytes" : "records",
        }),
    });
    progress.finish();
    if (input.values.quiet !== true) {
      terminal.out(
        `${input.shown ?? dir} is intact: ${formatCount(counts.nodes)} nodes, ${
          formatCount(counts.relationships)
        } relationships in ${plural(counts.files, "file")} (${
          formatBytes(counts.bytes)
        }), checked in ${formatDuration(performance.now() - started)}\n`,
      );
    }
    return 0;
  } finally {
    progress.finish();
  }
}

/**
 * `neo4j-backup list <dir>`: what a backup holds, from its manifest (a backup of the Python tool:
 * from its records), as text or, with `--json`, as JSON (and nothing else) on stdout.
 */
export async function listCommand(input: CommandInput): Promise<number> {
  const { dir, terminal, progress } = input;
  try {
    const listing = {
      ...await listBackup(dir, {
        ...locationOptions(terminal),
        onProgress: (p) =>
          progress.update({
            ...p,
            unit: p.phase === "checksums" ? "bytes" : "records",
          }),
      }),
      ...(input.shown === undefined ? {} : { dir: input.shown }),
    };
    progress.finish();
    terminal.out(
      input.values.json === true
        ? `${JSON.stringify(listing, null, 2)}\n`
        : formatListing(listing),
    );
    return 0;
  } finally {
    progress.finish();
  }
}

/** `neo4j-backup extract <dir>`: backs a database up into `dir`. */
export async function extractCommand(input: CommandInput): Promise<number> {
  const { dir, values, terminal, progress } = input;
  const options = extractOptions(values);
  const counts = await withSession(
    values,
    "extract",
    input,
    (session) =>
      new Extractor({
        ...engineOptions(session, dir),
        driverSettings: session.driverSettings,
        ...locationOptions(terminal),
        ...options,
        // The CLI is the whole program: it may set V8's --expose-gc (see the option).
        collectGarbage: true,
        onProgress: (p) =>
          progress.update({
            ...p,
            unit: p.phase === "uploading" ? "bytes" : "records",
          }),
      }).extractData(),
  );
  if (counts.writesDetected) {
    terminal.err(
      `warning: the database changed while it was extracted; the backup may not be consistent (see consistency in manifest.json)${
        counts.partitionsChanged > 0
          ? `: ${counts.partitionsChanged} of ${counts.partitions} partitions were read before its last change`
          : ""
      }\n`,
    );
  }
  const { mended } = counts;
  if (mended.relationships > 0) {
    const how = [
      mended.nodesAdded > 0
        ? `${plural(mended.nodesAdded, "node")} read again by id`
        : "",
      mended.partitionsReread > 0
        ? `${
          plural(mended.partitionsReread, "partition")
        } of relationships read again (their endpoint had been deleted)`
        : "",
    ].filter(Boolean).join(", ");
    terminal.err(
      `warning: ${
        plural(mended.relationships, "relationship")
      } ended at a node the backup lacked, because the database changed while it was read; mended: ${how}\n`,
    );
  }
  warnUnmatched(terminal, values, counts.unmatched, "in the database");
  if (values.quiet !== true) {
    terminal.out(
      `Extracted ${formatCount(counts.nodes)} nodes and ${
        formatCount(counts.relationships)
      } relationships (${describeSchemaCounts(counts)}) into ${
        input.shown ?? dir
      } in ${formatDuration(counts.elapsedMs)}: ${
        plural(counts.files, "file")
      }, ${formatBytes(counts.bytes)}${leftOut(counts.relationshipsLeftOut)}${
        counts.resumedPartitions > 0
          ? ` (resumed: ${counts.resumedPartitions} of ${counts.partitions} partitions were already written)`
          : ""
      }\n`,
    );
  }
  return 0;
}

/** `neo4j-backup import <dir>`: restores the backup in `dir` into a database. */
export async function importCommand(input: CommandInput): Promise<number> {
  const { dir, values, terminal, progress } = input;
  const options = importOptions(values);
  const counts = await withSession(
    values,
    "import",
    input,
    (session) =>
      new Importer({
        ...engineOptions(session, dir),
        ...locationOptions(terminal),
        journalDir: stateDir(terminal.env),
        ...options,
        onProgress: (p) =>
          progress.update({
            ...p,
            unit: p.phase === "checksums" ? "bytes" : "records",
          }),
      }).importData(),
  );
  for (const item of counts.skipped) {
    terminal.err(
      `warning: ${item.kind} ${
        JSON.stringify(item.name)
      } (${item.type}) was not created: ${item.reason}\n`,
    );
  }
  warnUnmatched(terminal, values, counts.unmatched, "in the backup");
  if (values.quiet !== true) {
    terminal.out(
      `Imported ${formatCount(counts.nodes)} nodes and ${
        formatCount(counts.relationships)
      } relationships (${describeSchemaCounts(counts)}) from ${
        input.shown ?? dir
      }${counts.resumed ? " (resumed)" : ""} in ${
        formatDuration(counts.elapsedMs)
      }; counts verified${leftOut(counts.relationshipsLeftOut)}\n`,
    );
  }
  return 0;
}

/**
 * One warning per selected or excluded name that matches nothing `where` (`in the database`,
 * `in the backup`), naming the flag it came from: a typo is not silent.
 */
function warnUnmatched(
  terminal: Terminal,
  values: Values,
  unmatched: { labels: readonly string[]; types: readonly string[] },
  where: string,
): void {
  for (const label of unmatched.labels) {
    terminal.err(
      `warning: ${selectionFlag(values, "label", label)} ${
        JSON.stringify(label)
      } matches no node ${where}\n`,
    );
  }
  for (const type of unmatched.types) {
    terminal.err(
      `warning: ${selectionFlag(values, "type", type)} ${
        JSON.stringify(type)
      } matches no relationship ${where}\n`,
    );
  }
}

/** The summary's note of relationships left out with an endpoint; empty when none were. */
function leftOut(relationships: number): string {
  return relationships > 0
    ? `; ${
      plural(relationships, "relationship")
    } left out because an endpoint was not selected`
    : "";
}
