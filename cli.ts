// deno-lint-ignore-file no-console
/**
 * The `neo4j-backup` command line.
 *
 * @module
 */
import { VERSION } from "./lib/version.ts";

/**
 * Runs the command line with `args` and returns its exit status.
 *
 * @example Print the version
 * ```ts ignore
 * import { main } from "./cli.ts";
 * const status = await main(["--version"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  if (args.includes("--version") || args.includes("-V")) {
    console.log(`neo4j-backup ${VERSION}`);
    return Promise.resolve(0);
  }
  console.log("Usage: neo4j-backup --version");
  return Promise.resolve(
    args.includes("--help") || args.includes("-h") ? 0 : 2,
  );
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
