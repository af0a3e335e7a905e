import { join } from "node:path";
import { PYTHON_FILES } from "../format/layout.ts";
import type { Manifest } from "../format/manifest.ts";
import { writeTextFile } from "./_files.ts";
import { compareCodePoints } from "./_record_tally.ts";

/**
 * Writes the Python tool's metadata files beside the manifest, where they still mean something
 * (informative: the import reads the manifest): `compressed.json`, `node_labels.json`,
 * `rel_types.json`, `property_keys.json`, `uniqueness_constraints.json`.
 */
export async function writeLegacyMetadata(
  dir: string,
  manifest: Manifest,
  propertyKeys: string[],
): Promise<void> {
  const write = (name: string, value: unknown): Promise<void> =>
    writeTextFile(join(dir, name), JSON.stringify(value, null, 4) + "\n");
  await write(PYTHON_FILES.compressed, manifest.compressed);
  await write(
    PYTHON_FILES.nodeLabels,
    manifest.counts.labelSets.map((s) => s.labels),
  );
  await write(
    PYTHON_FILES.relTypes,
    manifest.counts.relationshipTypes.map((t) => t.type),
  );
  await write(
    PYTHON_FILES.propertyKeys,
    [...propertyKeys].sort(compareCodePoints),
  );
  await write(
    PYTHON_FILES.uniquenessConstraints,
    manifest.schema.constraints
      .filter((c) =>
        c.entityType === "NODE" && c.properties.length === 1 &&
        c.labelsOrTypes.length === 1 &&
        (c.type === "UNIQUENESS" || c.type === "NODE_PROPERTY_UNIQUENESS")
      )
      .map((c) => ({
        node_label: c.labelsOrTypes[0],
        node_prop: c.properties[0],
        constraint_name: c.name,
      })),
  );
}
