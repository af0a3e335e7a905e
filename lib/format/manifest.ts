import { join } from "node:path";
import { parseJson } from "../codec/parse_json.ts";
import { stringifyJson } from "../codec/stringify_json.ts";
import type { JsonObject, JsonValue } from "../codec/types.ts";
import { BackupError } from "../errors.ts";
import { describeFileError } from "./_file_sink.ts";
import { JsonReader } from "./_validate.ts";
import type { SelectionRecord } from "./selection.ts";
import {
  DATA_FILE_PATTERN,
  FORMAT_NAME,
  FORMAT_VERSION,
  MANIFEST_FILE,
  PARTITION_FILE_PATTERN,
  type RecordKind,
} from "./layout.ts";

/**
 * The table of contents of a complete backup, written last and atomically as `manifest.json`.
 * A directory without it is an incomplete backup.
 */
export interface Manifest {
  /** Always `"neo4j-backup"`. */
  format: typeof FORMAT_NAME;
  /** The format version (see docs/FORMAT.md). */
  formatVersion: number;
  /** What wrote the backup. */
  tool: ToolInfo;
  /** The database the backup was extracted from. */
  source: SourceInfo;
  /** When the extract started, ISO 8601 UTC. */
  startedAt: string;
  /** When the extract finished, ISO 8601 UTC. */
  finishedAt: string;
  /** Whether the data files are gzip-compressed. */
  compressed: boolean;
  /** Record counts, in total and per label set and relationship type. */
  counts: Counts;
  /** Every data file, in order: node files, then relationship files. */
  files: DataFileEntry[];
  /** Every constraint and index of the source database. */
  schema: Schema;
  /** Whether the database changed while the extract ran. */
  consistency: Consistency;
  /**
   * The part of the database the backup holds (`--label`, `--schema-only`, ...); null when the
   * manifest records none (a backup of everything, also every one written before selections).
   */
  selection: SelectionRecord | null;
}

/** What wrote a backup. */
export interface ToolInfo {
  /** Always `neo4j-backup`. */
  name: string;
  /** The tool's version. */
  version: string;
  /** e.g. `deno 2.9.6`. */
  runtime: string;
  /** The neo4j-driver version. */
  driver: string;
}

/** The database a backup was extracted from. */
export interface SourceInfo {
  /** The server's address as the driver saw it (no credentials). */
  address: string;
  /** The database name. */
  database: string;
  /** The `id` of `CALL db.info()`. */
  databaseId: string | null;
  /** The Neo4j version, e.g. `5.26.30`. */
  version: string;
  /** `community` or `enterprise`. */
  edition: string;
}

/** Record counts of a backup. */
export interface Counts {
  /** Nodes in the backup. */
  nodes: number;
  /** Relationships in the backup. */
  relationships: number;
  /** Nodes per set of labels (labels sorted; `[]` for unlabelled nodes). */
  labelSets: LabelSetCount[];
  /** Relationships per type. */
  relationshipTypes: RelationshipTypeCount[];
}

/** The number of nodes that carry exactly a set of labels. */
export interface LabelSetCount {
  /** Sorted by code point. */
  labels: string[];
  /** Nodes with exactly these labels. */
  count: number;
}

/** The number of relationships of a type. */
export interface RelationshipTypeCount {
  /** The relationship type. */
  type: string;
  /** Relationships of this type. */
  count: number;
}

/** A data file of a backup. */
export interface DataFileEntry {
  /** Relative to the backup directory, with `/`, e.g. `data/nodes_7461.json.gz`. */
  path: string;
  /** What the file holds. */
  kind: RecordKind;
  /** Records in the file. */
  records: number;
  /** The file's size on disk. */
  bytes: number;
  /** Hex SHA-256 of the file's bytes on disk. */
  sha256: string;
}

/** The schema of a database, as data. */
export interface Schema {
  /** Every constraint, sorted by name. */
  constraints: ConstraintDefinition[];
  /** Every index (those of constraints too), sorted by name. */
  indexes: IndexDefinition[];
}

/** A constraint as `SHOW CONSTRAINTS` reports it. */
export interface ConstraintDefinition {
  /** The constraint's name. */
  name: string;
  /**
   * As the server names it: `UNIQUENESS` (4.4 and 5.x node uniqueness), `NODE_PROPERTY_UNIQUENESS`,
   * `RELATIONSHIP_UNIQUENESS`, `RELATIONSHIP_PROPERTY_UNIQUENESS`, `NODE_KEY`, `RELATIONSHIP_KEY`,
   * `NODE_PROPERTY_EXISTENCE`, `RELATIONSHIP_PROPERTY_EXISTENCE`, `NODE_PROPERTY_TYPE`,
   * `RELATIONSHIP_PROPERTY_TYPE`, ...
   */
  type: string;
  /** What the constraint applies to. */
  entityType: "NODE" | "RELATIONSHIP";
  /** The labels (nodes) or relationship types it applies to. */
  labelsOrTypes: string[];
  /** The properties it constrains, in order. */
  properties: string[];
  /** For property type constraints: the type, e.g. `INTEGER | FLOAT`. */
  propertyType: string | null;
  /** The backing index's `indexProvider` and `indexConfig`, when the constraint has one. */
  options: JsonObject;
  /** The server's own statement, for reference; import builds its own from the fields above. */
  createStatement: string | null;
}

/** An index as `SHOW INDEXES` reports it. */
export interface IndexDefinition {
  /** The index's name. */
  name: string;
  /** `RANGE`, `TEXT`, `POINT`, `FULLTEXT`, `VECTOR`, `LOOKUP`, or `BTREE` (4.4). */
  type: string;
  /** What the index applies to. */
  entityType: "NODE" | "RELATIONSHIP";
  /** Null for lookup indexes. */
  labelsOrTypes: string[] | null;
  /** Null for lookup indexes. */
  properties: string[] | null;
  /** The constraint that owns this index, if any (import creates it with the constraint). */
  owningConstraint: string | null;
  /** `indexProvider` and `indexConfig` (analyzer, dimensions, similarity, point bounds...). */
  options: JsonObject;
  /** The server's own statement, for reference; import builds its own from the fields above. */
  createStatement: string | null;
}

/** What the extract saw of writes made while it ran. */
export interface Consistency {
  /** Whether any transaction committed on the source between the start and the end. */
  writesDetected: boolean;
  /** Whether the schema differed between the start and the end. */
  schemaChanged: boolean;
  /** Node count at the start and at the end. */
  nodesAtStart: number;
  /** Node count at the end. */
  nodesAtEnd: number;
  /** Relationship count at the start and at the end. */
  relationshipsAtStart: number;
  /** Relationship count at the end. */
  relationshipsAtEnd: number;
}

/**
 * Reads and validates `manifest.json` of a backup directory.
 *
 * @throws {BackupError} `INCOMPLETE_BACKUP` when the directory has no manifest;
 *   `INVALID_BACKUP` when it cannot be read, is not valid JSON, lacks a field, or has another
 *   format version.
 *
 * @example
 * ```ts ignore
 * import { readManifest } from "./manifest.ts";
 * const manifest = await readManifest("backups/2026-11-22");
 * console.log(manifest.counts.nodes);
 * ```
 */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, MANIFEST_FILE));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BackupError(
        `${dir} is an incomplete backup: it has no ${MANIFEST_FILE} (the extract that wrote it did not finish)`,
        { code: "INCOMPLETE_BACKUP", file: MANIFEST_FILE, cause: error },
      );
    }
    throw new BackupError(`Cannot read ${MANIFEST_FILE} in ${dir}`, {
      code: "IO",
      file: MANIFEST_FILE,
      cause: error,
    });
  }
  try {
    return manifestFromJson(parseJson(text));
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(
      `Invalid ${MANIFEST_FILE} in ${dir}: ${(error as Error).message}`,
      { code: "INVALID_BACKUP", file: MANIFEST_FILE, cause: error },
    );
  }
}

/**
 * Writes `manifest.json` atomically: to a temporary file, flushed to disk, then renamed.
 *
 * @example
 * ```ts ignore
 * import { writeManifest } from "./manifest.ts";
 * await writeManifest("backups/2026-11-22", manifest);
 * ```
 */
export async function writeManifest(
  dir: string,
  manifest: Manifest,
): Promise<void> {
  const path = join(dir, MANIFEST_FILE);
  const temporary = `${path}.partial`;
  const bytes = new TextEncoder().encode(
    stringifyJson(manifestToJson(manifest), { indent: 2 }) + "\n",
  );
  try {
    const file = await Deno.open(temporary, {
      write: true,
      create: true,
      truncate: true,
    });
    try {
      // A write may take only part of the bytes (a disk that fills up): write the rest.
      for (let offset = 0; offset < bytes.length;) {
        offset += await file.write(bytes.subarray(offset));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw new BackupError(
      `Cannot write ${path}: ${describeFileError(error)}`,
      { code: "IO", file: MANIFEST_FILE, cause: error },
    );
  }
  await syncDirectory(dir);
}

/** Flushes a directory's entries (a rename) to disk, where the platform allows it. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // Not supported here (e.g. Windows); the rename itself is still atomic.
  }
}

function manifestToJson(m: Manifest): JsonValue {
  const int = (n: number): bigint => BigInt(n);
  return {
    format: m.format,
    formatVersion: int(m.formatVersion),
    tool: { ...m.tool },
    source: { ...m.source },
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
    compressed: m.compressed,
    counts: {
      nodes: int(m.counts.nodes),
      relationships: int(m.counts.relationships),
      labelSets: m.counts.labelSets.map((s) => ({
        labels: s.labels,
        count: int(s.count),
      })),
      relationshipTypes: m.counts.relationshipTypes.map((t) => ({
        type: t.type,
        count: int(t.count),
      })),
    },
    files: m.files.map((f) => ({
      path: f.path,
      kind: f.kind,
      records: int(f.records),
      bytes: int(f.bytes),
      sha256: f.sha256,
    })),
    schema: {
      constraints: m.schema.constraints.map((c) => ({ ...c })),
      indexes: m.schema.indexes.map((i) => ({ ...i })),
    },
    consistency: {
      writesDetected: m.consistency.writesDetected,
      schemaChanged: m.consistency.schemaChanged,
      nodesAtStart: int(m.consistency.nodesAtStart),
      nodesAtEnd: int(m.consistency.nodesAtEnd),
      relationshipsAtStart: int(m.consistency.relationshipsAtStart),
      relationshipsAtEnd: int(m.consistency.relationshipsAtEnd),
    },
    ...(m.selection === null ? {} : {
      selection: {
        ...m.selection,
        relationshipsLeftOut: int(m.selection.relationshipsLeftOut),
      },
    }),
  };
}

function manifestFromJson(json: JsonValue): Manifest {
  const root = new JsonReader(json, "manifest");
  const format = root.string("format");
  if (format !== FORMAT_NAME) {
    throw new SyntaxError(
      `manifest.format is "${format}", not "${FORMAT_NAME}"`,
    );
  }
  const formatVersion = root.count("formatVersion");
  if (formatVersion < 1 || formatVersion > FORMAT_VERSION) {
    throw new SyntaxError(
      `format version ${formatVersion} is not supported (this tool reads versions 1 to ${FORMAT_VERSION}; a newer neo4j-backup may read it)`,
    );
  }
  const tool = root.object("tool");
  const source = root.object("source");
  const counts = root.object("counts");
  const schema = root.object("schema");
  const consistency = root.object("consistency");
  const files = root.objects("files").map(fileFromJson);
  return {
    format: FORMAT_NAME,
    formatVersion,
    tool: {
      name: tool.string("name"),
      version: tool.string("version"),
      runtime: tool.string("runtime"),
      driver: tool.string("driver"),
    },
    source: {
      address: source.string("address"),
      database: source.string("database"),
      databaseId: source.optionalString("databaseId"),
      version: source.string("version"),
      edition: source.string("edition"),
    },
    startedAt: root.string("startedAt"),
    finishedAt: root.string("finishedAt"),
    compressed: root.boolean("compressed"),
    counts: {
      nodes: counts.count("nodes"),
      relationships: counts.count("relationships"),
      labelSets: counts.objects("labelSets").map((s) => ({
        labels: s.strings("labels"),
        count: s.count("count"),
      })),
      relationshipTypes: counts.objects("relationshipTypes").map((t) => ({
        type: t.string("type"),
        count: t.count("count"),
      })),
    },
    files,
    schema: schemaFromJson(schema),
    consistency: {
      writesDetected: consistency.boolean("writesDetected"),
      schemaChanged: consistency.boolean("schemaChanged"),
      nodesAtStart: consistency.count("nodesAtStart"),
      nodesAtEnd: consistency.count("nodesAtEnd"),
      relationshipsAtStart: consistency.count("relationshipsAtStart"),
      relationshipsAtEnd: consistency.count("relationshipsAtEnd"),
    },
    selection: root.has("selection")
      ? selectionFromJson(root.object("selection"))
      : null,
  };
}

/** The manifest's selection (see {@linkcode SelectionRecord}). */
function selectionFromJson(selection: JsonReader): SelectionRecord {
  return {
    labels: selection.strings("labels"),
    excludeLabels: selection.strings("excludeLabels"),
    types: selection.strings("types"),
    excludeTypes: selection.strings("excludeTypes"),
    schema: selection.boolean("schema"),
    data: selection.boolean("data"),
    relationshipsLeftOut: selection.count("relationshipsLeftOut"),
  };
}

/** A data file's entry of the manifest; its path must name a data file of its kind. */
function fileFromJson(f: JsonReader): DataFileEntry {
  const path = f.string("path");
  const kind = f.string("kind");
  const name = path.split("/").pop() ?? "";
  const match = DATA_FILE_PATTERN.exec(name) ??
    PARTITION_FILE_PATTERN.exec(name);
  if (
    !path.startsWith("data/") || path.split("/").length !== 2 || !match ||
    match[1] !== kind
  ) {
    throw new SyntaxError(`manifest.files has an invalid path "${path}"`);
  }
  const sha256 = f.string("sha256");
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new SyntaxError(`manifest.files has an invalid sha256 for ${path}`);
  }
  return {
    path,
    kind: kind as RecordKind,
    records: f.count("records"),
    bytes: f.count("bytes"),
    sha256,
  };
}

/** The manifest's schema. */
function schemaFromJson(schema: JsonReader): Schema {
  return {
    constraints: schema.objects("constraints").map((c) => ({
      name: c.string("name"),
      type: c.string("type"),
      entityType: entityType(c),
      labelsOrTypes: c.strings("labelsOrTypes"),
      properties: c.strings("properties"),
      propertyType: c.optionalString("propertyType"),
      options: c.rawObject("options"),
      createStatement: c.optionalString("createStatement"),
    })),
    indexes: schema.objects("indexes").map((i) => ({
      name: i.string("name"),
      type: i.string("type"),
      entityType: entityType(i),
      labelsOrTypes: i.optionalStrings("labelsOrTypes"),
      properties: i.optionalStrings("properties"),
      owningConstraint: i.optionalString("owningConstraint"),
      options: i.rawObject("options"),
      createStatement: i.optionalString("createStatement"),
    })),
  };
}

function entityType(reader: JsonReader): "NODE" | "RELATIONSHIP" {
  const value = reader.string("entityType");
  if (value !== "NODE" && value !== "RELATIONSHIP") {
    throw new SyntaxError(
      `entityType "${value}" is neither NODE nor RELATIONSHIP`,
    );
  }
  return value;
}
