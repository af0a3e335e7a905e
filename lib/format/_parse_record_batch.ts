import { BackupError } from "../errors.ts";
import type { BackupRecord } from "./record.ts";

/** Where a data file's records are read: counts the records as they are parsed. */
export interface RecordCursor {
  /** How the error message starts, e.g. `Cannot import backup`. */
  context: string;
  /** The file's path within the backup. */
  file: string;
  /** Records read so far (the 1-based number of the last one). */
  count: number;
}

/**
 * Parses one batch of record texts with `parse`. A bad record throws a {@linkcode BackupError}
 * (`INVALID_BACKUP`) naming the file and the record's number, with the parser's error as cause.
 */
export function parseRecordBatch(
  batch: readonly string[],
  parse: (text: string) => BackupRecord,
  cursor: RecordCursor,
): BackupRecord[] {
  const records: BackupRecord[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    cursor.count++;
    try {
      records[i] = parse(batch[i]!);
    } catch (error) {
      throw new BackupError(
        `${cursor.context}: invalid record ${cursor.count} in ${cursor.file}: ${
          (error as Error).message
        }`,
        {
          code: "INVALID_BACKUP",
          file: cursor.file,
          record: cursor.count,
          cause: error,
        },
      );
    }
  }
  return records;
}
