import { LineLog } from "../_line_log.ts";
import { BackupError } from "../errors.ts";
import { fileError } from "./_files.ts";
import type {
  DataFileEntry,
  LabelSetCount,
  RelationshipTypeCount,
} from "../format/manifest.ts";
import type { DatabaseState } from "./_database_state.ts";
import type { PartitionPlan } from "./_partition_plan.ts";

/**
 * What an extract fixed when it started, so that `--resume` goes on with the same: the source,
 * the options that shape the files, the partitions, and the database's state at the start.
 */
export interface CheckpointHeader {
  checkpoint: "neo4j-backup-extract";
  version: 1;
  startedAt: string;
  source: { address: string; database: string; databaseId: string | null };
  /** The options that shape the backup, as JSON (compression, indent, file size, selection). */
  options: string;
  plan: PartitionPlan;
  /** The database's state before the first partition. */
  before: DatabaseState;
  /** The schema before the first partition, as JSON (bigints as strings). */
  schemaBefore: string;
  /** What the count store said the selection takes (for progress). */
  expected: { nodes: number; relationships: number };
}

/** A partition written completely: its files (in the partition's folder) and what they hold. */
export interface DonePartition {
  done: string;
  files: DataFileEntry[];
  records: number;
  labelSets: LabelSetCount[];
  types: RelationshipTypeCount[];
  /** The database's last transaction when the partition's read committed. */
  bookmark: string;
}

/** A checkpoint as read back. */
export interface CheckpointContents {
  header: CheckpointHeader;
  done: Map<string, DonePartition>;
}

/**
 * The checkpoint of an extract, `checkpoint.jsonl` in the backup directory: a header line, then
 * a line per partition written completely, flushed before the next partition counts on it. It is
 * removed once the manifest is in place.
 */
export class Checkpoint {
  readonly #log: LineLog;

  private constructor(log: LineLog) {
    this.#log = log;
  }

  /** Starts a new checkpoint at `path`. */
  static async create(
    path: string,
    header: CheckpointHeader,
  ): Promise<Checkpoint> {
    return new Checkpoint(await LineLog.create(path, header, ioError(path)));
  }

  /** Opens an existing checkpoint to go on appending. */
  static async open(path: string): Promise<Checkpoint> {
    return new Checkpoint(await LineLog.open(path, ioError(path)));
  }

  /**
   * Reads the checkpoint at `path`; undefined when there is none. A last line cut short is a
   * partition not recorded (it is read again).
   */
  static async read(path: string): Promise<CheckpointContents | undefined> {
    const lines = await LineLog.read(path, ioError(path));
    if (lines === undefined) return undefined;
    let header: CheckpointHeader | undefined;
    const done = new Map<string, DonePartition>();
    for (const [i, line] of lines.entries()) {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new BackupError(
          `Cannot resume the extract: its checkpoint ${path} is corrupt at line ${
            i + 1
          }`,
          { code: "RESUME", cause: error },
        );
      }
      if (i === 0) {
        if (
          value.checkpoint !== "neo4j-backup-extract" || value.version !== 1
        ) {
          throw new BackupError(
            `Cannot resume the extract: ${path} is not an extract checkpoint of this tool`,
            { code: "RESUME" },
          );
        }
        header = value as unknown as CheckpointHeader;
      } else if (typeof value.done === "string") {
        done.set(value.done, value as unknown as DonePartition);
      }
    }
    if (!header) {
      throw new BackupError(
        `Cannot resume the extract: its checkpoint ${path} is empty`,
        { code: "RESUME" },
      );
    }
    return { header, done };
  }

  /** Records a partition as written completely (flushed to disk before it returns). */
  done(partition: DonePartition): Promise<void> {
    return this.#log.append(partition, true);
  }

  /** Closes the file. */
  close(): void {
    this.#log.close();
  }

  /** Closes and deletes the checkpoint (the manifest is in place). */
  remove(): Promise<void> {
    return this.#log.remove();
  }
}

function ioError(path: string): (error: unknown) => BackupError {
  return (error) => fileError(path, error);
}
