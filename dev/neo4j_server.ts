/**
 * A real Neo4j Community server for the tests, the demo and the benchmarks.
 *
 * Neo4j is resolved from Maven Central (`org.neo4j:neo4j`, the Community DBMS) with Maven into
 * the project's cache folder, and run embedded behind a small Java launcher
 * (`dev/server/Neo4jLauncher.java`) with its Bolt connector on a free loopback port and
 * authentication on. The launcher exits as soon as its standard input closes, so a server never
 * outlives the process that started it, however that process ends.
 *
 * A start that fails throws an error whose message is one line (`Cannot start Neo4j 5.26.30:
 * port 127.0.0.1:7687 is already in use`; Java's own output, when there is any worth reading, is
 * its `cause`), and leaves nothing behind: no Java process, and no home folder unless it was one
 * that existed before and is kept (`keepData`).
 *
 * @module
 */

import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { homedir } from "node:os";

/** The Neo4j version started when neither an option nor `NEO4J_VERSION` names one. */
export const DEFAULT_NEO4J_VERSION = "5.26.30";

/** The password of the `neo4j` user of every server started here. */
export const DEFAULT_PASSWORD = "neo4j-backup-test";

const LAUNCHER_DIR = fileURLToPath(new URL("./server/", import.meta.url));

/** Options for {@linkcode Neo4jServer.start}. */
export interface Neo4jServerOptions {
  /**
   * Neo4j version, from Maven Central: 4.4.x, 5.x, or a CalVer release (2025.x and later need
   * Java 21).
   * @default {Deno.env.get("NEO4J_VERSION") ?? DEFAULT_NEO4J_VERSION}
   */
  version?: string;
  /**
   * Password of the `neo4j` user.
   * @default {DEFAULT_PASSWORD}
   */
  password?: string;
  /**
   * The server's home folder. It is deleted when the server stops unless `keepData` is set.
   * @default {a new temporary folder}
   */
  home?: string;
  /**
   * Keep the home folder when the server stops, so that it can be started again.
   * @default {false}
   */
  keepData?: boolean;
  /**
   * Bolt port on 127.0.0.1; 0 means a free port.
   * @default {a free port}
   */
  port?: number;
  /**
   * Milliseconds to wait for Bolt to answer before giving up (and stopping Java).
   * @default {180_000}
   */
  startTimeout?: number;
  /**
   * Page cache size, in Neo4j's notation.
   * @default {"1g"}
   */
  pageCache?: string;
  /**
   * Maximum Java heap, in the JVM's notation.
   * @default {"2g"}
   */
  heap?: string;
  /** Called with a line of text while Neo4j is downloaded or started. */
  onStatus?: (message: string) => void;
  /**
   * More neo4j.conf settings, by name (e.g. `{ "server.databases.default_to_read_only": "true" }`).
   * @default {{}}
   */
  settings?: Record<string, string>;
  /**
   * Plugin jars (paths) copied into the server's `plugins/` folder before it starts, where Neo4j
   * loads procedures from, and put on its classpath (e.g. APOC, from `dev/_apoc.ts`).
   * @default {[]}
   */
  plugins?: string[];
  /**
   * Settings written to `conf/apoc.conf`, by name, where APOC reads its own settings (it refuses
   * them in neo4j.conf), e.g. `{ "apoc.export.file.enabled": "true" }`; the `import/` folder,
   * where APOC reads and writes files, is created too.
   * @default {no apoc.conf}
   */
  apocSettings?: Record<string, string>;
}

/** What a started server says about itself. */
export interface Neo4jServerInfo {
  /** Bolt URI, e.g. `bolt://127.0.0.1:40123`. */
  uri: string;
  /** Always `neo4j`. */
  username: string;
  /** The password of `username`. */
  password: string;
  /** The Neo4j version that runs, as the server reports it. */
  version: string;
  /** Milliseconds from spawning Java to Bolt answering. */
  startMillis: number;
}

/** A local Neo4j Community server, started by {@linkcode Neo4jServer.start}. */
export class Neo4jServer implements AsyncDisposable {
  #child: Deno.ChildProcess | undefined;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #exited: Promise<Deno.CommandStatus> | undefined;
  #info: Neo4jServerInfo | undefined;
  readonly #options: Required<
    Omit<
      Neo4jServerOptions,
      "port" | "onStatus" | "home" | "settings" | "plugins" | "apocSettings"
    >
  >;
  #home: string | undefined;
  readonly #onStatus: (message: string) => void;
  #port: number | undefined;
  #settings: Record<string, string>;
  readonly #plugins: string[];
  readonly #apocSettings: Record<string, string> | undefined;
  #java = "";
  #classpath = "";

  private constructor(options: Neo4jServerOptions) {
    this.#options = {
      version: options.version ?? Deno.env.get("NEO4J_VERSION") ??
        DEFAULT_NEO4J_VERSION,
      password: options.password ?? DEFAULT_PASSWORD,
      keepData: options.keepData ?? false,
      pageCache: options.pageCache ?? "1g",
      heap: options.heap ?? "2g",
      startTimeout: options.startTimeout ?? 180_000,
    };
    this.#home = options.home;
    this.#port = options.port || undefined;
    this.#settings = options.settings ?? {};
    this.#plugins = options.plugins ?? [];
    this.#apocSettings = options.apocSettings;
    this.#onStatus = options.onStatus ?? (() => {});
  }

  /**
   * Resolves Neo4j (downloading it once into the cache), starts it and waits until Bolt answers.
   *
   * @example Start a server, use it, stop it
   * ```ts ignore
   * await using server = await Neo4jServer.start();
   * console.log(server.info.uri);
   * ```
   */
  static async start(options: Neo4jServerOptions = {}): Promise<Neo4jServer> {
    const server = new Neo4jServer(options);
    const { version } = server.#options;
    const { port } = options;
    if (
      port !== undefined &&
      !(Number.isInteger(port) && port >= 0 && port <= 65535)
    ) {
      throw new RangeError(
        `Cannot start Neo4j ${version}: the port must be an integer from 0 to 65535, not ${port}`,
      );
    }
    let provisioned: Provisioned;
    try {
      provisioned = await provision(version, server.#onStatus);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      throw new Error(
        `Cannot start Neo4j ${version}: ${error.message}`,
        error.cause === undefined ? undefined : { cause: error.cause },
      );
    }
    server.#java = provisioned.java;
    server.#classpath = provisioned.classpath;
    await server.#launch();
    return server;
  }

  /** Connection details of the running server. */
  get info(): Neo4jServerInfo {
    if (!this.#info) throw new Error("The Neo4j server is not running");
    return this.#info;
  }

  /** The server's home folder. */
  get home(): string | undefined {
    return this.#home;
  }

  /** Whether the Java process runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  async #launch(): Promise<void> {
    // A home that this start creates is removed again if the start fails, kept or not.
    const newHome = this.#home === undefined || !(await exists(this.#home));
    this.#home ??= await Deno.makeTempDir({ prefix: "neo4j-backup-server-" });
    const home = this.#home;
    const started = performance.now();
    try {
      for (let attempt = 1;; attempt++) {
        await this.#install(home);
        const outcome = await this.#spawn(home);
        if (outcome.ready) {
          this.#port = outcome.port;
          this.#info = {
            uri: `bolt://127.0.0.1:${outcome.port}`,
            username: "neo4j",
            password: this.#options.password,
            version: outcome.version,
            startMillis: Math.round(performance.now() - started),
          };
          return;
        }
        // The free port that the launcher picked was taken before Neo4j could bind it: start
        // over on another one.
        if (outcome.portInUse && this.#port === undefined && attempt < 3) {
          if (newHome) await emptyFolder(home);
          continue;
        }
        throw new Error(
          `Cannot start Neo4j ${this.#options.version}: ${outcome.reason}`,
          outcome.details ? { cause: outcome.details } : undefined,
        );
      }
    } catch (error) {
      if (newHome || !this.#options.keepData) {
        await Deno.remove(home, { recursive: true }).catch(() => {});
      }
      throw error;
    }
  }

  /** Copies the plugin jars into `plugins/` and writes `conf/apoc.conf`, when asked to. */
  async #install(home: string): Promise<void> {
    if (this.#plugins.length > 0) {
      const dir = join(home, "plugins");
      await Deno.mkdir(dir, { recursive: true });
      for (const jar of this.#plugins) {
        try {
          await Deno.copyFile(jar, join(dir, basename(jar)));
        } catch (error) {
          throw new Error(
            `Cannot start Neo4j ${this.#options.version}: cannot copy the plugin ${jar}: ${
              (error as Error).message
            }`,
          );
        }
      }
    }
    if (this.#apocSettings) {
      // APOC's files go to the import folder (server.directories.import), which must exist.
      await Deno.mkdir(join(home, "import"), { recursive: true });
      await Deno.mkdir(join(home, "conf"), { recursive: true });
      await Deno.writeTextFile(
        join(home, "conf", "apoc.conf"),
        Object.entries(this.#apocSettings).map(([name, value]) =>
          `${name}=${value}\n`
        ).join(""),
      );
    }
  }

  /** Runs the launcher once; on success, the server runs; otherwise Java has ended. */
  async #spawn(home: string): Promise<LaunchOutcome> {
    const major = majorOf(this.#options.version);
    const args = [
      `-Xmx${this.#options.heap}`,
      "-XX:+UseG1GC",
      // What Neo4j's own launch scripts grant, for its page cache and Netty.
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "-Dio.netty.tryReflectionSetAccessible=true",
      "-cp",
      // A plugin is on the classpath too, as Neo4j's own scripts put it: its extensions (APOC's
      // configuration, say) are found there, its procedures in plugins/.
      this.#plugins.length > 0
        ? `${this.#classpath}:${join(home, "plugins", "*")}`
        : this.#classpath,
      "Neo4jLauncher",
      `home=${home}`,
      `password=${this.#options.password}`,
      `major=${major}`,
      `keep=${this.#options.keepData}`,
      `pagecache=${this.#options.pageCache}`,
      ...(this.#port ? [`port=${this.#port}`] : []),
      ...Object.entries(this.#settings).map(([name, value]) =>
        `setting.${name}=${value}`
      ),
    ];
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(this.#java, {
        args,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      return {
        ready: false,
        reason: `cannot run ${this.#java}: ${(error as Error).message}`,
      };
    }
    // Read stderr all along (a full pipe would block Java); keep its last lines for errors.
    const stderr: string[] = [];
    const drained = drainLines(child.stderr, (line) => {
      stderr.push(line);
      if (stderr.length > 40) stderr.shift();
    });
    const timeout = this.#options.startTimeout;
    const { line, timedOut } = await readStartLine(child.stdout, timeout);
    const ready = line && /^READY (\d+)(?: (\S+))?/.exec(line);
    if (ready) {
      this.#child = child;
      this.#stdin = child.stdin.getWriter();
      this.#exited = child.status;
      // The process must not hold the event loop of a test run open.
      child.unref();
      return {
        ready: true,
        port: Number(ready[1]),
        version: ready[2] ?? this.#options.version,
      };
    }
    // Java must be gone before its files are; after a FAILED line it is on its way out.
    await child.stdin.close().catch(() => {});
    const status = await endProcess(child, timedOut ? 0 : 10_000);
    await withTimeout(drained, 5_000);
    const details = stderr.join("\n").trim() || undefined;
    const portInUse = line && /^FAILED port-in-use (\S+)/.exec(line);
    if (portInUse) {
      return {
        ready: false,
        portInUse: true,
        reason: `port ${portInUse[1]} is already in use`,
      };
    }
    if (line?.startsWith("FAILED ")) {
      return { ready: false, reason: sentence(line.slice(7)), details };
    }
    if (timedOut) {
      const where = this.#port ? ` on 127.0.0.1:${this.#port}` : "";
      return {
        ready: false,
        reason: `Bolt did not answer${where} within ${timeout / 1000} s`,
        details,
      };
    }
    const ended = status.signal
      ? `Java was killed by ${status.signal}`
      : `Java exited with status ${status.code}`;
    const first = stderr.map((l) => l.trim()).find((l) =>
      l !== "" && !l.startsWith("Picked up ")
    );
    return {
      ready: false,
      reason: first ? `${ended}: ${sentence(first)}` : ended,
      details,
    };
  }

  /**
   * Stops the server. Its files are deleted unless `keepData` was set, in which case Neo4j shuts
   * down cleanly and {@linkcode Neo4jServer.restart} can start it again.
   */
  async stop(): Promise<void> {
    if (!this.#child) return;
    await this.#stdin?.close().catch(() => {});
    const status = await withTimeout(this.#exited!, 120_000);
    if (!status) this.#child.kill("SIGKILL");
    await this.#reap();
    if (!this.#options.keepData && this.#home) {
      await Deno.remove(this.#home, { recursive: true }).catch(() => {});
    }
  }

  /** Kills the Java process at once (SIGKILL), as a crash would; the files stay. */
  async kill(): Promise<void> {
    if (!this.#child) return;
    this.#child.kill("SIGKILL");
    await this.#reap();
  }

  /** Starts the server again on the same port and files, after `kill()` or a stop with `keepData`. */
  async restart(): Promise<void> {
    if (this.#child) await this.kill();
    await this.#launch();
  }

  async #reap(): Promise<void> {
    await this.#exited?.catch(() => {});
    this.#child = undefined;
    this.#stdin = undefined;
    this.#info = undefined;
  }

  /** Stops the server. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#options.keepData) await this.kill();
    else await this.stop();
  }
}

/** How one run of the launcher ended. */
type LaunchOutcome =
  | { ready: true; port: number; version: string }
  | {
    ready: false;
    /** Why, in a few words, on one line. */
    reason: string;
    portInUse?: boolean;
    /** What Java wrote on stderr. */
    details?: string;
  };

/** The folder where Neo4j's artifacts and other downloads are cached. */
export function cacheDir(): string {
  const explicit = Deno.env.get("NEO4J_BACKUP_CACHE");
  if (explicit) return explicit;
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  return join(xdg || join(homedir(), ".cache"), "neo4j-backup");
}

function majorOf(version: string): number {
  const major = Number(version.split(".")[0]);
  if (!Number.isInteger(major)) {
    throw new TypeError(`"${version}" is not a Neo4j version`);
  }
  return major;
}

/** The Java majors that run a Neo4j version, most preferred first. */
function javaMajorsFor(version: string): number[] {
  const major = majorOf(version);
  if (major === 4) return [11, 17];
  if (major === 5) return [17, 21];
  return [21, 25];
}

interface Provisioned {
  java: string;
  classpath: string;
}

/**
 * Resolves the Neo4j version's jars with Maven (once; cached) and compiles the launcher, then
 * picks a Java that runs that version.
 */
export async function provision(
  version: string,
  onStatus: (message: string) => void = () => {},
): Promise<Provisioned> {
  const java = await findJava(version);
  const dir = join(cacheDir(), `neo4j-${version}`);
  const classpathFile = join(dir, "classpath.txt");
  await Deno.mkdir(dir, { recursive: true });
  if (!(await exists(classpathFile))) {
    onStatus(
      `Downloading Neo4j ${version} from Maven Central into ${cacheDir()} (once)`,
    );
    const scratch = await Deno.makeTempFile({ dir, suffix: ".classpath" });
    try {
      await run(
        "mvn",
        [
          "-q",
          "-B",
          "-f",
          join(LAUNCHER_DIR, "pom.xml"),
          `-Dneo4j.version=${version}`,
          `-Dmaven.repo.local=${join(cacheDir(), "m2")}`,
          "dependency:build-classpath",
          `-Dmdep.outputFile=${scratch}`,
        ],
        "Maven could not resolve it (is Maven installed and Maven Central reachable?)",
      );
    } catch (error) {
      await Deno.remove(scratch).catch(() => {});
      // The version's folder, unless it holds something (another start's work).
      await Deno.remove(dir).catch(() => {});
      throw error;
    }
    await Deno.rename(scratch, classpathFile);
  }
  const deps = (await Deno.readTextFile(classpathFile)).trim();
  // The launcher is compiled once per version and per revision of its source.
  const source = join(LAUNCHER_DIR, "Neo4jLauncher.java");
  const revision = createHash("sha256").update(await Deno.readFile(source))
    .digest("hex").slice(0, 12);
  const classesDir = join(dir, `launcher-${revision}`);
  if (!(await exists(join(classesDir, "Neo4jLauncher.class")))) {
    const scratch = await Deno.makeTempDir({ dir, prefix: ".tmp-launcher-" });
    const javac = java.replace(/java$/, "javac");
    try {
      await run(
        javac,
        ["--release", "11", "-cp", deps, "-d", scratch, source],
        "could not compile the launcher dev/server/Neo4jLauncher.java (is a JDK installed?)",
      );
      try {
        await Deno.rename(scratch, classesDir);
      } catch {
        // Unless another start compiled it meanwhile (and may be running it), replace it.
        if (!(await exists(join(classesDir, "Neo4jLauncher.class")))) {
          await Deno.remove(classesDir, { recursive: true }).catch(() => {});
          await Deno.rename(scratch, classesDir);
        }
      }
    } finally {
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
  }
  return { java, classpath: `${classesDir}:${deps}` };
}

async function findJava(version: string): Promise<string> {
  const wanted = javaMajorsFor(version);
  const candidates: string[] = [];
  for (const name of ["NEO4J_JAVA_HOME", "JAVA_HOME"]) {
    const home = Deno.env.get(name);
    if (home) candidates.push(join(home, "bin", "java"));
  }
  candidates.push("java");
  for (const root of ["/usr/lib/jvm", "/opt/java", "/usr/local/lib/jvm"]) {
    try {
      for await (const entry of Deno.readDir(root)) {
        candidates.push(join(root, entry.name, "bin", "java"));
      }
    } catch {
      // Not there.
    }
  }
  const found: [string, number][] = [];
  for (const candidate of candidates) {
    const major = await javaMajor(candidate);
    if (major !== undefined) found.push([candidate, major]);
  }
  for (const major of wanted) {
    const hit = found.find(([, m]) => m === major);
    if (hit) return hit[0];
  }
  const newer = found.find(([, m]) => m > wanted[wanted.length - 1]!);
  if (newer) return newer[0];
  throw new Error(
    `it needs Java ${wanted.join(" or ")} and found ${
      found.map(([p, m]) => `${p} (${m})`).join(", ") || "no Java"
    } (set NEO4J_JAVA_HOME to a suitable JDK)`,
  );
}

async function javaMajor(java: string): Promise<number | undefined> {
  try {
    const out = await new Deno.Command(java, {
      args: ["-version"],
      stdout: "null",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stderr);
    const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
    if (!match) return undefined;
    return match[1] === "1" ? Number(match[2]) : Number(match[1]);
  } catch {
    return undefined;
  }
}

async function run(cmd: string, args: string[], hint: string): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (error) {
    throw new Error(`${hint}: cannot run ${cmd}`, { cause: error });
  }
  if (!out.success) {
    const text = new TextDecoder().decode(out.stdout) +
      new TextDecoder().decode(out.stderr);
    // One line; the tool's own output (its end) is the cause.
    throw new Error(hint, {
      cause: text.trim().split("\n").slice(-30).join("\n"),
    });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads the launcher's stdout up to its `READY` or `FAILED` line; `line` is undefined if stdout
 * ended first (Java exited) or `timeoutMs` passed first (`timedOut`).
 */
async function readStartLine(
  stdout: ReadableStream<Uint8Array>,
  timeoutMs: number,
): Promise<{ line?: string; timedOut: boolean }> {
  const chunks = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  let buffer = "";
  try {
    while (true) {
      const next = await Promise.race([chunks.read(), expired]);
      if (next === "timeout") return { timedOut: true };
      if (next.done) return { timedOut: false };
      buffer += next.value;
      const match = /^(?:READY|FAILED) .*$/m.exec(buffer);
      if (match) return { line: match[0], timedOut: false };
    }
  } finally {
    clearTimeout(timer);
    // Stop reading: the launcher prints nothing more on stdout.
    await chunks.cancel().catch(() => {});
  }
}

/**
 * Waits for a process to end: `graceMs` on its own, then up to 10 s after a SIGTERM (Java runs
 * the launcher's shutdown hook), then after a SIGKILL.
 */
async function endProcess(
  child: Deno.ChildProcess,
  graceMs: number,
): Promise<Deno.CommandStatus> {
  const status = graceMs > 0
    ? await withTimeout(child.status, graceMs)
    : undefined;
  if (status) return status;
  for (const [signal, ms] of [["SIGTERM", 10_000], ["SIGKILL", 0]] as const) {
    try {
      child.kill(signal);
    } catch {
      // It has just ended.
    }
    const ended = ms > 0
      ? await withTimeout(child.status, ms)
      : await child.status;
    if (ended) return ended;
  }
  return await child.status;
}

/** Removes what a folder holds, keeping the folder (if it is there). */
async function emptyFolder(path: string): Promise<void> {
  try {
    for await (const entry of Deno.readDir(path)) {
      await Deno.remove(join(path, entry.name), { recursive: true });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** A message from Java made part of one line of ours: on one line, no trailing period. */
function sentence(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(/\.+$/, "");
}

/** Calls `onLine` with each line of `stream` until it ends. */
export async function drainLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      parts.forEach(onLine);
    }
  } catch {
    // The process ended.
  }
  if (rest) onLine(rest);
}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
