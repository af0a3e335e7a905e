/**
 * Reading a backup directory into the same canonical, id-independent form as
 * {@linkcode snapshotGraph}, so that a backup can be compared with a database, or with another
 * backup, value for value and type for type.
 *
 * @module
 */
import { openBackup } from "../lib/format/backup_reader.ts";
import {
  type GraphSnapshot,
  renderNode,
  renderRelationship,
} from "./_graph.ts";

/** The canonical snapshot of what a backup holds (decoded with the library's reader). */
export async function snapshotBackup(dir: string): Promise<GraphSnapshot> {
  const backup = await openBackup(dir);
  const byId = new Map<bigint, string>();
  const nodes: string[] = [];
  const relationships: string[] = [];
  for (const file of backup.files) {
    for await (const batch of backup.records(file)) {
      for (const record of batch) {
        if (record.kind === "node") {
          const rendered = renderNode(record.labels, record.properties);
          byId.set(record.id, rendered);
          nodes.push(rendered);
        } else {
          const start = byId.get(record.startId);
          const end = byId.get(record.endId);
          if (start === undefined || end === undefined) {
            throw new Error(
              `Relationship ${record.id} ends at a node the backup lacks`,
            );
          }
          relationships.push(
            renderRelationship(start, record.type, record.properties, end),
          );
        }
      }
    }
  }
  const byCodeUnits = (
    a: string,
    b: string,
  ): number => (a < b ? -1 : a > b ? 1 : 0);
  return {
    nodes: nodes.sort(byCodeUnits),
    relationships: relationships.sort(byCodeUnits),
  };
}
