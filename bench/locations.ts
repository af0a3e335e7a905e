// deno-lint-ignore-file no-console
/**
 * What a backup location other than a local directory costs: the extract to a local directory,
 * to `s3://bench/<round>` on a local moto server and to a `.tar` file; the import from the local
 * directory and from the bucket; and the peak RSS of the upload path itself (the files of a
 * fake, incompressible backup streamed into an `S3Location`, and into a local directory).
 *
 * ```sh
 * deno run -A bench/locations.ts [--nodes N] [--upload-mib M] [--rounds R]
 * ```
 *
 * One Neo4j server (`dev/neo4j_server.ts`, `NEO4J_VERSION` or its default) and one moto server
 * (`dev/s3_server.ts`) for the whole run; every measurement in a child process of its own (the
 * extracts and imports through `bench/measure.ts`, the uploads through this file's `--child`
 * mode), the measurements interleaved round by round, their order rotated every round. Times are
 * medians of the rounds, peak RSS (`VmHWM`) the largest of the rounds, ratios throughput ratios
 * against the local directory. Prints a markdown table on standard output (progress goes to
 * standard error) and writes nothing that outlives the run: the servers are stopped and the
 * temporary folder is removed at the end, also after a failure or Ctrl-C.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import neo4j, { type Driver } from "neo4j-driver";
import { type ChildOutcome, killRunningChild, runChild } from "./_child.ts";
import { type MeasureOptions, peakRss } from "./measure.ts";
import { formatCount, formatRatio, formatSeconds } from "./_format.ts";
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { ensureMoto, MOTO_PINS, S3Server } from "../dev/s3_server.ts";
import { loadGeneratedGraph } from "../dev/generate_graph.ts";
import { openLocation } from "../lib/location/open_location.ts";

const MEASURE = fileURLToPath(new URL("./measure.ts", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const MIB = 2 ** 20;
/** The bucket on the moto server. */
const BUCKET = "bench";
/** The fake backup's data files. */
const UPLOAD_FILES = 8;
/** `S3LocationOptions` defaults, as the command line uses them (shown in the output). */
const PART_SIZE_MIB = 8;
const QUEUE_SIZE = 2;

const USAGE = `Usage: deno run -A bench/locations.ts [options]

Extract to a local directory vs to s3://${BUCKET}/<round> (moto) vs to a .tar file; import from
the local directory vs from the bucket; peak RSS of an upload of a fake backup to S3 and to a
local directory. Prints a markdown table.

Options:
  --nodes N        nodes of the generated graph (relationships: twice as many) [100000]
  --upload-mib M   size of the fake backup uploaded, in ${UPLOAD_FILES} files [1024]
  --rounds R       rounds of every measurement, interleaved [3]
  -h, --help       this help

Environment: NEO4J_VERSION picks the Neo4j version (dev/neo4j_server.ts).`;

/** The options of the command line. */
interface Options {
  nodes: number;
  uploadMib: number;
  rounds: number;
}

/** What an upload child is told (as JSON, after `--child upload`). */
interface UploadJob {
  /** The location to write: `s3://...` or a local directory. */
  target: string;
  /** The folder of the fake backup. */
  source: string;
  /** Its files, relative to `source` (and to the location). */
  files: string[];
  /** AWS_* variables for an `s3://` target. */
  env?: Record<string, string>;
}

/** One measured row of the table. */
interface Row {
  group: "extract" | "import" | "upload";
  /** Where to, or where from. */
  target: string;
  /** The command that produced the figure. */
  command: string;
  /** What a round processes: records (extract, import) or bytes (upload). */
  amount: number;
  seconds: number[];
  rss: number[];
  errors: string[];
}

function parseOptions(args: string[]): Options | undefined {
  const { values } = parseArgs({
    args,
    options: {
      nodes: { type: "string", default: "100000" },
      "upload-mib": { type: "string", default: "1024" },
      rounds: { type: "string", default: "3" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const positive = (name: string, text: string, min = 1): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) {
      throw new Error(
        `--${name} must be an integer of at least ${min}, not ${text}`,
      );
    }
    return n;
  };
  return {
    nodes: positive("nodes", values.nodes),
    uploadMib: positive("upload-mib", values["upload-mib"], UPLOAD_FILES),
    rounds: positive("rounds", values.rounds),
  };
}

/** A progress line on standard error, stamped with the seconds since the start. */
const started = performance.now();
function progress(message: string): void {
  const s = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  console.error(`[${s} s] ${message}`);
}

/** Set by Ctrl-C: the running child is killed and the run stops at the next step. */
let interrupted = false;
function checkInterrupted(): void {
  if (interrupted) throw new Error("Interrupted");
}

async function main(options: Options): Promise<number> {
  const tmp = await Deno.makeTempDir({ prefix: "neo4j-backup-locations-" });
  const onInterrupt = (): void => {
    interrupted = true;
    killRunningChild();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  let neo4jServer: Neo4jServer | undefined;
  let s3: S3Server | undefined;
  let driver: Driver | undefined;
  try {
    progress("Starting moto and Neo4j...");
    s3 = await S3Server.start({ onStatus: progress });
    const motoVersion = await installedMotoVersion();
    await s3.createBucket(BUCKET);
    checkInterrupted();
    neo4jServer = await Neo4jServer.start({ onStatus: progress });
    const { info } = neo4jServer;
    driver = neo4j.driver(
      info.uri,
      neo4j.auth.basic(info.username, info.password),
      {
        logging: { level: "error", logger: () => {} },
      },
    );
    progress(`Neo4j ${info.version} at ${info.uri}, moto ${motoVersion}`);

    progress(
      `Loading the generated graph (${formatCount(options.nodes)} nodes)...`,
    );
    await driver.executeQuery("MATCH (n) DETACH DELETE n");
    await loadGeneratedGraph(driver, { nodes: options.nodes });
    const graph = await countGraph(driver);
    const records = graph.nodes + graph.relationships;
    progress(
      `Loaded ${formatCount(graph.nodes)} nodes, ${
        formatCount(graph.relationships)
      } relationships`,
    );
    checkInterrupted();

    progress(`Writing the fake backup (${options.uploadMib} MiB)...`);
    const source = join(tmp, "fake-backup");
    const files = await writeFakeBackup(source, options.uploadMib * MIB);
    const uploadBytes = options.uploadMib * MIB;

    const state = join(tmp, "state");
    await Deno.mkdir(state);
    const env: Record<string, string> = {
      NEO4J_URI: info.uri,
      NEO4J_USERNAME: info.username,
      NEO4J_PASSWORD: info.password,
      NEO4J_BACKUP_STATE_DIR: state,
      // Only the moto server's settings, never a user's own AWS files.
      ...s3.env(),
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    };

    const row = (
      group: Row["group"],
      target: string,
      command: string,
      amount: number,
    ): Row => ({
      group,
      target,
      command,
      amount,
      seconds: [],
      rss: [],
      errors: [],
    });
    const measureCmd = (kind: string, spec: string, extra = ""): string =>
      `bench/measure.ts ${kind}: \`neo4j-backup ${
        kind === "tool-extract" ? "extract" : "import"
      } ${spec} --yes -q${extra}\``;
    const extractLocal = row(
      "extract",
      "local directory",
      measureCmd("tool-extract", "<tmp>/local-<round>"),
      records,
    );
    const extractS3 = row(
      "extract",
      `s3://${BUCKET}/<round> (moto)`,
      measureCmd("tool-extract", `s3://${BUCKET}/<round>`),
      records,
    );
    const extractTar = row(
      "extract",
      ".tar file",
      measureCmd("tool-extract", "<tmp>/backup-<round>.tar"),
      records,
    );
    const importLocal = row(
      "import",
      "local directory",
      measureCmd("tool-import", "<tmp>/local-<round>", " --clean"),
      records,
    );
    const importS3 = row(
      "import",
      `s3://${BUCKET}/<round> (moto)`,
      measureCmd("tool-import", `s3://${BUCKET}/<round>`, " --clean"),
      records,
    );
    const uploadLocal = row(
      "upload",
      "local directory",
      `bench/locations.ts --child upload: ${UPLOAD_FILES} x \`file.readable.pipeTo(location.writable(f))\` + \`put\` manifest`,
      uploadBytes,
    );
    const uploadS3 = row(
      "upload",
      `s3://${BUCKET}/upload (moto)`,
      `same, into \`openLocation("s3://${BUCKET}/upload")\` (S3Location, part ${PART_SIZE_MIB} MiB, queue ${QUEUE_SIZE})`,
      uploadBytes,
    );
    const uploadNone = row(
      "upload",
      `s3://${BUCKET}/empty (moto), manifest only`,
      "same, no data file: the child's baseline",
      0,
    );
    const rows = [
      extractLocal,
      extractS3,
      extractTar,
      importLocal,
      importS3,
      uploadLocal,
      uploadS3,
      uploadNone,
    ];
    let backupBytes = 0;

    // Not measured: the first extract and import after the load warm Neo4j up (page cache,
    // query plans), which would otherwise count against whichever row comes first.
    progress("Warm-up: an extract and an import, not measured");
    const warmup = join(tmp, "warmup");
    const warmups: [string, MeasureOptions][] = [
      ["tool-extract", { dir: warmup }],
      ["tool-import", { dir: warmup, args: ["--clean"] }],
    ];
    for (const [kind, options] of warmups) {
      checkInterrupted();
      const outcome = await runChild(
        Deno.execPath(),
        measureArgs(kind, options),
        env,
      );
      checkInterrupted();
      if (!outcome.result) {
        throw new Error(`The warm-up ${kind} failed: ${outcome.error}`);
      }
    }
    await Deno.remove(warmup, { recursive: true });

    for (let round = 1; round <= options.rounds; round++) {
      const localDir = join(tmp, `local-${round}`);
      const s3Spec = `s3://${BUCKET}/${round}`;
      const tarFile = join(tmp, `backup-${round}.tar`);
      const extracts: [Row, string][] = [
        [extractLocal, localDir],
        [extractS3, s3Spec],
        [extractTar, tarFile],
      ];
      for (const [r, dir] of rotate(extracts, round - 1)) {
        checkInterrupted();
        progress(`Round ${round}: extract to ${dir}`);
        record(
          r,
          await runChild(
            Deno.execPath(),
            measureArgs("tool-extract", { dir }),
            env,
          ),
        );
      }
      if (round === 1) backupBytes = await folderBytes(localDir);
      const imports: [Row, string][] = [
        [importLocal, localDir],
        [importS3, s3Spec],
      ];
      for (const [r, dir] of rotate(imports, round - 1)) {
        checkInterrupted();
        progress(`Round ${round}: import from ${dir}`);
        const outcome = await runChild(
          Deno.execPath(),
          measureArgs("tool-import", { dir, args: ["--clean"] }),
          env,
        );
        record(r, outcome);
        if (outcome.result) {
          const got = await countGraph(driver);
          if (
            got.nodes !== graph.nodes ||
            got.relationships !== graph.relationships
          ) {
            r.errors.push(
              `round ${round}: imported ${got.nodes} nodes, ${got.relationships} relationships`,
            );
          }
        }
      }
      await Deno.remove(tarFile).catch(() => {});
      const uploadDir = join(tmp, "upload-local");
      const uploads: [Row, UploadJob][] = [
        [uploadLocal, { target: uploadDir, source, files }],
        [uploadS3, {
          target: `s3://${BUCKET}/upload`,
          source,
          files,
          env: s3.env(),
        }],
        [uploadNone, {
          target: `s3://${BUCKET}/empty`,
          source,
          files: [],
          env: s3.env(),
        }],
      ];
      for (const [r, job] of rotate(uploads, round - 1)) {
        checkInterrupted();
        progress(`Round ${round}: upload to ${job.target}`);
        record(
          r,
          await runChild(
            Deno.execPath(),
            ["run", "-A", SELF, "--child", "upload", JSON.stringify(job)],
            {},
          ),
        );
        await Deno.remove(uploadDir, { recursive: true }).catch(() => {});
      }
    }
    checkInterrupted();

    console.log(
      table(rows, {
        options,
        neo4jVersion: info.version,
        motoVersion,
        nodes: graph.nodes,
        relationships: graph.relationships,
        backupBytes,
      }),
    );
    return rows.some((r) => r.errors.length > 0) ? 1 : 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    progress("Stopping the servers, removing the temporary folder...");
    await driver?.close().catch(() => {});
    await neo4jServer?.stop().catch(() => {});
    await s3?.stop().catch(() => {});
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** The arguments that run `bench/measure.ts` for a kind. */
function measureArgs(kind: string, options: MeasureOptions): string[] {
  return ["run", "-A", MEASURE, kind, JSON.stringify(options)];
}

/** `items` rotated left by `by`: a different order every round. */
function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Adds a child's outcome to a row. */
function record(row: Row, outcome: ChildOutcome): void {
  if (outcome.result) {
    row.seconds.push(outcome.result.seconds);
    row.rss.push(outcome.result.maxRssBytes);
  } else {
    const error = (outcome.error ?? "no result").split("\n").at(-1)!;
    row.errors.push(error.slice(0, 200));
    progress(`  failed: ${error}`);
  }
}

async function countGraph(
  driver: Driver,
): Promise<{ nodes: number; relationships: number }> {
  const count = async (query: string): Promise<number> => {
    const { records } = await driver.executeQuery(query);
    return Number(records[0]!.get(0));
  };
  return {
    nodes: await count("MATCH (n) RETURN count(n)"),
    relationships: await count("MATCH ()-[r]->() RETURN count(r)"),
  };
}

/** The moto version installed in the venv of `dev/s3_server.ts` (its pin, if it cannot say). */
async function installedMotoVersion(): Promise<string> {
  try {
    const python = await ensureMoto();
    const { stdout, success } = await new Deno.Command(python, {
      args: ["-c", "import moto; print(moto.__version__)"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const version = new TextDecoder().decode(stdout).trim();
    if (success && version) return version;
  } catch {
    // Fall back to the pin.
  }
  return MOTO_PINS["moto[server]"]!;
}

/**
 * Writes `bytes` of random (incompressible) data as {@linkcode UPLOAD_FILES} files named like a
 * backup's data files; returns their paths, relative to `dir`.
 */
async function writeFakeBackup(dir: string, bytes: number): Promise<string[]> {
  await Deno.mkdir(join(dir, "data"), { recursive: true });
  const files: string[] = [];
  const each = Math.floor(bytes / UPLOAD_FILES);
  const chunk = new Uint8Array(MIB);
  for (let i = 0; i < UPLOAD_FILES; i++) {
    const path = `data/nodes_${String(i + 1).padStart(6, "0")}.json.gz`;
    const size = i === UPLOAD_FILES - 1 ? bytes - each * i : each;
    using file = await Deno.open(join(dir, path), {
      write: true,
      create: true,
      truncate: true,
    });
    for (let done = 0; done < size;) {
      const n = Math.min(chunk.length, size - done);
      // getRandomValues fills at most 64 KiB per call.
      for (let at = 0; at < n; at += 65_536) {
        crypto.getRandomValues(chunk.subarray(at, Math.min(at + 65_536, n)));
      }
      let written = 0;
      while (written < n) {
        written += await file.write(chunk.subarray(written, n));
      }
      done += n;
    }
    files.push(path);
  }
  return files;
}

/** Bytes of the files under a folder. */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) total += await folderBytes(path);
    else if (entry.isFile) total += (await Deno.stat(path)).size;
  }
  return total;
}

/** The child of an upload row: streams the files into the location, then `put`s a manifest. */
async function uploadChild(job: UploadJob): Promise<void> {
  console.log("BENCH-START");
  const begun = performance.now();
  let bytes = 0;
  {
    await using location = await openLocation(job.target, {
      mode: "write",
      s3: { env: job.env ?? {}, home: "/nonexistent" },
    });
    for (const path of job.files) {
      const file = await Deno.open(join(job.source, path));
      bytes += (await file.stat()).size;
      await file.readable.pipeTo(await location.writable(path));
    }
    await location.put(
      "manifest.json",
      new TextEncoder().encode(
        JSON.stringify({ fake: true, files: job.files }),
      ),
    );
    await location.close();
  }
  const seconds = (performance.now() - begun) / 1000;
  console.log(
    `BENCH-RESULT ${
      JSON.stringify({ seconds, records: bytes, maxRssBytes: peakRss() })
    }`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** What the notes under the table say. */
interface RunFacts {
  options: Options;
  neo4jVersion: string;
  motoVersion: string;
  nodes: number;
  relationships: number;
  backupBytes: number;
}

/** The markdown table, and the notes that say what produced its figures. */
function table(rows: Row[], facts: RunFacts): string {
  const records = facts.nodes + facts.relationships;
  const header = [
    "| Measurement | Location | Median time | Throughput | vs local | Peak RSS (max) | Command |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
  ];
  const local = new Map<string, number>();
  for (const r of rows) {
    if (r.target === "local directory" && r.seconds.length > 0) {
      local.set(r.group, median(r.seconds));
    }
  }
  const lines = rows.map((r) => {
    const name = r.group === "extract"
      ? `Extract ${formatCount(records)} records`
      : r.group === "import"
      ? `Import ${formatCount(records)} records`
      : `Upload ${(r.amount / MIB).toFixed(0)} MiB`;
    if (r.seconds.length === 0) {
      return `| ${name} | ${r.target} | failed: ${
        r.errors[0]?.replaceAll("|", "/") ?? "?"
      } | | | | ${r.command} |`;
    }
    const seconds = median(r.seconds);
    const throughput = r.amount === 0
      ? "n/a"
      : r.group === "upload"
      ? `${(r.amount / MIB / seconds).toFixed(0)} MiB/s`
      : `${formatCount(Math.round(r.amount / seconds))} records/s`;
    const base = local.get(r.group);
    const ratio = r.amount === 0 || base === undefined
      ? "n/a"
      : r.target === "local directory"
      ? "1 (base)"
      : `**${formatRatio(base / seconds)}**`;
    const failures = r.errors.length > 0
      ? ` (${r.errors.length} failed: ${r.errors[0]!.replaceAll("|", "/")})`
      : "";
    return `| ${name} | ${r.target} | ${
      formatSeconds(seconds)
    }${failures} | ${throughput} | ${ratio} | ${
      (Math.max(...r.rss) / MIB).toFixed(0)
    } MiB | ${r.command} |`;
  });
  const { options } = facts;
  const notes = [
    "",
    `- Neo4j ${facts.neo4jVersion} Community (dev/neo4j_server.ts, on loopback), moto ${facts.motoVersion} server (dev/s3_server.ts, on loopback), Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs.`,
    `- Graph: dev/generate_graph.ts, seed 42, ${
      formatCount(facts.nodes)
    } nodes + ${
      formatCount(facts.relationships)
    } relationships (\`--nodes ${options.nodes}\`); the local backup is ${
      (facts.backupBytes / MIB).toFixed(1)
    } MiB. Imports into the same database, \`--clean\` emptying it first; the counts checked after each.`,
    `- Upload: a fake backup of ${UPLOAD_FILES} files of random bytes, ${options.uploadMib} MiB in all (\`--upload-mib ${options.uploadMib}\`), each streamed with \`(await Deno.open(f)).readable.pipeTo(await location.writable(f))\` in a child process, then a small manifest \`put\`; S3Location defaults (part size ${PART_SIZE_MIB} MiB, ${QUEUE_SIZE} parts at once).`,
    `- One extract and one import before the rounds, not measured (warm-up). ${options.rounds} round(s), interleaved, order rotated every round (\`--rounds ${options.rounds}\`); time: median of the rounds, of the work alone (not Deno's start); peak RSS: VmHWM of the child, the largest of the rounds; vs local: throughput ratio against the local directory (above 1 is faster).`,
    `- Produced by \`deno run -A bench/locations.ts --nodes ${options.nodes} --upload-mib ${options.uploadMib} --rounds ${options.rounds}\`.`,
  ];
  return [...header, ...lines, ...notes].join("\n");
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") {
    try {
      if (Deno.args[1] !== "upload") {
        throw new Error(`unknown child "${Deno.args[1]}"`);
      }
      await uploadChild(JSON.parse(Deno.args[2] ?? "{}") as UploadJob);
    } catch (error) {
      console.error((error as Error)?.stack ?? error);
      const message = (error as Error)?.message ?? String(error);
      console.log(`BENCH-ERROR ${message.replace(/\s+/g, " ").trim()}`);
      Deno.exit(1);
    }
  } else {
    let status: number;
    try {
      const options = parseOptions(Deno.args);
      status = options ? await main(options) : 0;
    } catch (error) {
      console.error(
        `bench/locations.ts: ${(error as Error)?.message ?? error}`,
      );
      status = 1;
    }
    Deno.exit(status);
  }
}
