import { join } from "node:path";
import {
  DATA_DIR,
  PARTITION_FILE_PATTERN,
  partitionFilePath,
  type RecordKind,
} from "../format/layout.ts";
import type {
  DataFileEntry,
  LabelSetCount,
  RelationshipTypeCount,
} from "../format/manifest.ts";
import { labelSetKey } from "../format/_label_set_key.ts";
import type { DonePartition } from "./_checkpoint.ts";
import { fileError } from "./_files.ts";
import { sortLabelSets, sortTypes } from "./_record_tally.ts";

/**
 * Removes the data files of partition `index` of `kind` from `data/` (left by a try that did not
 * finish), so that it can be written anew.
 */
export async function removePartitionFiles(
  dir: string,
  kind: RecordKind,
  index: number,
): Promise<void> {
  const data = join(dir, DATA_DIR);
  try {
    for await (const entry of Deno.readDir(data)) {
      const match = PARTITION_FILE_PATTERN.exec(entry.name);
      if (match && match[1] === kind && Number(match[2]) === index) {
        await Deno.remove(join(data, entry.name));
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw fileError(data, error, "clean");
    }
  }
}

/**
 * Moves the files a partition's writer wrote (in its folder) into `data/`, named by the
 * partition (`<kind>_<P>_<F>`), and returns their entries there.
 */
export async function placePartitionFiles(
  dir: string,
  files: readonly DataFileEntry[],
  partition: { kind: RecordKind; index: number },
  compressed: boolean,
): Promise<DataFileEntry[]> {
  const placed: DataFileEntry[] = [];
  for (const [i, file] of files.entries()) {
    const path = partitionFilePath(
      partition.kind,
      partition.index,
      i + 1,
      compressed,
    );
    try {
      await Deno.rename(join(dir, file.path), join(dir, path));
    } catch (error) {
      throw fileError(join(dir, path), error, "move a data file to");
    }
    placed.push({ ...file, path });
  }
  return placed;
}

/** A file's size, undefined when it is not there. */
export async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return undefined;
  }
}

/** The partitions' counts added up: nodes per label set and relationships per type, sorted. */
export function sumTallies(partitions: readonly DonePartition[]): {
  labelSets: LabelSetCount[];
  relationshipTypes: RelationshipTypeCount[];
} {
  const sets = new Map<string, LabelSetCount>();
  const types = new Map<string, number>();
  for (const partition of partitions) {
    for (const set of partition.labelSets) {
      const key = labelSetKey(set.labels);
      const seen = sets.get(key);
      if (seen) seen.count += set.count;
      else sets.set(key, { labels: set.labels, count: set.count });
    }
    for (const { type, count } of partition.types) {
      types.set(type, (types.get(type) ?? 0) + count);
    }
  }
  return {
    labelSets: sortLabelSets([...sets.values()]),
    relationshipTypes: sortTypes(types),
  };
}
