import { join } from "node:path";

/**
 * The folder of this tool's local state, from the environment `env` gives: `NEO4J_BACKUP_STATE_DIR`,
 * else `$XDG_STATE_HOME/neo4j-backup`, else `$HOME/.local/state/neo4j-backup`, else
 * `/tmp/neo4j-backup-state`. It holds the import's journals and the working copies of backups
 * kept elsewhere than in a local directory (a bucket, a tar), never anything a backup needs.
 */
export function stateDir(env: (name: string) => string | undefined): string {
  const own = env("NEO4J_BACKUP_STATE_DIR");
  if (own) return own;
  const xdg = env("XDG_STATE_HOME");
  if (xdg) return join(xdg, "neo4j-backup");
  const home = env("HOME");
  return home
    ? join(home, ".local", "state", "neo4j-backup")
    : "/tmp/neo4j-backup-state";
}

/** `Deno.env.get`, or nothing where the environment may not be read. */
export function processEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
