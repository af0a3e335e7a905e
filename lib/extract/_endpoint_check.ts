import { readDataFile } from "../format/backup_reader.ts";
import type { DataFileEntry } from "../format/manifest.ts";
import { NodeIdSet } from "./_node_id_set.ts";

/** A relationship of the backup that ends at a node the backup does not hold. */
export interface DanglingRelationship {
  id: number;
  start: number;
  end: number;
  /** The data file that holds it. */
  file: string;
}

/**
 * The most dangling relationships one check collects: past it, the database changed too much
 * while it was read for the extract to mend it.
 */
export const MAX_DANGLING = 100_000;

/** Ids at the head of a record as this tool writes it (`{"node_id":3,...`). */
const NODE_HEAD = /^\{\s*"node_id"\s*:\s*(\d+)\s*,/;
const RELATIONSHIP_HEAD =
  /^\{\s*"rel_id"\s*:\s*(\d+)\s*,\s*"start_node_id"\s*:\s*(\d+)\s*,\s*"end_node_id"\s*:\s*(\d+)\s*,/;

/**
 * The node ids of the node files `files` of the backup in `dir` (just written by the extract:
 * each record's id is read from the head of its text, without decoding the properties).
 */
export async function readNodeIds(
  dir: string,
  files: readonly DataFileEntry[],
  signal: AbortSignal | undefined,
): Promise<NodeIdSet> {
  const ids = new NodeIdSet();
  for (const file of files) {
    for await (const batch of elements(dir, file, signal)) {
      for (const text of batch) {
        const head = NODE_HEAD.exec(text);
        ids.add(Number(head ? head[1] : JSON.parse(text).node_id));
      }
    }
  }
  ids.freeze();
  return ids;
}

/**
 * The relationships of the relationship files `files` whose start or end node `holds` says the
 * backup lacks, in file order; at most {@linkcode MAX_DANGLING} (a RangeError past it).
 */
export async function findDangling(
  dir: string,
  files: readonly DataFileEntry[],
  holds: (id: number) => boolean,
  signal: AbortSignal | undefined,
): Promise<DanglingRelationship[]> {
  const found: DanglingRelationship[] = [];
  for (const file of files) {
    for await (const batch of elements(dir, file, signal)) {
      for (const text of batch) {
        const head = RELATIONSHIP_HEAD.exec(text);
        const [id, start, end] = head
          ? [Number(head[1]), Number(head[2]), Number(head[3])]
          : relationshipIds(text);
        if (holds(start) && holds(end)) continue;
        if (found.length === MAX_DANGLING) {
          throw new RangeError(
            `more than ${MAX_DANGLING} relationships end at nodes the backup does not hold`,
          );
        }
        found.push({ id, start, end, file: file.path });
      }
    }
  }
  return found;
}

function relationshipIds(text: string): [number, number, number] {
  const record = JSON.parse(text);
  return [
    Number(record.rel_id),
    Number(record.start_node_id),
    Number(record.end_node_id),
  ];
}

/** The texts of the records of one data file the extract wrote, in batches. */
function elements(
  dir: string,
  file: DataFileEntry,
  signal: AbortSignal | undefined,
): ReadableStream<string[]> {
  return readDataFile(
    dir,
    { ...file, compressed: file.path.endsWith(".gz") },
    () => new TransformStream<string[], string[]>(),
    { context: "Cannot extract", ...(signal ? { signal } : {}) },
  );
}
