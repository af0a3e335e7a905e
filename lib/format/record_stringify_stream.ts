import { stringifyRecord } from "./_record_json.ts";
import type { BackupRecord } from "./record.ts";

/** Options for {@linkcode RecordStringifyStream}. */
export interface RecordStringifyStreamOptions {
  /**
   * Indent each record's JSON by this many spaces per level; 0 writes each on one line.
   * @default {0}
   */
  indent?: number;
}

/**
 * Turns batches of records into batches of their JSON texts, in the backup format (keys in the
 * Python tool's order; each property value through `valueToJson`).
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
    super({
      transform: (batch, controller) => {
        controller.enqueue(
          batch.map((record) => stringifyRecord(record, indent)),
        );
      },
    });
  }
}
