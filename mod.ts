/**
 * Back up and restore Neo4j databases using only Cypher over Bolt: no dump files, no APOC, no
 * Enterprise-only feature, no access to the server's files. An {@linkcode Extractor} writes a
 * database into a directory of gzip-compressed JSON files, exactly, type for type; an
 * {@linkcode Importer} restores such a directory into another database (any Neo4j 4.4 or later),
 * resumably, and checks the result.
 *
 * @example Back up one database and restore it into another
 * ```ts ignore
 * import neo4j from "npm:neo4j-driver@^6.3.0";
 * import { Extractor, Importer } from "jsr:@neo4j-tools/neo4j-backup";
 *
 * const auth = neo4j.auth.basic("neo4j", Deno.env.get("NEO4J_PASSWORD")!);
 * const source = neo4j.driver("neo4j+s://source.databases.neo4j.io", auth, { useBigInt: true });
 * const target = neo4j.driver("neo4j://localhost:7687", auth, { useBigInt: true });
 *
 * const extracted = await new Extractor({ projectDir: "backup", driver: source })
 *   .extractData();
 * const imported = await new Importer({ projectDir: "backup", driver: target })
 *   .importData();
 * console.log(extracted.nodes === imported.nodes); // true
 *
 * await source.close();
 * await target.close();
 * ```
 *
 * @module
 */

export { Extractor } from "./lib/extract/extractor.ts";
export type {
  ExtractCounts,
  ExtractorOptions,
  ExtractProgress,
} from "./lib/extract/extractor.ts";
export { Importer } from "./lib/import/importer.ts";
export type {
  ImportCounts,
  ImporterOptions,
  ImportProgress,
  SkippedSchema,
} from "./lib/import/importer.ts";
export { verifyBackup } from "./lib/import/verify_backup.ts";
export type {
  VerifyBackupOptions,
  VerifyCounts,
  VerifyProgress,
} from "./lib/import/verify_backup.ts";

export { BackupError } from "./lib/errors.ts";
export type { BackupErrorCode, BackupErrorOptions } from "./lib/errors.ts";

export { valueToJson } from "./lib/codec/value_to_json.ts";
export { jsonToValue } from "./lib/codec/json_to_value.ts";
export { stringifyJson } from "./lib/codec/stringify_json.ts";
export type { StringifyJsonOptions } from "./lib/codec/stringify_json.ts";
export { parseJson } from "./lib/codec/parse_json.ts";
export type {
  ByteArrayJson,
  DateJson,
  DateTimeJson,
  DurationJson,
  FloatJson,
  JsonObject,
  JsonValue,
  LocalDateTimeJson,
  LocalTimeJson,
  PointJson,
  Properties,
  PropertyJson,
  PropertyValue,
  ScalarJson,
  ScalarValue,
  TaggedJson,
  TimeJson,
  VectorArray,
  VectorJson,
} from "./lib/codec/types.ts";

export { openBackup } from "./lib/format/backup_reader.ts";
export type {
  BackupFile,
  BackupReader,
  ReadRecordsOptions,
} from "./lib/format/backup_reader.ts";
export { readManifest, writeManifest } from "./lib/format/manifest.ts";
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
} from "./lib/format/manifest.ts";
export type {
  BackupRecord,
  NodeRecord,
  RelationshipRecord,
} from "./lib/format/record.ts";
export { DataFileWriter } from "./lib/format/data_file_writer.ts";
export type { DataFileWriterOptions } from "./lib/format/data_file_writer.ts";
export { JsonArrayParseStream } from "./lib/format/json_array_parse_stream.ts";
export type { JsonArrayParseStreamOptions } from "./lib/format/json_array_parse_stream.ts";
export { RecordParseStream } from "./lib/format/record_parse_stream.ts";
export type { RecordParseStreamOptions } from "./lib/format/record_parse_stream.ts";
export { RecordStringifyStream } from "./lib/format/record_stringify_stream.ts";
export type { RecordStringifyStreamOptions } from "./lib/format/record_stringify_stream.ts";
export {
  DATA_DIR,
  FORMAT_NAME,
  FORMAT_VERSION,
  INCOMPLETE_FILE,
  MANIFEST_FILE,
} from "./lib/format/layout.ts";
export type { RecordKind } from "./lib/format/layout.ts";
export { VERSION } from "./lib/version.ts";
