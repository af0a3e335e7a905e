/**
 * APOC Core, as a plugin of the local Neo4j server (`dev/neo4j_server.ts`), for the benchmark's
 * comparison with `apoc.export.json.all` and `apoc.import.json`.
 *
 * Maven Central publishes APOC Core as `org.neo4j.procedure:apoc-core` and
 * `org.neo4j.procedure:apoc-common` (the classes only, not the `-core` jar of APOC's releases,
 * which bundles their dependencies): both are resolved with Maven, with their dependencies, once
 * per Neo4j version into the project's cache folder (`<cache>/neo4j-<version>/apoc/`). The
 * release is the Neo4j version's own when Maven Central has it, else the newest of the same
 * minor version that is not newer (Neo4j 5.26.30: APOC 5.26.19).
 *
 * The embedded Neo4j of `dev/neo4j_server.ts` has Hadoop on its classpath (without the
 * libraries that Hadoop needs to start), and APOC uses Hadoop for `hdfs:` URLs whenever it is
 * there, also to open plain files: those few libraries are added to the plugin.
 *
 * @module
 */
import { join } from "node:path";
import { cacheDir, provision } from "./neo4j_server.ts";

/** neo4j.conf settings that APOC's export and import need (Neo4j 5 and later). */
export const APOC_SERVER_SETTINGS: Readonly<Record<string, string>> = {
  "dbms.security.procedures.unrestricted": "apoc.*",
  // Relative to the server's home: APOC reads and writes its files there.
  "server.directories.import": "import",
};

/** apoc.conf settings that `apoc.export.json.all` to a file and `apoc.import.json` need. */
export const APOC_CONF: Readonly<Record<string, string>> = {
  "apoc.export.file.enabled": "true",
  "apoc.import.file.enabled": "true",
};

/** What Neo4j's embedded classpath lacks for Hadoop to start, when Hadoop is on it. */
const HADOOP_EXTRAS: readonly [string, string, string][] = [
  ["com.fasterxml.woodstox", "woodstox-core", "5.4.0"],
  ["org.apache.commons", "commons-collections4", "4.4"],
  ["org.apache.hadoop.thirdparty", "hadoop-shaded-guava", "1.5.0"],
];

/** The APOC plugin resolved for a Neo4j version. */
export interface ApocPlugin {
  /** The APOC release, e.g. `5.26.19`. */
  version: string;
  /** The jars to copy into the server's plugins folder (APOC's and its dependencies). */
  jars: string[];
}

/**
 * The APOC release for a Neo4j version among those available: the same version, else the
 * newest of the same major and minor version that is not newer; undefined when there is none.
 */
export function pickApocVersion(
  neo4jVersion: string,
  available: readonly string[],
): string | undefined {
  if (available.includes(neo4jVersion)) return neo4jVersion;
  const [major, minor, patch = 0] = neo4jVersion.split(".").map(Number);
  let best: number[] | undefined;
  for (const version of available) {
    const parts = version.split(".").map(Number);
    if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p))) continue;
    if (parts[0] !== major || parts[1] !== minor || parts[2]! > patch) continue;
    if (!best || parts[2]! > best[2]!) best = parts;
  }
  return best?.join(".");
}

/**
 * Resolves APOC Core for a Neo4j version (once; cached) and returns its jars. Throws an error of
 * one line saying why it cannot (no release for that version, Maven failed, ...).
 */
export async function provisionApoc(
  neo4jVersion: string,
  onStatus: (message: string) => void = () => {},
): Promise<ApocPlugin> {
  const major = Number(neo4jVersion.split(".")[0]);
  if (!(major === 5)) {
    throw new Error(
      `APOC is resolved here for Neo4j 5 only (Maven Central has no apoc-core for Neo4j ${neo4jVersion})`,
    );
  }
  const dir = join(cacheDir(), `neo4j-${neo4jVersion}`, "apoc");
  const done = join(dir, "apoc.json");
  const cached = await readCached(done);
  if (cached) return cached;
  const { classpath } = await provision(neo4jVersion, onStatus);
  await Deno.mkdir(dir, { recursive: true });
  const repo = join(cacheDir(), "m2");
  // The releases on Maven Central: resolving RELEASE fetches the artifact's metadata.
  await mvn(dir, [
    "dependency:get",
    "-Dartifact=org.neo4j.procedure:apoc-core:RELEASE:pom",
    "-Dtransitive=false",
    `-Dmaven.repo.local=${repo}`,
  ], "Maven could not list the releases of org.neo4j.procedure:apoc-core");
  const available = await releases(
    join(repo, "org", "neo4j", "procedure", "apoc-core"),
  );
  const version = pickApocVersion(neo4jVersion, available);
  if (!version) {
    throw new Error(
      `Maven Central has no APOC release for Neo4j ${neo4jVersion} (it has ${
        available.slice(-5).join(", ") || "none"
      }${available.length > 5 ? ", ..." : ""})`,
    );
  }
  onStatus(
    `Downloading APOC ${version} from Maven Central into ${cacheDir()} (once)`,
  );
  const scratch = await Deno.makeTempDir({ dir, prefix: ".tmp-apoc-" });
  try {
    const extras = classpath.includes("hadoop-common") ? HADOOP_EXTRAS : [];
    await Deno.writeTextFile(
      join(scratch, "pom.xml"),
      pom([
        ["org.neo4j.procedure", "apoc-core", version],
        ["org.neo4j.procedure", "apoc-common", version],
        ...extras,
      ]),
    );
    await mvn(scratch, [
      "-f",
      join(scratch, "pom.xml"),
      "dependency:copy-dependencies",
      `-DoutputDirectory=${join(scratch, "jars")}`,
      "-DincludeScope=runtime",
      `-Dmaven.repo.local=${repo}`,
    ], `Maven could not resolve APOC ${version} and its dependencies`);
    const jarsDir = join(dir, `apoc-${version}`);
    await Deno.remove(jarsDir, { recursive: true }).catch(() => {});
    await Deno.rename(join(scratch, "jars"), jarsDir);
    const jars: string[] = [];
    for await (const entry of Deno.readDir(jarsDir)) {
      if (entry.name.endsWith(".jar")) jars.push(join(jarsDir, entry.name));
    }
    jars.sort();
    const plugin = { version, jars };
    await Deno.writeTextFile(done, JSON.stringify(plugin, null, 2) + "\n");
    return plugin;
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

/** The plugin of an earlier resolution, if its jars are all still there. */
async function readCached(path: string): Promise<ApocPlugin | undefined> {
  try {
    const plugin = JSON.parse(await Deno.readTextFile(path)) as ApocPlugin;
    for (const jar of plugin.jars) await Deno.stat(jar);
    return plugin.jars.length > 0 ? plugin : undefined;
  } catch {
    return undefined;
  }
}

/** The versions in an artifact's Maven metadata (any repository's), oldest first. */
async function releases(artifactDir: string): Promise<string[]> {
  const versions = new Set<string>();
  try {
    for await (const entry of Deno.readDir(artifactDir)) {
      if (!/^maven-metadata.*\.xml$/.test(entry.name)) continue;
      const text = await Deno.readTextFile(join(artifactDir, entry.name));
      for (const match of text.matchAll(/<version>([^<]+)<\/version>/g)) {
        versions.add(match[1]!.trim());
      }
    }
  } catch {
    // No metadata.
  }
  return [...versions];
}

/** A pom that only lists dependencies, for `dependency:copy-dependencies`. */
function pom(dependencies: readonly [string, string, string][]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.neo4j-backup</groupId>
  <artifactId>apoc-plugin</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${
    dependencies.map(([g, a, v]) =>
      `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`
    ).join("\n")
  }
  </dependencies>
</project>
`;
}

/** Runs Maven quietly in `cwd`; throws `hint` (Maven's last lines as its cause) if it fails. */
async function mvn(cwd: string, args: string[], hint: string): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("mvn", {
      args: ["-q", "-B", ...args],
      cwd,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(`${hint}: cannot run mvn`, { cause: error });
  }
  if (!out.success) {
    const text = new TextDecoder().decode(out.stdout) +
      new TextDecoder().decode(out.stderr);
    const error = text.split("\n").find((l) => l.startsWith("[ERROR]"))
      ?.replace(/^\[ERROR\]\s*/, "").trim();
    throw new Error(error ? `${hint}: ${error}` : hint, {
      cause: text.trim().split("\n").slice(-30).join("\n"),
    });
  }
}
