import { parseJson } from "../codec/parse_json.ts";
import { BackupError } from "../errors.ts";
import { jsonToRecord } from "./_record_json.ts";
import type { BackupRecord } from "./record.ts";

/** Options for {@linkcode RecordParseStream}. */
export interface RecordParseStreamOptions {
  /** The kind of record the file holds. */
  kind: BackupRecord["kind"];
  /** The file's path within the backup, for error messages. */
  file: string;
  /**
   * How the error message starts, e.g. `Cannot import backup`.
   * @default {"Invalid backup"}
   */
  context?: string;
}

/**
 * Turns batches of record texts (from {@linkcode JsonArrayParseStream}) into batches of
 * records, checking each. A bad record fails the stream with a {@linkcode BackupError}
 * (`INVALID_BACKUP`) that names the file and the record's 1-based number, and keeps the cause.
 *
 * @example
 * ```ts ignore
 * import { RecordParseStream } from "./record_parse_stream.ts";
 *
 * const records = ReadableStream.from([['{"node_id":0,"node_labels":[],"node_props":{}}']])
 *   .pipeThrough(new RecordParseStream({ kind: "node", file: "data/nodes_1.json" }));
 * ```
 */
export class RecordParseStream
  extends TransformStream<string[], BackupRecord[]> {
  #count = 0;

  /** Makes a stream for one data file. */
  constructor(options: RecordParseStreamOptions) {
    const context = options.context ?? "Invalid backup";
    super({
      transform: (batch, controller) => {
        const records: BackupRecord[] = new Array(batch.length);
        for (let i = 0; i < batch.length; i++) {
          this.#count++;
          try {
            records[i] = jsonToRecord(parseJson(batch[i]!), options.kind);
          } catch (error) {
            throw new BackupError(
              `${context}: invalid record ${this.#count} in ${options.file}: ${
                (error as Error).message
              }`,
              {
                code: "INVALID_BACKUP",
                file: options.file,
                record: this.#count,
                cause: error,
              },
            );
          }
        }
        controller.enqueue(records);
      },
    });
  }

  /** Records read so far. */
  get count(): number {
    return this.#count;
  }
}
