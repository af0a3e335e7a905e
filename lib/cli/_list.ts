import { describeSchemaCounts, type SchemaCounts } from "../_schema_counts.ts";
import type { SelectionRecord } from "../format/selection.ts";
import type {
  BackupListing,
  ListedConstraint,
  ListedIndex,
} from "../list/list_backup.ts";
import { formatBytes, formatCount, formatDuration, plural } from "./_format.ts";

/** The width of the labels of the header lines (`Source:`, `Extracted:`, ...). */
const LABEL_WIDTH = 12;

/**
 * The text `neo4j-backup list` prints for a listing: a header (source, time, contents, files,
 * selection, writes), then the counts per label set and per relationship type as aligned
 * tables, then the constraints and indexes.
 */
export function formatListing(listing: BackupListing): string {
  const lines: string[] = [];
  const field = (label: string, text: string): void => {
    lines.push(`${`${label}:`.padEnd(LABEL_WIDTH)}${text}`);
  };
  if (listing.format === "python") {
    lines.push(`Backup ${listing.dir}, written by the Python neo4j-backup`);
    if (listing.readRecords) {
      lines.push(
        "This backup of the Python neo4j-backup has no manifest: its records were read to count them",
      );
    }
  } else {
    lines.push(
      `Backup ${listing.dir}, format ${listing.formatVersion}${
        listing.tool
          ? `, written by ${listing.tool.name} ${listing.tool.version}`
          : ""
      }`,
    );
  }
  if (listing.source) field("Source", describeSource(listing.source));
  const taken = describeTime(listing.startedAt, listing.finishedAt);
  if (taken) field("Extracted", taken);
  field(
    "Contents",
    `${plural(listing.counts.nodes, "node")}, ${
      plural(listing.counts.relationships, "relationship")
    }; ${describeSchemaCounts(countSchema(listing.schema))}`,
  );
  field("Files", describeFiles(listing));
  const selection = listing.selection && describeSelection(listing.selection);
  if (selection) field("Selection", selection);
  if (listing.consistency?.writesDetected) {
    field(
      "Writes",
      `detected: the database changed while it was extracted${
        listing.consistency.schemaChanged ? ", its schema too" : ""
      }; the backup may not be consistent`,
    );
  }
  const { labelSets, relationshipTypes } = listing.counts;
  if (labelSets.length > 0) {
    lines.push(
      "",
      ...table([
        ["Nodes", "Label set"],
        ...labelSets.map((s) => [formatCount(s.count), labelSet(s.labels)]),
      ], ["right", "left"]),
    );
  }
  if (relationshipTypes.length > 0) {
    lines.push(
      "",
      ...table([
        ["Relationships", "Type"],
        ...relationshipTypes.map((t) => [formatCount(t.count), name(t.type)]),
      ], ["right", "left"]),
    );
  }
  const { constraints, indexes } = listing.schema;
  if (constraints.length > 0) {
    lines.push(
      "",
      "Constraints",
      ...table(constraints.map(constraintRow), ["left", "left", "left"], 2),
    );
  }
  if (indexes.length > 0) {
    lines.push(
      "",
      "Indexes",
      ...table(indexes.map(indexRow), ["left", "left", "left"], 2),
    );
  }
  return lines.map((line) => `${line}\n`).join("");
}

function describeSource(source: NonNullable<BackupListing["source"]>): string {
  return `database ${JSON.stringify(source.database)}${
    source.address ? ` at ${source.address}` : ""
  }, Neo4j ${source.version} ${source.edition}`;
}

/** `2026-11-22 05:49:46 UTC, in 0.4s`; undefined when the backup does not say. */
function describeTime(
  startedAt: string | null,
  finishedAt: string | null,
): string | undefined {
  if (!startedAt) return undefined;
  const start = Date.parse(startedAt);
  if (Number.isNaN(start)) return startedAt;
  const when = new Date(start).toISOString().replace("T", " ").replace(
    /\.\d+Z$/,
    " UTC",
  );
  const end = finishedAt ? Date.parse(finishedAt) : Number.NaN;
  return Number.isNaN(end) || end < start
    ? when
    : `${when}, in ${formatDuration(end - start)}`;
}

/** `2 files (1 of nodes, 1 of relationships), 1.2 KiB, gzip-compressed`. */
function describeFiles(listing: BackupListing): string {
  const nodes = listing.files.filter((f) => f.kind === "nodes").length;
  const relationships = listing.files.length - nodes;
  return `${
    plural(listing.files.length, "file")
  } (${nodes} of nodes, ${relationships} of relationships), ${
    formatBytes(listing.bytes)
  }, ${listing.compressed ? "gzip-compressed" : "not compressed"}`;
}

/**
 * The selection in words, e.g. `nodes labelled Person, not Bot; relationships of type KNOWS; no
 * schema`; undefined when it selects everything.
 */
function describeSelection(selection: SelectionRecord): string | undefined {
  const parts: string[] = [];
  if (!selection.data) parts.push("schema only");
  if (!selection.schema) parts.push("data only (no schema)");
  const nodes = filter(
    "nodes labelled",
    "nodes not labelled",
    selection.labels,
    selection.excludeLabels,
  );
  if (nodes) parts.push(nodes);
  const types = filter(
    "relationships of type",
    "relationships not of type",
    selection.types,
    selection.excludeTypes,
  );
  if (types) parts.push(types);
  if (selection.relationshipsLeftOut > 0) {
    parts.push(
      `${
        plural(selection.relationshipsLeftOut, "relationship")
      } left out because an endpoint was not selected`,
    );
  }
  return parts.length > 0 ? parts.join("; ") : undefined;
}

/** `nodes labelled A or B, not C`, `nodes not labelled C`, or undefined for every one. */
function filter(
  selected: string,
  notSelected: string,
  names: readonly string[],
  excluded: readonly string[],
): string | undefined {
  const or = (list: readonly string[]): string => list.map(name).join(" or ");
  if (names.length > 0) {
    return `${selected} ${or(names)}${
      excluded.length > 0 ? `, not ${or(excluded)}` : ""
    }`;
  }
  return excluded.length > 0 ? `${notSelected} ${or(excluded)}` : undefined;
}

/** As everywhere (see `countSchema`): own indexes apart from constraints' and lookup indexes. */
function countSchema(schema: BackupListing["schema"]): SchemaCounts {
  const lookupIndexes =
    schema.indexes.filter((i) => i.type === "LOOKUP").length;
  const constraintIndexes =
    schema.indexes.filter((i) =>
      i.type !== "LOOKUP" && i.owningConstraint !== null
    ).length;
  return {
    constraints: schema.constraints.length,
    indexes: schema.indexes.length - lookupIndexes - constraintIndexes,
    constraintIndexes,
    lookupIndexes,
  };
}

function constraintRow(constraint: ListedConstraint): string[] {
  return [
    name(constraint.name),
    constraint.type,
    pattern(
      constraint.entityType,
      constraint.labelsOrTypes,
      constraint.properties,
      constraint.propertyType,
    ),
  ];
}

function indexRow(index: ListedIndex): string[] {
  const target = index.labelsOrTypes === null
    ? index.entityType === "NODE" ? "nodes by label" : "relationships by type"
    : pattern(
      index.entityType,
      index.labelsOrTypes,
      index.properties ?? [],
      null,
    );
  return [
    name(index.name),
    index.type,
    index.owningConstraint === null
      ? target
      : `${target}, backs constraint ${name(index.owningConstraint)}`,
  ];
}

/** What a constraint or index applies to, as in Cypher: `(:Person {uid})`, `[:KNOWS {since}]`. */
function pattern(
  entityType: "NODE" | "RELATIONSHIP",
  labelsOrTypes: readonly string[],
  properties: readonly string[],
  propertyType: string | null,
): string {
  const names = labelsOrTypes.map(name).join("|");
  const keys = properties.map(name).join(", ") +
    (propertyType === null ? "" : ` :: ${propertyType}`);
  const inner = `:${names}${keys ? ` {${keys}}` : ""}`;
  return entityType === "NODE" ? `(${inner})` : `[${inner}]`;
}

/** A label set as in Cypher, `:Film:Movie`; `(no label)` for unlabelled nodes. */
function labelSet(labels: readonly string[]): string {
  return labels.length === 0
    ? "(no label)"
    : labels.map((label) => `:${name(label)}`).join("");
}

/** A name as Cypher writes it: bare when it is an identifier, else in backticks. */
function name(text: string): string {
  return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(text)
    ? text
    : `\`${text.replaceAll("`", "``")}\``;
}

/** Rows with their columns padded to a common width (the last column is not padded). */
function table(
  rows: string[][],
  align: ("left" | "right")[],
  indent = 0,
): string[] {
  const widths = align.map((_, column) =>
    Math.max(...rows.map((row) => [...(row[column] ?? "")].length))
  );
  return rows.map((row) =>
    " ".repeat(indent) +
    row.map((cell, column) => {
      const pad = " ".repeat(widths[column]! - [...cell].length);
      if (align[column] === "right") return pad + cell;
      return column === row.length - 1 ? cell : cell + pad;
    }).join("  ")
  );
}
