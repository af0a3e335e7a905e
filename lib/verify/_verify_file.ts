import { BackupError } from "../errors.ts";
import type { BackupReader } from "../format/backup_reader.ts";
import { labelSetKey } from "../format/_label_set_key.ts";

/** What reading one data file found. */
export interface FileCheck {
  /** Records in the file. */
  records: number;
  /** Per label set key (node files) or relationship type: the count. */
  counts: [string, number][];
  /** Node files: every node id. Relationship files: id, start id, end id of each. */
  ids: Float64Array;
  /** Each record's label set or type: its index in `counts`. */
  groups: Uint32Array;
}

/** A growable Float64Array of ids. */
class Ids {
  array = new Float64Array(4096);
  length = 0;

  push(value: bigint): void {
    if (this.length === this.array.length) {
      const grown = new Float64Array(this.array.length * 2);
      grown.set(this.array);
      this.array = grown;
    }
    const n = Number(value);
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`id ${value} is out of the supported range`);
    }
    this.array[this.length++] = n;
  }
}

/**
 * Reads every record of one data file (parsing and decoding each), counting them per label set
 * or type and collecting the ids the endpoint check needs. Throws a BackupError naming the file
 * and record for the first bad one.
 */
export async function verifyFile(
  backup: BackupReader,
  index: number,
  context: string,
  onRecords: (records: number) => void = () => {},
  signal?: AbortSignal,
): Promise<FileCheck> {
  const file = backup.files[index]!;
  const counts: [string, number][] = [];
  const indexes = new Map<string, number>();
  const ids = new Ids();
  let groups = new Uint32Array(4096);
  let records = 0;
  const stream = backup.records(file, {
    context,
    ...(signal ? { signal } : {}),
  });
  for await (const batch of stream) {
    for (const record of batch) {
      records++;
      let key: string;
      try {
        ids.push(record.id);
        if (record.kind === "node") {
          key = labelSetKey(record.labels);
        } else {
          ids.push(record.startId);
          ids.push(record.endId);
          key = record.type;
        }
      } catch (error) {
        throw new BackupError(
          `${context}: invalid record ${records} in ${file.path}: ${
            (error as Error).message
          }`,
          {
            code: "INVALID_BACKUP",
            file: file.path,
            record: records,
            cause: error,
          },
        );
      }
      let group = indexes.get(key);
      if (group === undefined) {
        indexes.set(key, group = counts.length);
        counts.push([key, 0]);
      }
      counts[group]![1]++;
      if (records > groups.length) {
        const grown = new Uint32Array(groups.length * 2);
        grown.set(groups);
        groups = grown;
      }
      groups[records - 1] = group;
    }
    onRecords(records);
  }
  return {
    records,
    counts,
    ids: ids.array.slice(0, ids.length),
    groups: groups.slice(0, records),
  };
}
