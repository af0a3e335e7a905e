import { createHash } from "node:crypto";
import { join } from "node:path";
import neo4j from "../_driver.ts";
import type { ServerInfo } from "../_server_info.ts";
import { BackupError } from "../errors.ts";
import type { BackupReader } from "../format/backup_reader.ts";
import { MANIFEST_FILE } from "../format/layout.ts";
import type { IdMap } from "../verify/_id_map.ts";
import {
  Journal,
  type JournalContents,
  type JournalEntry,
  type JournalHeader,
} from "./_journal.ts";
import { labelSetKey } from "../format/_label_set_key.ts";
import type { GraphCounts, Target } from "./_target.ts";

/** Where the journal of an import of the backup `backupId` into `server`'s database lives by default. */
export function defaultJournalPath(
  journalDir: string,
  backupId: string,
  server: ServerInfo,
): string {
  return join(
    journalDir,
    `import-${backupId.slice(0, 16)}-${
      (server.databaseId ?? server.database).slice(0, 16)
    }.journal`,
  );
}

/** A backup's identity: its manifest's bytes, or its file list. */
export async function fingerprint(backup: BackupReader): Promise<string> {
  const hash = createHash("sha256");
  if (backup.manifest) {
    hash.update(await Deno.readFile(join(backup.dir, MANIFEST_FILE)));
  } else {
    for (const file of backup.files) {
      const info = await Deno.stat(join(backup.dir, file.path));
      hash.update(`${file.path}\0${info.size}\0${info.mtime?.getTime()}\n`);
    }
  }
  return hash.digest("hex");
}

/**
 * Reads the journal an earlier import left, and checks that it fits what this run asks: with
 * `resume`, a journal of this backup into this database must exist; without it, none may
 * (unless `clean` starts over).
 *
 * @throws {BackupError} `RESUME` when the journal does not fit.
 */
export async function readJournal(
  path: string,
  identity: {
    backup: string;
    databaseId: string | null;
    selection: string | undefined;
  },
  options: { resume: boolean; clean: boolean },
  action: string,
): Promise<JournalContents | undefined> {
  const previous = await Journal.read(path);
  if (options.resume) {
    if (!previous) {
      throw new BackupError(
        `${action}: there is nothing to resume (no import journal at ${path})`,
        { code: "RESUME" },
      );
    }
    if (previous.header.backup !== identity.backup) {
      throw new BackupError(
        `${action}: the journal ${path} belongs to the import of another backup`,
        { code: "RESUME" },
      );
    }
    if (previous.header.target.databaseId !== identity.databaseId) {
      throw new BackupError(
        `${action}: the journal ${path} belongs to an import into another database`,
        { code: "RESUME" },
      );
    }
    if (previous.header.selection !== identity.selection) {
      throw new BackupError(
        `${action}: the journal ${path} belongs to an import with another selection or renames (${
          previous.header.selection ?? "everything"
        }): resume with the options it started with`,
        { code: "RESUME" },
      );
    }
  } else if (previous && !options.clean) {
    throw new BackupError(
      `${action}: an earlier import of this backup into this database did not finish`,
      { code: "RESUME", hint: "resume-or-clean" },
    );
  }
  return previous;
}

/** The first line of a new journal. */
export function journalHeader(
  backup: string,
  server: ServerInfo,
  baseline: GraphCounts,
  selection: string | undefined,
): JournalHeader {
  return {
    ...(selection === undefined ? {} : { selection }),
    journal: "neo4j-backup-import",
    version: 1,
    backup,
    target: {
      address: server.address,
      database: server.database,
      databaseId: server.databaseId,
    },
    createdAt: new Date().toISOString(),
    baseline: {
      labelSets: [...baseline.labelSets].map(([key, count]) => ({
        labels: JSON.parse(key),
        count,
      })),
      relationshipTypes: [...baseline.relationshipTypes].map((
        [type, count],
      ) => ({ type, count })),
    },
  };
}

/** What the target held before the import, as its journal recorded it. */
export function journalBaseline(header: JournalHeader): GraphCounts {
  return {
    labelSets: new Map(
      header.baseline.labelSets.map((s) => [labelSetKey(s.labels), s.count]),
    ),
    relationshipTypes: new Map(
      header.baseline.relationshipTypes.map((t) => [t.type, t.count]),
    ),
  };
}

/** Ranges [a, b) of a data file's records, sorted, apart (neither overlapping nor touching). */
export type CommittedRanges = [number, number][];

/** Where an interrupted import stood, as its journal and the database tell. */
export interface ResumePoint {
  /**
   * The records committed of each data file (by its index): with parallel writers, not always
   * from the start.
   */
  done: Map<number, CommittedRanges>;
  /** Nodes and relationships written so far. */
  written: { nodes: number; relationships: number };
  /** The journal's next sequence number. */
  sequence: number;
}

/** Whether `ranges` cover a file's records 0 to `records`. */
export function covers(
  ranges: CommittedRanges | undefined,
  records: number | null,
): boolean {
  return records !== null && ranges !== undefined && ranges.length === 1 &&
    ranges[0]![0] === 0 && ranges[0]![1] >= records;
}

/**
 * Settles the transactions the journal began but did not see commit (committed when every id
 * they created exists, not when none does), puts the ids of the committed nodes into `ids`, and
 * says where each file stands.
 */
export async function resumePoint(
  target: Target,
  journal: JournalContents,
  ids: IdMap,
): Promise<ResumePoint> {
  const committed = [...journal.committed];
  const taken = new TakenIds(committed);
  for (const entry of journal.uncertain) {
    if (!taken.holdsAny(entry) && await landed(target, entry)) {
      committed.push(entry);
      taken.add(entry);
    }
  }
  const ranges = new Map<number, CommittedRanges>();
  const written = { nodes: 0, relationships: 0 };
  for (const entry of committed) {
    let list = ranges.get(entry.f);
    if (!list) ranges.set(entry.f, list = []);
    list.push([entry.a, entry.b]);
    applyEntry(entry, ids);
    if (entry.k === "n") written.nodes += entry.ids.length / 2;
    else written.relationships += entry.ids.length;
  }
  const done = new Map<number, CommittedRanges>();
  for (const [f, list] of ranges) done.set(f, merge(list));
  return { done, written, sequence: journal.nextSequence };
}

/** Sorts ranges and joins those that overlap or touch. */
function merge(list: CommittedRanges): CommittedRanges {
  list.sort((x, y) => x[0] - y[0]);
  const merged: CommittedRanges = [];
  for (const [a, b] of list) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** Puts the node ids a committed journal entry created into `ids`. */
export function applyEntry(entry: JournalEntry, ids: IdMap): void {
  if (entry.k !== "n") return;
  for (let i = 0; i < entry.ids.length; i += 2) {
    ids.set(BigInt(entry.ids[i]!), entry.ids[i + 1]!);
  }
}

/**
 * Whether a journal entry's transaction committed: all the ids it created exist (true) or none
 * does (false).
 *
 * @throws {BackupError} `RESUME` when only some exist (something else changed the database).
 */
export async function landed(
  target: Target,
  entry: JournalEntry,
): Promise<boolean> {
  const created = createdIds(entry);
  if (created.length === 0) return true;
  const query = entry.k === "n"
    ? "MATCH (n) WHERE id(n) IN $ids RETURN count(n) AS count"
    : "MATCH ()-[r]->() WHERE id(r) IN $ids RETURN count(r) AS count";
  const { records } = await target.query(query, {
    ids: created.map((id) => neo4j.int(id)),
  });
  const found = Number(records[0]?.get("count") ?? 0);
  if (found === created.length) return true;
  if (found === 0) return false;
  throw new BackupError(
    `Cannot resume: the database holds ${found} of the ${created.length} ${
      entry.k === "n" ? "nodes" : "relationships"
    } of an interrupted transaction; it was changed by something else since`,
    { code: "RESUME" },
  );
}

/** The ids of the nodes or relationships a journal entry's transaction created. */
function createdIds(entry: JournalEntry): number[] {
  return entry.k === "n" ? entry.ids.filter((_, i) => i % 2 === 1) : entry.ids;
}

/**
 * The ids that committed transactions created, to settle an uncertain one: one that was given
 * any of them did not commit (the import deletes nothing, so the server gave them again after
 * its rollback), whatever a query of those ids finds.
 */
export class TakenIds {
  readonly #ids = { n: new Set<number>(), r: new Set<number>() };

  /** Starts with the ids of `committed`. */
  constructor(committed: Iterable<JournalEntry> = []) {
    for (const entry of committed) this.add(entry);
  }

  /** Adds the ids a committed entry created. */
  add(entry: JournalEntry): void {
    const set = this.#ids[entry.k];
    for (const id of createdIds(entry)) set.add(id);
  }

  /** Whether `entry` created an id that a committed entry of its kind holds. */
  holdsAny(entry: JournalEntry): boolean {
    const set = this.#ids[entry.k];
    return createdIds(entry).some((id) => set.has(id));
  }
}
