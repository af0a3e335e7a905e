/**
 * Back up and restore Neo4j databases using only Cypher over Bolt: no dump files, no APOC, no
 * Enterprise-only feature, no access to the server's files. An {@linkcode Extractor} writes a
 * database into a directory of gzip-compressed JSON files, exactly, type for type; an
 * {@linkcode Importer} restores such a directory into another database (any Neo4j 4.4 or later),
 * resumably, and checks the result. Both take a {@linkcode Selection} (labels, relationship
 * types, schema or data only) to back up or restore part of a database. {@linkcode verifyBackup}
 * checks a backup without a database, {@linkcode listBackup} says what it holds from its
 * manifest. Failures are {@linkcode BackupError}s. {@linkcode openLocation} opens a backup's
 * location (a directory, `s3://bucket/prefix`, a tar stream or file) as one small interface,
 * {@linkcode Location}; the command line uses it to extract to and import from any of them.
 *
 * The codec (every property value to JSON and back) is at `./codec`, the backup format's parts
 * (manifest, records, data file streams) at `./format`, the command line at `./cli`.
 *
 * @example Back up one database and restore it into another
 * ```ts ignore
 * import neo4j from "npm:neo4j-driver@6.3.0";
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
  Mended,
} from "./lib/extract/extractor.ts";
export type { DriverSettings } from "./lib/extract/_partition_readers.ts";
export { Importer } from "./lib/import/importer.ts";
export type {
  ImportCounts,
  ImporterOptions,
  ImportProgress,
  SkippedSchema,
} from "./lib/import/importer.ts";
export { verifyBackup } from "./lib/verify/verify_backup.ts";
export type {
  VerifyBackupOptions,
  VerifyCounts,
  VerifyProgress,
} from "./lib/verify/verify_backup.ts";
export { listBackup } from "./lib/list/list_backup.ts";
export type {
  BackupListing,
  ListBackupOptions,
  ListedConstraint,
  ListedFile,
  ListedIndex,
  ListedSource,
} from "./lib/list/list_backup.ts";
export type { Selection, SelectionRecord } from "./lib/format/selection.ts";
export { openLocation } from "./lib/location/open_location.ts";
export type {
  ElsewhereOptions,
  OpenLocationOptions,
} from "./lib/location/open_location.ts";
export type { S3LocationOptions } from "./lib/location/s3_location.ts";
export type { S3ClientOptions } from "./lib/location/_s3_client.ts";
export type { S3ConfigSources } from "./lib/location/_s3_config.ts";
export type { LocalLocationOptions } from "./lib/location/local_location.ts";
export type {
  Location,
  LocationEntry,
  ReadableOptions,
} from "./lib/location/location.ts";
export type {
  Counts,
  LabelSetCount,
  RelationshipTypeCount,
  ToolInfo,
} from "./lib/format/manifest.ts";
export type { SchemaCounts } from "./lib/_schema_counts.ts";
export { BackupError } from "./lib/errors.ts";
export type {
  BackupErrorCode,
  BackupErrorHint,
  BackupErrorOptions,
  ConnectionFailure,
} from "./lib/errors.ts";
export { VERSION } from "./lib/version.ts";
