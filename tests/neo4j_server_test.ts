/**
 * The local Neo4j server of dev/neo4j_server.ts (what `deno task server`, `deno task test`, the
 * demo and the benchmarks start): a start that fails says why in one line, without a stack
 * trace, and leaves nothing behind - no Java process, no folder in the temporary directory;
 * a server that ran leaves nothing behind either, and does not take half a gigabyte meanwhile.
 *
 * Each failing start runs in a child process whose TMPDIR is a folder of this test alone, so
 * that "nothing left" is exact even while other servers start and stop on the machine.
 *
 * @module
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEFAULT_NEO4J_VERSION,
  Neo4jServer,
  type Neo4jServerOptions,
} from "../dev/neo4j_server.ts";

// Like testTarget().localServers, without starting the suite's own server to find out.
const LOCAL_SERVERS = !Deno.env.get("NEO4J_URI") ||
  Deno.env.get("NEO4J_BACKUP_LOCAL_SERVERS") === "1";
const VERSION = Deno.env.get("NEO4J_VERSION") ?? DEFAULT_NEO4J_VERSION;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SERVER_MODULE = new URL("../dev/neo4j_server.ts", import.meta.url).href;

if (!LOCAL_SERVERS) {
  // deno-lint-ignore no-console
  console.warn(
    "neo4j_server_test: skipped: it starts servers of its own, and NEO4J_URI names a server this suite did not start",
  );
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** What was left in the child's temporary directory. */
  leftFiles: string[];
  /** Command lines of the Java processes still running on a home in that directory. */
  leftJava: string[];
}

/**
 * Runs `deno <args>` with a temporary directory of its own, and `during(tmp)` meanwhile; says
 * what it left there.
 */
async function runIsolated(
  args: string[],
  during?: (tmp: string) => Promise<void>,
): Promise<Run> {
  const tmp = await Deno.makeTempDir({ prefix: "neo4j-server-test-" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env: { TMPDIR: tmp, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await during?.(tmp);
    const out = await child.output();
    const leftFiles: string[] = [];
    for await (const entry of Deno.readDir(tmp)) leftFiles.push(entry.name);
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
      leftFiles,
      leftJava: await javaProcessesUnder(tmp),
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** Running launchers (`Neo4jLauncher home=...`) whose home is inside `dir`. */
async function javaProcessesUnder(dir: string): Promise<string[]> {
  const out = await new Deno.Command("ps", {
    args: ["-A", "-ww", "-o", "pid=,args="],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((line) =>
    line.includes("Neo4jLauncher") && line.includes(`home=${dir}`)
  ).map((line) => line.slice(0, 200));
}

/**
 * Calls `Neo4jServer.start(options)` in a child process and returns how the start failed: the
 * error's name and message, and what the child printed (the module itself prints nothing).
 */
async function failedStart(
  options: Neo4jServerOptions,
  during?: (tmp: string) => Promise<void>,
): Promise<{ name: string; message: string; run: Run }> {
  const script = `
    import { Neo4jServer } from ${JSON.stringify(SERVER_MODULE)};
    try {
      const server = await Neo4jServer.start(JSON.parse(Deno.args[0]));
      await server.stop();
      console.log(JSON.stringify({ started: true }));
    } catch (error) {
      const { name, message } = error as Error;
      console.log(JSON.stringify({ name, message }));
    }`;
  const run = await runIsolated([
    "eval",
    "--ext=ts",
    script,
    JSON.stringify(options),
  ], during);
  equal(run.code, 0, run.stderr);
  equal(run.stderr, "");
  const result = JSON.parse(run.stdout);
  ok(!result.started, "the server started");
  return { name: result.name, message: result.message, run };
}

/** Waits for `condition()` to hold, checking every 100 ms, for at most `ms`. */
async function until(
  condition: () => Promise<boolean>,
  what: string,
  ms = 120_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A port on 127.0.0.1 that something listens on, until disposed. */
function takenPort(): Deno.TcpListener & { port: number } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return Object.assign(listener, { port: listener.addr.port });
}

/** One line, no stack trace of Java's or of Deno's. */
function assertOneLine(text: string): void {
  ok(!text.includes("\n"), text);
  ok(!/\bat \S+[.(]|Exception in thread|Caused by:|^\s+at /m.test(text), text);
}

function assertNothingLeft(run: Run): void {
  deepEqual(run.leftFiles, [], "files left in the temporary directory");
  deepEqual(run.leftJava, [], "Java processes left running");
}

Deno.test({
  name:
    "Neo4jServer.start() on a taken port fails in one line and leaves nothing behind",
  ignore: !LOCAL_SERVERS,
  async fn(): Promise<void> {
    using listener = takenPort();
    const { name, message, run } = await failedStart({ port: listener.port });
    equal(name, "Error");
    equal(
      message,
      `Cannot start Neo4j ${VERSION}: port 127.0.0.1:${listener.port} is already in use`,
    );
    assertOneLine(message);
    assertNothingLeft(run);
  },
});

Deno.test({
  name:
    "deno task server --port on a taken port prints one error line, exits 1 and leaves nothing behind",
  ignore: !LOCAL_SERVERS,
  async fn(): Promise<void> {
    using listener = takenPort();
    const run = await runIsolated([
      "task",
      "-q",
      "server",
      "--port",
      String(listener.port),
    ]);
    equal(run.code, 1, run.stderr);
    equal(run.stdout, "");
    equal(
      run.stderr,
      `error: Cannot start Neo4j ${VERSION}: port 127.0.0.1:${listener.port} is already in use\n`,
    );
    assertNothingLeft(run);
  },
});

Deno.test({
  name:
    "Neo4jServer.start() that Neo4j itself refuses (a bad page cache size) fails in one line and leaves nothing behind",
  ignore: !LOCAL_SERVERS,
  async fn(): Promise<void> {
    const { message, run } = await failedStart({
      heap: "512m",
      pageCache: "lots",
    });
    match(message, new RegExp(`^Cannot start Neo4j ${VERSION}: .*lots`));
    assertOneLine(message);
    ok(!message.endsWith("."), message);
    assertNothingLeft(run);
  },
});

Deno.test({
  name:
    "Neo4jServer.start() whose Java cannot start (a bad -Xmx) fails in one line and leaves nothing behind",
  ignore: !LOCAL_SERVERS,
  async fn(): Promise<void> {
    const { message, run } = await failedStart({ heap: "lots" });
    match(
      message,
      new RegExp(
        `^Cannot start Neo4j ${VERSION}: Java exited with status 1: .*-Xmxlots`,
      ),
    );
    assertOneLine(message);
    assertNothingLeft(run);
  },
});

Deno.test({
  name:
    "Neo4jServer.start() that does not answer within startTimeout fails in one line, stops Java and leaves nothing behind",
  ignore: !LOCAL_SERVERS,
  async fn(): Promise<void> {
    const { message, run } = await failedStart({
      startTimeout: 300,
      heap: "512m",
      pageCache: "64m",
    });
    equal(
      message,
      `Cannot start Neo4j ${VERSION}: Bolt did not answer within 0.3 s`,
    );
    assertNothingLeft(run);
  },
});

Deno.test({
  name:
    "Neo4jServer.start() whose Java dies during start-up (SIGKILL) fails in one line and leaves nothing behind",
  ignore: !LOCAL_SERVERS,
  async fn(): Promise<void> {
    const { message, run } = await failedStart(
      { heap: "512m", pageCache: "64m" },
      async (tmp) => {
        // Once Neo4j has begun to write its databases, kill Java as the OOM killer would.
        let pid = 0;
        await until(async () => {
          const [line] = await javaProcessesUnder(tmp);
          pid = line ? Number(line.trim().split(/\s+/)[0]) : 0;
          if (!pid) return false;
          for await (const home of Deno.readDir(tmp)) {
            const databases = join(tmp, home.name, "data", "databases");
            if (await Deno.stat(databases).then(() => true, () => false)) {
              return true;
            }
          }
          return false;
        }, "Neo4j to start writing its files");
        Deno.kill(pid, "SIGKILL");
      },
    );
    equal(
      message,
      `Cannot start Neo4j ${VERSION}: Java was killed by SIGKILL`,
    );
    assertNothingLeft(run);
  },
});

/** Bytes that the files under `path` take on disk. */
async function diskUsage(path: string): Promise<number> {
  let bytes = 0;
  for await (const entry of Deno.readDir(path)) {
    const child = join(path, entry.name);
    const info = await Deno.lstat(child);
    bytes += info.blocks !== null ? info.blocks * 512 : info.size;
    if (info.isDirectory) bytes += await diskUsage(child);
  }
  return bytes;
}

Deno.test({
  name:
    "a started server takes a few MB on disk, not 256 MiB of preallocated transaction log per database, and stop() removes its files",
  ignore: !LOCAL_SERVERS,
  async fn(): Promise<void> {
    const server = await Neo4jServer.start({ heap: "512m", pageCache: "64m" });
    const home = server.home!;
    // The server's unref'd process does not keep the event loop alive by itself.
    const awake = setInterval(() => {}, 1000);
    try {
      const bytes = await diskUsage(home);
      ok(
        bytes < 64 * 2 ** 20,
        `${(bytes / 2 ** 20).toFixed(1)} MiB in ${home}`,
      );
    } finally {
      await server.stop();
      clearInterval(awake);
    }
    ok(!server.running);
    equal(await Deno.stat(home).then(() => true, () => false), false);
  },
});
