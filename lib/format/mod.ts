/**
 * The backup format (see docs/FORMAT.md): a directory with `manifest.json` (written last: the
 * backup is complete) and `data/` files of JSON arrays of records, gzip-compressed. Its parts
 * for other tools: the layout's names, the manifest, the record types, the selection (what part
 * of a database a backup holds), and the streams that write and read data files. `openBackup` also reads the backups of the Python neo4j-backup
 * 1.0.0.
 *
 * @example Write records into a data file, then read them back
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import {
 *   type BackupRecord,
 *   DataFileWriter,
 *   JsonArrayParseStream,
 *   RecordParseStream,
 *   RecordStringifyStream,
 * } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const records: BackupRecord[] = [
 *   { kind: "node", id: 0n, labels: ["Person"], properties: { name: "Ada" } },
 * ];
 * const writer = new DataFileWriter(dir, "nodes", { worker: false });
 * await ReadableStream.from([records])
 *   .pipeThrough(new RecordStringifyStream())
 *   .pipeTo(writer);
 * const [file] = writer.files;
 *
 * const read: BackupRecord[] = [];
 * const bytes = (await Deno.open(`${dir}/${file!.path}`)).readable;
 * for await (
 *   const batch of bytes
 *     .pipeThrough(new DecompressionStream("gzip"))
 *     .pipeThrough(new TextDecoderStream())
 *     .pipeThrough(new JsonArrayParseStream())
 *     .pipeThrough(new RecordParseStream({ kind: "nodes", file: file!.path }))
 * ) read.push(...batch);
 * deepEqual(read, records);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export { openBackup } from "./backup_reader.ts";
export type {
  BackupFile,
  BackupReader,
  ReadRecordsOptions,
} from "./backup_reader.ts";
export { readManifest, writeManifest } from "./manifest.ts";
export type {
  Consistency,
  ConstraintDefinition,
  Counts,
  DataFileEntry,
  IndexDefinition,
  LabelSetCount,
  Manifest,
  RelationshipTypeCount,
  Schema,
  SourceInfo,
  ToolInfo,
} from "./manifest.ts";
export type { BackupRecord, NodeRecord, RelationshipRecord } from "./record.ts";
export { Selector } from "./selection.ts";
export type { Selection, SelectionRecord } from "./selection.ts";
export { DataFileWriter, DEFAULT_FILE_SIZE } from "./data_file_writer.ts";
export type { DataFileWriterOptions } from "./data_file_writer.ts";
export { SinkWorkerPool } from "./sink_worker_pool.ts";
export { JsonArrayParseStream } from "./json_array_parse_stream.ts";
export type { JsonArrayParseStreamOptions } from "./json_array_parse_stream.ts";
export { RecordParseStream } from "./record_parse_stream.ts";
export type { RecordParseStreamOptions } from "./record_parse_stream.ts";
export { RecordStringifyStream } from "./record_stringify_stream.ts";
export type { RecordStringifyStreamOptions } from "./record_stringify_stream.ts";
export {
  DATA_DIR,
  dataFilePath,
  FORMAT_NAME,
  FORMAT_VERSION,
  INCOMPLETE_FILE,
  MANIFEST_FILE,
} from "./layout.ts";
export type { RecordKind } from "./layout.ts";
