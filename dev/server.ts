// deno-lint-ignore-file no-console
/**
 * `deno task server [--neo4j-version V] [--port N] [--keep DIR]`: starts a local Neo4j Community
 * server in the foreground, prints its Bolt URI, user and password, and stops it on Ctrl-C.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Neo4jServer } from "./neo4j_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "neo4j-version": { type: "string" },
    port: { type: "string" },
    keep: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(
    "Usage: deno task server [--neo4j-version V] [--port N] [--keep DIR]\n\n" +
      "Starts Neo4j Community (default 5.26.30, or NEO4J_VERSION) on 127.0.0.1 with auth on.\n" +
      "--keep DIR keeps the server's files in DIR between runs.",
  );
  Deno.exit(0);
}

const server = await Neo4jServer.start({
  ...(values["neo4j-version"] ? { version: values["neo4j-version"] } : {}),
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values.keep ? { home: values.keep, keepData: true } : {}),
  onStatus: (message) => console.error(message),
});
const { uri, username, password, version, startMillis } = server.info;
console.log(
  `Neo4j ${version} Community is running (started in ${startMillis} ms)`,
);
console.log(`  NEO4J_URI=${uri}`);
console.log(`  NEO4J_USERNAME=${username}`);
console.log(`  NEO4J_PASSWORD=${password}`);
console.log("Press Ctrl-C to stop it.");

const stopped = Promise.withResolvers<void>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => stopped.resolve());
}
await stopped.promise;
await server.stop();
console.log("Stopped.");
