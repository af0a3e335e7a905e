/**
 * What the tests of names that `Object.prototype` has share: the names, and a writer of backups
 * in the Python tool's layout.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Properties } from "../lib/codec/types.ts";

/** Every name `Object.prototype` has in this runtime. */
export const NAMES: readonly string[] = Object.getOwnPropertyNames(
  Object.prototype,
);

/** A string the Python tool hashes (it starts like one of its encoded values). */
export const HASHED_TEXT = "$date('2020-01-01')";

/** Hex SHA-256 of a text, as the Python tool computes `hash_props`. */
export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** `{ [name]: value }`: a computed key makes an own property, `__proto__` too. */
export function props(...entries: [string, unknown][]): Properties {
  return Object.fromEntries(entries) as Properties;
}

/** Runs `work` in a temporary folder, removed afterwards. */
export async function withTempDir(
  work: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "prototype-names-" });
  try {
    await work(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** What a Python backup holds, as the Python tool writes it. */
export interface PythonBackupContent {
  compressed: boolean;
  /** Record texts. */
  nodes: string[];
  relationships: string[];
  constraints: {
    node_label: string;
    node_prop: string;
    constraint_name: string;
  }[];
}

/** Writes a backup directory of the Python tool's layout. */
export async function writePythonBackup(
  dir: string,
  content: PythonBackupContent,
): Promise<void> {
  const json = (value: unknown): string => JSON.stringify(value, null, 4);
  await Deno.mkdir(join(dir, "data"), { recursive: true });
  await Deno.writeTextFile(
    join(dir, "compressed.json"),
    json(content.compressed),
  );
  await Deno.writeTextFile(
    join(dir, "unique_prop_key.json"),
    json("qwertyuiopasdfgh"),
  );
  await Deno.writeTextFile(join(dir, "db_id.json"), json("0123456789ABCDEF"));
  await Deno.writeTextFile(
    join(dir, "uniqueness_constraints.json"),
    json(content.constraints),
  );
  for (
    const [kind, records] of [
      ["nodes", content.nodes],
      ["relationships", content.relationships],
    ] as const
  ) {
    // Two files each, as the Python tool cuts them: N counts records to the end of each file.
    const half = Math.ceil(records.length / 2);
    for (
      const [part, end] of [[records.slice(0, half), half], [
        records.slice(half),
        records.length,
      ]] as const
    ) {
      if (part.length === 0) continue;
      const text = `[\n${part.join(",\n")}\n]`;
      const path = join(
        dir,
        "data",
        `${kind}_${end}.json${content.compressed ? ".gz" : ""}`,
      );
      if (!content.compressed) {
        await Deno.writeTextFile(path, text);
        continue;
      }
      const gzipped = new Blob([text]).stream().pipeThrough(
        new CompressionStream("gzip"),
      );
      await Deno.writeFile(path, gzipped);
    }
  }
}

/** The Python tool's record of a node or relationship with these encoded properties. */
export function pythonRecord(
  head: string,
  properties: [key: string, text: string][],
  hashed: [key: string, original: string][],
): string {
  const map = (entries: [string, string][]): string =>
    `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(", ")}}`;
  return `{${head}, ${
    head.startsWith('"node_id"') ? '"node_props"' : '"rel_props"'
  }: ${map(properties)}, "hash_props": ${
    map(hashed.map(([k, v]) => [k, JSON.stringify(v)]))
  }}`;
}
