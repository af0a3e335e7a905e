import {
  isDate,
  isDateTime,
  isDuration,
  isLocalDateTime,
  isLocalTime,
  isPoint,
  isTime,
  isVector,
} from "../_driver.ts";
import { parseJson } from "../codec/parse_json.ts";
import type { ScalarValue } from "../codec/types.ts";
import { parseRecordBatch, type RecordCursor } from "./_parse_record_batch.ts";
import { jsonToRecord } from "./_record_json.ts";
import type { RecordKind } from "./layout.ts";
import { type BackupRecord, recordKindOf } from "./record.ts";

/** Options for {@linkcode RecordParseStream}. */
export interface RecordParseStreamOptions {
  /** What the file holds, as its name says (`nodes` or `relationships`). */
  kind: RecordKind;
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
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { RecordParseStream } from "./record_parse_stream.ts";
 *
 * const records = ReadableStream.from([['{"node_id":0,"node_labels":[],"node_props":{}}']])
 *   .pipeThrough(new RecordParseStream({ kind: "nodes", file: "data/nodes_1.json" }));
 * deepEqual(await Array.fromAsync(records), [[
 *   { kind: "node", id: 0n, labels: [], properties: {} },
 * ]]);
 * ```
 */
export class RecordParseStream
  extends TransformStream<string[], BackupRecord[]> {
  #cursor: RecordCursor;

  /** Makes a stream for one data file. */
  constructor(options: RecordParseStreamOptions) {
    const kind = recordKindOf(options.kind);
    const cursor: RecordCursor = {
      context: options.context ?? "Invalid backup",
      file: options.file,
      count: 0,
    };
    super({
      transform: (batch, controller) => {
        controller.enqueue(parseRecordBatch(batch, (text) => {
          const record = jsonToRecord(parseJson(text), kind);
          checkStorable(record);
          return record;
        }, cursor));
      },
    });
    this.#cursor = cursor;
  }

  /** Records read so far. */
  get count(): number {
    return this.#cursor.count;
  }
}

/**
 * Refuses what Neo4j cannot hold as it is written, so that an import fails before it writes
 * anything rather than half-way: empty names or names with a NUL character (the server refuses
 * them), a label twice on a node (the server keeps one, and the counts would no longer match),
 * and lists that mix kinds of values, hold byte arrays or vectors, or points of different
 * coordinate systems (the server refuses them, or turns integers mixed with floats into floats).
 */
function checkStorable(record: BackupRecord): void {
  if (record.kind === "node") {
    for (const label of record.labels) checkName(label, "label");
    if (record.labels.length > 1) {
      const seen = new Set<string>();
      for (const label of record.labels) {
        if (seen.has(label)) {
          throw new SyntaxError(
            `the label ${JSON.stringify(label)} appears twice`,
          );
        }
        seen.add(label);
      }
    }
  } else {
    checkName(record.type, "relationship type");
  }
  for (const key in record.properties) {
    checkName(key, "property key");
    const value = record.properties[key]!;
    if (!Array.isArray(value) || value.length === 0) continue;
    const kind = kindOf(value[0]!);
    for (let i = 0; i < value.length; i++) {
      const other = i === 0 ? kind : kindOf(value[i]!);
      if (other === "ByteArray" || other === "Vector") {
        throw new SyntaxError(
          `property ${
            JSON.stringify(key)
          }: a list of ${other} values, which Neo4j cannot store`,
        );
      }
      if (other !== kind) {
        throw new SyntaxError(
          `property ${
            JSON.stringify(key)
          }: a list that mixes ${kind} and ${other} values, which Neo4j cannot store as they are`,
        );
      }
    }
  }
}

function checkName(name: string, what: string): void {
  if (name === "") throw new SyntaxError(`a ${what} is empty`);
  if (name.includes("\0")) {
    throw new SyntaxError(
      `the ${what} ${JSON.stringify(name)} holds a NUL character`,
    );
  }
}

/** The kind of a list element, as Neo4j tells them apart in a stored list. */
function kindOf(value: ScalarValue): string {
  switch (typeof value) {
    case "string":
      return "String";
    case "boolean":
      return "Boolean";
    case "bigint":
      return "Integer";
    case "number":
      return "Float";
  }
  if (value instanceof Int8Array) return "ByteArray";
  if (isPoint(value)) return `Point (SRID ${value.srid})`;
  if (isDateTime(value)) return "DateTime";
  if (isLocalDateTime(value)) return "LocalDateTime";
  if (isDate(value)) return "Date";
  if (isTime(value)) return "Time";
  if (isLocalTime(value)) return "LocalTime";
  if (isDuration(value)) return "Duration";
  if (isVector(value)) return "Vector";
  return "unknown";
}
