// deno-lint-ignore-file no-console
/**
 * `deno task server [--neo4j-version V] [--port N] [--keep DIR] [--verbose]`: starts a local
 * Neo4j Community server in the foreground, prints its Bolt URI, user and password, and stops it
 * on Ctrl-C.
 *
 * When the server cannot start (the port is taken, Java fails, Neo4j stops during start-up or
 * does not answer in time) it prints one line, `error: Cannot start Neo4j ...`, and exits with
 * status 1, leaving no Java process and no files behind (but a `--keep DIR` that existed
 * before). A usage error exits with status 2.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Neo4jServer } from "./neo4j_server.ts";

const USAGE =
  "Usage: deno task server [--neo4j-version V] [--port N] [--keep DIR] [--verbose]\n\n" +
  "Starts Neo4j Community (default 5.26.30, or NEO4J_VERSION) on 127.0.0.1 with auth on.\n" +
  "--port N       the Bolt port (default: a free one)\n" +
  "--keep DIR     keeps the server's files in DIR between runs\n" +
  "--verbose      if the server cannot start, also prints what Java said";

function usageError(message: string): never {
  console.error(`error: ${message}`);
  console.error('hint: run "deno task server --help" for usage');
  Deno.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    args: Deno.args,
    options: {
      "neo4j-version": { type: "string" },
      port: { type: "string" },
      keep: { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  usageError((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
let port: number | undefined;
if (values.port !== undefined) {
  port = /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    usageError(
      `--port takes a port number from 1 to 65535, not "${values.port}"`,
    );
  }
}

let server: Neo4jServer;
try {
  server = await Neo4jServer.start({
    ...(values["neo4j-version"] ? { version: values["neo4j-version"] } : {}),
    ...(port ? { port } : {}),
    ...(values.keep ? { home: values.keep, keepData: true } : {}),
    onStatus: (message) => console.error(message),
  });
} catch (error) {
  if (!(error instanceof Error)) throw error;
  console.error(`error: ${error.message}`);
  if (values.verbose && error.cause !== undefined) {
    console.error(String(error.cause));
  }
  Deno.exit(1);
}
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
