/**
 * Which test files need a Neo4j server: those that import, directly or through other local
 * modules, the suite's server helpers (`tests/_neo4j.ts`, `dev/neo4j_server.ts`).
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";

/** The modules whose importers need a server. */
const SERVER_MODULES = ["tests/_neo4j.ts", "dev/neo4j_server.ts"];

/** A local import or re-export that loads code (`import type` and `export type` load none). */
const IMPORT =
  /^\s*(?:import|export)(?!\s+type\b)[^;]*?["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']/gm;

/** The `*_test.ts` files of `dir` that need no server, sorted. */
export async function unitTestFiles(dir: string): Promise<string[]> {
  const root = resolve(dir, "..");
  const server = new Set(SERVER_MODULES.map((path) => join(root, path)));
  const memo = new Map<string, boolean>();
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith("_test.ts")) continue;
    const path = join(dir, entry.name);
    if (!await needsServer(path, server, memo)) files.push(path);
  }
  return files.sort();
}

/** Whether `path` imports one of `server`, directly or not (local imports only). */
export async function needsServer(
  path: string,
  server: Set<string>,
  memo: Map<string, boolean>,
): Promise<boolean> {
  if (server.has(path)) return true;
  const known = memo.get(path);
  if (known !== undefined) return known;
  memo.set(path, false); // A cycle adds nothing.
  const text = await Deno.readTextFile(path);
  for (const [, statement, dynamic] of text.matchAll(IMPORT)) {
    const specifier = statement ?? dynamic!;
    if (await needsServer(resolve(dirname(path), specifier), server, memo)) {
      memo.set(path, true);
      return true;
    }
  }
  return false;
}
