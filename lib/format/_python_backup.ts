/**
 * Recognises and opens backup directories written by the Python package neo4j-backup 1.0.0 (and
 * 0.3/0.4, which write the same layout):
 *
 * ```text
 * <dir>/
 *   compressed.json             true or false (the data files' names say it too)
 *   unique_prop_key.json        the temporary key of the Python importer (only it writes this)
 *   db_id.json, property_keys.json, node_labels.json, rel_types.json
 *   uniqueness_constraints.json [{node_label, node_prop, constraint_name}, ...]
 *   data/nodes_<N>.json[.gz]    N: records in this and the earlier node files
 *   data/relationships_<N>.json[.gz]
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { BackupError } from "../errors.ts";
import {
  type BackupFile,
  DATA_DIR,
  DATA_FILE_PATTERN,
  PYTHON_FILES,
} from "./layout.ts";
import type { ConstraintDefinition, Schema } from "./manifest.ts";

/** What the directory of a Python backup holds, as far as it is known before the records. */
export interface PythonBackup {
  /** Node files in the order of their N, then relationship files likewise. */
  files: BackupFile[];
  /** Its uniqueness constraints, composite ones gathered by name, sorted by name. */
  schema: Schema;
  /** Labels of those constraints that contain `:` (kept whole when read from a record). */
  colonLabels: string[];
}

/**
 * Whether a directory's entries are those of a Python backup: `compressed.json` and
 * `unique_prop_key.json`, which every extract of the Python tool writes and its importer reads.
 * This tool writes `compressed.json` too, but never `unique_prop_key.json`. The caller checks
 * first for this tool's own manifest and incomplete marker.
 */
export function isPythonBackup(names: ReadonlySet<string>): boolean {
  return names.has(PYTHON_FILES.compressed) && names.has(PYTHON_FILES.marker);
}

function invalid(
  dir: string,
  file: string,
  message: string,
  cause?: unknown,
): BackupError {
  return new BackupError(
    `Invalid backup ${dir} (Python neo4j-backup format): ${file} ${message}`,
    { code: "INVALID_BACKUP", file, ...(cause ? { cause } : {}) },
  );
}

async function readJsonFile(
  dir: string,
  file: string,
): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, file));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new BackupError(`Cannot read ${file} in ${dir}`, {
      code: "IO",
      file,
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(dir, file, `is not JSON: ${(error as Error).message}`, error);
  }
}

/** The backup's uniqueness constraints; entries sharing a name make one composite constraint. */
async function readConstraints(dir: string): Promise<ConstraintDefinition[]> {
  const json = await readJsonFile(dir, PYTHON_FILES.uniquenessConstraints);
  if (json === undefined) return [];
  if (!Array.isArray(json)) {
    throw invalid(dir, PYTHON_FILES.uniquenessConstraints, "is not a list");
  }
  const byName = new Map<string, ConstraintDefinition>();
  for (const [i, entry] of json.entries()) {
    const where = `entry ${i + 1}`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw invalid(
        dir,
        PYTHON_FILES.uniquenessConstraints,
        `${where} is not an object`,
      );
    }
    const fields = entry as Record<string, unknown>;
    for (const key of ["node_label", "node_prop", "constraint_name"]) {
      const value = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (typeof value !== "string" || value === "") {
        throw invalid(
          dir,
          PYTHON_FILES.uniquenessConstraints,
          `${where} has no "${key}" string`,
        );
      }
    }
    const label = fields.node_label as string;
    const property = fields.node_prop as string;
    const name = fields.constraint_name as string;
    const existing = byName.get(name);
    if (!existing) {
      byName.set(name, {
        name,
        type: "UNIQUENESS",
        entityType: "NODE",
        labelsOrTypes: [label],
        properties: [property],
        propertyType: null,
        options: {},
        createStatement: null,
      });
    } else if (existing.labelsOrTypes[0] !== label) {
      throw invalid(
        dir,
        PYTHON_FILES.uniquenessConstraints,
        `${where} puts constraint ${JSON.stringify(name)} on a second label, ${
          JSON.stringify(label)
        }`,
      );
    } else if (!existing.properties.includes(property)) {
      existing.properties.push(property);
    }
  }
  return [...byName.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
}

/** The data files, nodes then relationships, each in the order of their N. */
async function readDataFiles(dir: string): Promise<BackupFile[]> {
  const found: { file: BackupFile; n: bigint }[] = [];
  try {
    for await (const entry of Deno.readDir(join(dir, DATA_DIR))) {
      if (entry.name.startsWith(".")) continue;
      const path = `${DATA_DIR}/${entry.name}`;
      const match = DATA_FILE_PATTERN.exec(entry.name);
      if (!match || !entry.isFile) {
        throw invalid(
          dir,
          path,
          "is not a data file (expected nodes_<N>.json[.gz] or relationships_<N>.json[.gz])",
        );
      }
      found.push({
        file: {
          path,
          kind: match[1] as BackupFile["kind"],
          records: null,
          bytes: null,
          sha256: null,
          compressed: match[3] !== undefined,
        },
        n: BigInt(match[2]!),
      });
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    if (error instanceof Deno.errors.NotFound) {
      throw invalid(dir, DATA_DIR, "is missing: the backup holds no data");
    }
    throw new BackupError(`Cannot read ${DATA_DIR} in ${dir}`, {
      code: "IO",
      file: DATA_DIR,
      cause: error,
    });
  }
  const order = (kind: string): number => (kind === "nodes" ? 0 : 1);
  found.sort((a, b) =>
    order(a.file.kind) - order(b.file.kind) ||
    (a.n < b.n ? -1 : a.n > b.n ? 1 : 0) ||
    (a.file.path < b.file.path ? -1 : 1)
  );
  for (let i = 1; i < found.length; i++) {
    const [a, b] = [found[i - 1]!, found[i]!];
    if (a.file.kind === b.file.kind && a.n === b.n) {
      throw invalid(
        dir,
        b.file.path,
        `and ${a.file.path} are both present: keep one of them`,
      );
    }
  }
  return found.map((f) => f.file);
}

/**
 * Reads what a Python backup's directory holds besides its records: the data files in import
 * order and the uniqueness constraints. `compressed.json` must hold `true` or `false`; each data
 * file is read as its name says (`.gz` or not).
 *
 * @throws {BackupError} `INVALID_BACKUP` naming the file when a metadata file is malformed, the
 *   data folder is missing or holds something else than data files.
 */
export async function openPythonBackup(dir: string): Promise<PythonBackup> {
  const compressed = await readJsonFile(dir, PYTHON_FILES.compressed);
  if (typeof compressed !== "boolean") {
    throw invalid(
      dir,
      PYTHON_FILES.compressed,
      "does not hold true or false",
    );
  }
  const constraints = await readConstraints(dir);
  const files = await readDataFiles(dir);
  const colonLabels = [
    ...new Set(
      constraints.map((c) => c.labelsOrTypes[0]!).filter((l) =>
        l.includes(":")
      ),
    ),
  ];
  return { files, schema: { constraints, indexes: [] }, colonLabels };
}
