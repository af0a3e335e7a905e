// deno-lint-ignore-file no-console
/**
 * `deno task test [deno test args]`: runs the test suite against a real Neo4j.
 * `deno task test:unit [deno test args]`: runs the test files that need no Neo4j (no Java, no
 * server), found by what they import.
 *
 * With NEO4J_URI (and NEO4J_USERNAME, NEO4J_PASSWORD) set, the suite runs against that server
 * and starts none. Otherwise a local Neo4j Community server is started for the whole run (see
 * dev/neo4j_server.ts) and stopped afterwards, also when a test fails or the run is interrupted.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { Neo4jServer } from "./neo4j_server.ts";
import { unitTestFiles } from "./_test_files.ts";

const unit = Deno.args[0] === "--unit";
const args = unit ? Deno.args.slice(1) : Deno.args;
const tests = fileURLToPath(new URL("../tests/", import.meta.url));

// The tool's state folder (import journals, working copies of backups kept elsewhere) is one of
// the run's own, removed afterwards: the suite leaves nothing in the user's.
const state = await Deno.makeTempDir({ prefix: "neo4j-backup-state-" });
const env: Record<string, string> = { NEO4J_BACKUP_STATE_DIR: state };
let server: Neo4jServer | undefined;
if (unit) {
  // deno test runs these files only; none of them starts a server.
} else if (Deno.env.get("NEO4J_URI")) {
  console.error(
    `Testing against the Neo4j server at ${Deno.env.get("NEO4J_URI")}`,
  );
} else {
  server = await Neo4jServer.start({
    onStatus: (message) => console.error(message),
  });
  const { uri, username, password, version, startMillis } = server.info;
  Object.assign(env, {
    NEO4J_URI: uri,
    NEO4J_USERNAME: username,
    NEO4J_PASSWORD: password,
    NEO4J_BACKUP_LOCAL_SERVERS: "1",
  });
  console.error(
    `Started Neo4j ${version} Community at ${uri} in ${startMillis} ms`,
  );
}

const files = args.some((arg) => !arg.startsWith("-"))
  ? []
  : unit
  ? await unitTestFiles(tests)
  : [tests];
const child = new Deno.Command(Deno.execPath(), {
  args: ["test", "-A", ...args, ...files],
  env,
}).spawn();
const forward = (signal: Deno.Signal) => () => {
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
};
Deno.addSignalListener("SIGINT", forward("SIGINT"));
Deno.addSignalListener("SIGTERM", forward("SIGTERM"));
const status = await child.status;
await server?.stop();
await Deno.remove(state, { recursive: true }).catch(() => {});
Deno.exit(status.code);
