import { stringifyRecord } from "./_record_json.ts";
import { textChunks } from "./_text_chunks.ts";
import type { BackupRecord } from "./record.ts";

/** Options for {@linkcode RecordStringifyStream}. */
export interface RecordStringifyStreamOptions {
  /**
   * Indent each record's JSON by this many spaces per level; 0 writes each on one line.
   * @default {0}
   */
  indent?: number;
  /**
   * Split the texts of a batch into output batches of about this many characters at most (a
   * record longer than this goes alone), so that what follows can let go of the texts of a
   * wide batch piece by piece.
   * @default {DEFAULT_CHUNK_CHARS} (1 MiB of characters)
   */
  chunkChars?: number;
}

/** The default of {@linkcode RecordStringifyStreamOptions.chunkChars}. */
export const DEFAULT_CHUNK_CHARS = 2 ** 20;

/**
 * Turns batches of records into batches of their JSON texts, in the backup format (keys in the
 * Python tool's order; each property value through `valueToJson`). A batch whose texts are
 * longer than `chunkChars` together comes out as several batches, in order.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import type { BackupRecord } from "./record.ts";
 * import { RecordStringifyStream } from "./record_stringify_stream.ts";
 *
 * const records: BackupRecord[] = [
 *   { kind: "node", id: 0n, labels: ["Person"], properties: { name: "Ada" } },
 * ];
 * const texts = ReadableStream.from([records])
 *   .pipeThrough(new RecordStringifyStream());
 * deepEqual(await Array.fromAsync(texts), [[
 *   '{"node_id":0,"node_labels":["Person"],"node_props":{"name":"Ada"}}',
 * ]]);
 * ```
 */
export class RecordStringifyStream
  extends TransformStream<BackupRecord[], string[]> {
  /** Makes a stream with the given indent. */
  constructor(options: RecordStringifyStreamOptions = {}) {
    const indent = options.indent ?? 0;
    const chunkChars = options.chunkChars ?? DEFAULT_CHUNK_CHARS;
    if (!(chunkChars > 0)) {
      throw new RangeError(`chunkChars must be positive, got ${chunkChars}`);
    }
    super({
      transform: (batch, controller) => {
        if (batch.length === 0) controller.enqueue([]);
        const toText = (record: BackupRecord) =>
          stringifyRecord(record, indent);
        for (const texts of textChunks(batch, toText, chunkChars)) {
          controller.enqueue(texts);
        }
      },
    });
  }
}
