// deno-lint-ignore-file no-console
/**
 * `deno task demo [--dir DIR]`: the whole job, end to end, on this machine. It starts two local
 * Neo4j Community servers (a source and a target), loads a movies graph with every property type
 * into the source, backs it up and restores it into the target with the real command line, run
 * in-process exactly as a user would type it, and then shows that the target holds the same
 * graph: counts per label and type, constraints and indexes, and every node and relationship
 * compared value for value. Exits 0 when everything is identical, 1 otherwise.
 *
 * The backups stay in DIR (default: a new temporary folder) for a look afterwards; the servers
 * stop when the demo ends, also on Ctrl-C.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import neo4j, { type Driver } from "neo4j-driver";
import { main } from "../cli.ts";
import { formatBytes, formatDuration } from "../lib/cli/_format.ts";
import { VERSION } from "../mod.ts";
import {
  type JsonObject,
  type JsonValue,
  parseJson,
  type Properties,
  stringifyJson,
  valueToJson,
} from "../lib/codec/mod.ts";
import { type BackupReader, openBackup } from "../lib/format/mod.ts";
import { Neo4jServer, type Neo4jServerInfo } from "./neo4j_server.ts";
import { loadMoviesGraph } from "./movies.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    dir: { type: "string" },
    "neo4j-version": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(
    "Usage: deno task demo [--dir DIR] [--neo4j-version V]\n\n" +
      "Starts two local Neo4j servers, loads a movies graph into one, backs it up with\n" +
      "`neo4j-backup extract`, restores it into the other with `neo4j-backup import`, and\n" +
      "compares the two databases. The backups are written under DIR (default: a new\n" +
      "temporary folder) and kept. Exits 0 when the target is identical to the source.",
  );
  Deno.exit(0);
}

const demoStarted = performance.now();
const servers: Neo4jServer[] = [];
let stopping: Promise<void> | undefined;
/** Stops every server started so far, once. */
function stopServers(): Promise<void> {
  stopping ??= Promise.all(servers.map((s) => s.stop())).then(() => {});
  return stopping;
}
let interrupted = false;
const onInterrupt = (): void => {
  // A second Ctrl-C quits at once (the servers go away with this process anyway).
  if (interrupted) Deno.exit(130);
  interrupted = true;
  console.log(
    "\nInterrupted: stopping the servers (Ctrl-C again to quit at once)...",
  );
  void stopServers().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onInterrupt);

let ok = false;
try {
  ok = await demo(values.dir, values["neo4j-version"]);
} catch (error) {
  // After Ctrl-C the demo fails as the servers go away; that is not worth a message.
  if (!interrupted) {
    console.error(`\nThe demo failed: ${(error as Error)?.stack ?? error}`);
  }
} finally {
  if (servers.length > 0 && !interrupted) {
    const started = performance.now();
    await stopServers();
    console.log(
      `Stopped ${servers.length === 2 ? "both servers" : "the server"} in ${
        seconds(started)
      }.`,
    );
  }
}
if (!interrupted) {
  Deno.removeSignalListener("SIGINT", onInterrupt);
  console.log(
    `${ok ? "PASS" : "FAIL"} in ${seconds(demoStarted)} (exit status ${
      ok ? 0 : 1
    })`,
  );
  Deno.exitCode = ok ? 0 : 1;
}

async function demo(
  dirOption: string | undefined,
  version: string | undefined,
): Promise<boolean> {
  const base = dirOption ??
    await Deno.makeTempDir({ prefix: "neo4j-backup-demo-" });
  const backupDir = join(base, "backup");
  const checkDir = join(base, "target-backup");
  console.log(
    `neo4j-backup ${VERSION} demo: a movies graph backed up from one Neo4j with ` +
      "`neo4j-backup extract`,\nrestored into another with `neo4j-backup import`, " +
      "and the two databases compared.",
  );

  heading("1. Two local Neo4j servers");
  // One after the other: on a small machine two JVMs starting at once take as long in total,
  // and the first start downloads Neo4j into a cache that the second then shares.
  const source = await startServer("source", version);
  const target = await startServer("target", version);

  const sourceDriver = openDriver(source);
  const targetDriver = openDriver(target);
  try {
    heading("2. A movies graph in the source");
    const started = performance.now();
    const loaded = await loadMoviesGraph(sourceDriver);
    console.log(
      `Loaded ${loaded.nodes} nodes and ${loaded.relationships} relationships in ${
        seconds(started)
      }, with`,
    );
    for (
      const line of [
        "- values of every property type: Integer (up to 2^63), Float, String, Boolean,",
        "  ByteArray, Date, Time, LocalTime, DateTime (zone id and offset), LocalDateTime,",
        "  Duration, Point (all 4 coordinate systems), and lists, an empty one too;",
        "- a label and a property key that need escaping: `Award Winner`, `box office ($)`;",
        "- 2 uniqueness constraints and 6 indexes (range, text, fulltext, point).",
      ]
    ) console.log(line);

    heading("3. Back up the source");
    const extractStatus = await cli([
      "extract",
      backupDir,
      ...connection(source),
      "--yes",
    ]);
    if (extractStatus !== 0) return false;

    heading("4. What the backup holds");
    const backup = await openBackup(backupDir);
    await showFiles(backup);
    await showSamples(backup);

    heading("5. Restore into the target");
    const importStatus = await cli([
      "import",
      backupDir,
      ...connection(target),
    ]);
    if (importStatus !== 0) return false;

    heading("6. Source and target compared");
    const countsOk = await compareCounts(sourceDriver, targetDriver);
    const schemaOk = await compareSchema(sourceDriver, targetDriver);
    console.log(
      "\nEvery value: the target is backed up in turn, and the two backups are compared.",
    );
    const checkStatus = await cli([
      "extract",
      checkDir,
      ...connection(target),
      "--yes",
      "--quiet",
    ]);
    if (checkStatus !== 0) return false;
    const valuesOk = await compareBackups(backup, await openBackup(checkDir));

    heading("Result");
    const allOk = countsOk && schemaOk && valuesOk;
    console.log(
      allOk
        ? "The target is identical to the source: counts, schema and every value."
        : "The target DIFFERS from the source (see above).",
    );
    console.log(`The backups are kept in ${base}`);
    console.log(`  ${backupDir}         the source's`);
    console.log(`  ${checkDir}  the target's, for the comparison`);
    console.log(
      `  (try: deno run -A cli.ts verify ${backupDir}; remove with: rm -r ${base})`,
    );
    return allOk;
  } finally {
    await sourceDriver.close();
    await targetDriver.close();
  }
}

/** Starts a server and says where it is. */
async function startServer(
  role: string,
  version: string | undefined,
): Promise<Neo4jServerInfo> {
  const server = await Neo4jServer.start({
    ...(version ? { version } : {}),
    onStatus: (message) => console.log(`  ${message}`),
  });
  servers.push(server);
  const { uri, version: running, startMillis } = server.info;
  console.log(
    `${role.padEnd(7)} Neo4j ${running} Community at ${uri}, started in ${
      (startMillis / 1000).toFixed(1)
    }s`,
  );
  return server.info;
}

function openDriver(info: Neo4jServerInfo): Driver {
  return neo4j.driver(
    info.uri,
    neo4j.auth.basic(info.username, info.password),
    { useBigInt: true, logging: { level: "error", logger: () => {} } },
  );
}

/** The command line's connection options for a server. */
function connection(info: Neo4jServerInfo): string[] {
  return ["-a", info.uri, "-u", info.username, "-p", info.password];
}

/** Runs the command line in-process, after showing it as typed. */
async function cli(args: string[]): Promise<number> {
  console.log(`$ neo4j-backup ${args.join(" ")}`);
  const status = await main(args);
  if (status !== 0) console.log(`(exit status ${status})`);
  return status;
}

/** The backup's files, with sizes and record counts. */
async function showFiles(backup: BackupReader): Promise<void> {
  console.log(`${backup.dir}/`);
  const rows: string[][] = [];
  const manifest = await Deno.stat(join(backup.dir, "manifest.json"));
  rows.push([
    "manifest.json",
    formatBytes(manifest.size),
    "counts, schema, checksums",
  ]);
  for (const file of backup.files) {
    const size = file.bytes ?? (await Deno.stat(join(backup.dir, file.path)))
      .size;
    rows.push([file.path, formatBytes(size), `${file.records ?? "?"} records`]);
  }
  printTable(rows, "  ", ["left", "right", "left"]);
}

/**
 * A Movie and a relationship as they are in the data files: one JSON record per line,
 * gzip-compressed. The Movie is shown with one property per line.
 */
async function showSamples(backup: BackupReader): Promise<void> {
  const nodes = backup.files.find((f) => f.kind === "nodes");
  const relationships = backup.files.find((f) => f.kind === "relationships");
  if (!nodes || !relationships) return;
  const movie = await findLine(backup.dir, nodes.path, '"Titanic"');
  if (movie) {
    console.log(
      `\nA Movie in ${nodes.path} (gunzipped; the file has it on one line):`,
    );
    console.log(indent(pretty(movie), "  "));
  }
  const review = await findLine(backup.dir, relationships.path, '"REVIEWED"');
  if (review) {
    console.log(`A relationship in ${relationships.path}:`);
    console.log(`  ${review}`);
  }
}

/** The first line of a data file that contains `needle`, without its trailing comma. */
async function findLine(
  dir: string,
  path: string,
  needle: string,
): Promise<string | undefined> {
  let stream: ReadableStream<Uint8Array<ArrayBuffer>> =
    (await Deno.open(join(dir, path))).readable;
  if (path.endsWith(".gz")) {
    stream = stream.pipeThrough(new DecompressionStream("gzip"));
  }
  const text = await new Response(stream).text();
  const line = text.split("\n").find((l) => l.includes(needle));
  return line?.trim().replace(/,$/, "");
}

/** A record's JSON with its top-level keys and properties one per line. */
function pretty(line: string): string {
  const record = parseJson(line) as Record<string, JsonValue>;
  const out: string[] = ["{"];
  const keys = Object.keys(record);
  keys.forEach((key, i) => {
    const comma = i < keys.length - 1 ? "," : "";
    const value = record[key]!;
    if (
      value !== null && typeof value === "object" && !Array.isArray(value) &&
      Object.keys(value).length > 0
    ) {
      out.push(`  ${JSON.stringify(key)}: {`);
      const props = Object.entries(value);
      props.forEach(([k, v], j) => {
        out.push(
          `    ${JSON.stringify(k)}: ${stringifyJson(v)}${
            j < props.length - 1 ? "," : ""
          }`,
        );
      });
      out.push(`  }${comma}`);
    } else {
      out.push(`  ${JSON.stringify(key)}: ${stringifyJson(value)}${comma}`);
    }
  });
  out.push("}");
  return out.join("\n");
}

/** Nodes per label and relationships per type on both servers, side by side. */
async function compareCounts(
  source: Driver,
  target: Driver,
): Promise<boolean> {
  const labelQuery =
    "MATCH (n) UNWIND labels(n) AS key RETURN key, count(*) AS count";
  const typeQuery = "MATCH ()-[r]->() RETURN type(r) AS key, count(*) AS count";
  const totalQuery =
    "CALL { MATCH (n) RETURN count(n) AS nodes } CALL { MATCH ()-[r]->() RETURN count(r) AS rels } RETURN nodes, rels";
  const [sLabels, tLabels, sTypes, tTypes, sTotal, tTotal] = await Promise.all([
    tally(source, labelQuery),
    tally(target, labelQuery),
    tally(source, typeQuery),
    tally(target, typeQuery),
    source.executeQuery(totalQuery),
    target.executeQuery(totalQuery),
  ]);
  let same = true;
  const rows: string[][] = [];
  const row = (name: string, x: number, y: number): void => {
    if (x !== y) same = false;
    rows.push([`  ${name}`, String(x), String(y), x === y ? "" : "DIFFERENT"]);
  };
  const section = (
    title: string,
    all: string,
    totals: [number, number],
    a: Map<string, number>,
    b: Map<string, number>,
  ): void => {
    rows.push([title, "source", "target", ""]);
    row(all, ...totals);
    for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      row(key, a.get(key) ?? 0, b.get(key) ?? 0);
    }
  };
  const total = (r: typeof sTotal, key: string): number =>
    Number(r.records[0]!.get(key));
  section(
    "Nodes per label",
    "(all nodes)",
    [
      total(sTotal, "nodes"),
      total(tTotal, "nodes"),
    ],
    sLabels,
    tLabels,
  );
  section(
    "Relationships per type",
    "(all relationships)",
    [
      total(sTotal, "rels"),
      total(tTotal, "rels"),
    ],
    sTypes,
    tTypes,
  );
  printTable(rows, "", ["left", "right", "right", "left"]);
  return same;
}

async function tally(
  driver: Driver,
  query: string,
): Promise<Map<string, number>> {
  const { records } = await driver.executeQuery(query);
  return new Map(
    records.map((r) => [r.get("key") as string, Number(r.get("count"))]),
  );
}

interface SchemaItem {
  kind: "constraint" | "index";
  name: string;
  type: string;
  on: string;
  /** Everything the server says about it, to compare. */
  full: string;
}

/** Constraints and indexes on both servers: names, types, what they cover, all their options. */
async function compareSchema(
  source: Driver,
  target: Driver,
): Promise<boolean> {
  const [s, t] = await Promise.all([schemaOf(source), schemaOf(target)]);
  const byKey = (items: SchemaItem[]): Map<string, SchemaItem> =>
    new Map(items.map((i) => [`${i.kind} ${i.name}`, i]));
  const sm = byKey(s);
  const tm = byKey(t);
  let same = true;
  const rows: string[][] = [[
    "Constraints and indexes",
    "type",
    "on",
    "source",
    "target",
  ]];
  const keys = [...new Set([...sm.keys(), ...tm.keys()])].sort();
  for (const key of keys) {
    const a = sm.get(key);
    const b = tm.get(key);
    const item = (a ?? b)!;
    const equal = a !== undefined && b !== undefined && a.full === b.full;
    if (!equal) same = false;
    rows.push([
      `  ${item.kind} ${item.name}`,
      item.type,
      item.on,
      a ? "yes" : "-",
      b ? (equal || !a ? "yes" : "yes, DIFFERENT") : "-",
    ]);
  }
  console.log();
  printTable(rows, "", ["left", "left", "left", "left", "left"]);
  return same;
}

async function schemaOf(driver: Driver): Promise<SchemaItem[]> {
  const constraints = await driver.executeQuery(
    "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties, options " +
      "RETURN name, type, entityType, labelsOrTypes, properties, options",
  );
  const indexes = await driver.executeQuery(
    "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, options, " +
      "owningConstraint RETURN name, type, entityType, labelsOrTypes, properties, options, " +
      "owningConstraint",
  );
  const describe = (
    kind: SchemaItem["kind"],
    r: { get(key: string): unknown },
  ): SchemaItem => {
    const entity = r.get("entityType") as string;
    const labels = (r.get("labelsOrTypes") as string[] | null) ?? [];
    const props = (r.get("properties") as string[] | null) ?? [];
    const options = r.get("options") as {
      indexConfig?: Record<string, unknown>;
    } | null;
    const analyzer = options?.indexConfig?.["fulltext.analyzer"];
    const what = labels.length === 0
      ? (entity === "NODE" ? "all nodes" : "all relationships")
      : entity === "NODE"
      ? `(:${labels.join("|")})`
      : `()-[:${labels.join("|")}]-()`;
    const owner = kind === "index" ? r.get("owningConstraint") : null;
    return {
      kind,
      name: r.get("name") as string,
      type: `${r.get("type")}${owner ? ` (of the constraint)` : ""}${
        analyzer ? `, ${analyzer} analyzer` : ""
      }`,
      on: props.length > 0 ? `${what} ${props.join(", ")}` : what,
      full: JSON.stringify(
        [
          kind,
          r.get("name"),
          r.get("type"),
          entity,
          labels,
          props,
          options,
          owner,
        ],
        (_k, v) => (typeof v === "bigint" ? `${v}n` : v),
      ),
    };
  };
  return [
    ...constraints.records.map((r) => describe("constraint", r)),
    ...indexes.records.map((r) => describe("index", r)),
  ];
}

/**
 * Every node and relationship of two backups, compared without their ids: a node as its sorted
 * labels and its properties, a relationship as its type, its two end nodes and its properties,
 * each in the backup's exact JSON form (so `1` and `1.0`, or a DateTime's zone, count).
 */
async function compareBackups(
  a: BackupReader,
  b: BackupReader,
): Promise<boolean> {
  const [x, y] = await Promise.all([canonical(a), canonical(b)]);
  const nodeDiff = multisetDiff(x.nodes, y.nodes);
  const relDiff = multisetDiff(x.relationships, y.relationships);
  if (nodeDiff.length === 0 && relDiff.length === 0) {
    console.log(
      `Values: ${x.nodes.length} nodes and ${x.relationships.length} relationships ` +
        "identical, type for type (compared record by record)",
    );
    return true;
  }
  const count = (d: Difference[], side: Difference["side"]): number =>
    d.filter((e) => e.side === side).length;
  console.log(
    `Values: DIFFERENT: ${count(nodeDiff, "source")} nodes and ${
      count(relDiff, "source")
    } relationships of the source are not in the target, which has ${
      count(nodeDiff, "target")
    } nodes and ${count(relDiff, "target")} relationships the source has not`,
  );
  showNodeDifferences(nodeDiff);
  for (const d of relDiff.slice(0, 6)) {
    console.log(`  only in the ${d.side}: ${clip(d.entry.show, 110)}`);
  }
  if (relDiff.length > 6) {
    console.log(`  ... and ${relDiff.length - 6} more relationships`);
  }
  return false;
}

/** A node or relationship in canonical form, and how to show it. */
interface Entry {
  /** Everything about it but its ids: what is compared. */
  canonical: string;
  /** Short: `(:Movie {title: "Jaws"})`, or a relationship between two such nodes. */
  show: string;
  /** A node's property values, in canonical JSON, by key. */
  properties?: Map<string, string>;
  labels?: string[];
}

async function canonical(
  backup: BackupReader,
): Promise<{ nodes: Entry[]; relationships: Entry[] }> {
  const nodes = new Map<bigint, Entry & { json: JsonValue }>();
  const relationships: Entry[] = [];
  const missing = (id: bigint): Entry & { json: JsonValue } => ({
    canonical: `missing node ${id}`,
    show: `(missing node ${id})`,
    json: `missing node ${id}`,
  });
  for (const file of backup.files) {
    for await (const batch of backup.records(file)) {
      for (const record of batch) {
        if (record.kind === "node") {
          const labels = [...record.labels].sort();
          const properties = sortedProperties(record.properties);
          const json = { labels, properties };
          const name = record.properties.title ?? record.properties.name;
          nodes.set(record.id, {
            canonical: stringifyJson(json),
            show: `(:${labels.join(":")}${
              name === undefined ? "" : ` ${stringifyJson(valueToJson(name))}`
            })`,
            properties: new Map(
              Object.entries(properties).map(([k, v]) => [k, stringifyJson(v)]),
            ),
            labels,
            json,
          });
        } else {
          const start = nodes.get(record.startId) ?? missing(record.startId);
          const end = nodes.get(record.endId) ?? missing(record.endId);
          const properties = sortedProperties(record.properties);
          relationships.push({
            canonical: stringifyJson({
              type: record.type,
              start: start.json,
              end: end.json,
              properties,
            }),
            show: `${start.show}-[:${record.type} ${
              stringifyJson(properties)
            }]->${end.show}`,
          });
        }
      }
    }
  }
  return { nodes: [...nodes.values()], relationships };
}

function sortedProperties(properties: Properties): JsonObject {
  return Object.fromEntries(
    Object.keys(properties).sort().map((
      key,
    ) => [key, valueToJson(properties[key]!)]),
  );
}

interface Difference {
  side: "source" | "target";
  entry: Entry;
}

/** The entries of one multiset that the other lacks (as many times as it lacks them). */
function multisetDiff(a: Entry[], b: Entry[]): Difference[] {
  const counts = new Map<string, number>();
  for (const e of a) {
    counts.set(e.canonical, (counts.get(e.canonical) ?? 0) + 1);
  }
  for (const e of b) {
    counts.set(e.canonical, (counts.get(e.canonical) ?? 0) - 1);
  }
  const out: Difference[] = [];
  const take = (entries: Entry[], side: Difference["side"], sign: number) => {
    for (const entry of entries) {
      const n = counts.get(entry.canonical)! * sign;
      if (n > 0) {
        out.push({ side, entry });
        counts.set(entry.canonical, counts.get(entry.canonical)! - sign);
      }
    }
  };
  take(a, "source", 1);
  take(b, "target", -1);
  return out;
}

/** Differing nodes, paired by title or name where possible: which labels and values differ. */
function showNodeDifferences(diff: Difference[]): void {
  const key = (e: Entry): string => e.show.replace(/^\(:[^ )]*/, "");
  const targets = diff.filter((d) => d.side === "target");
  let shown = 0;
  for (const d of diff.filter((d) => d.side === "source")) {
    if (shown++ >= 6) break;
    const i = targets.findIndex((t) => key(t.entry) === key(d.entry));
    if (i < 0) {
      console.log(`  only in the source: ${clip(d.entry.show, 110)}`);
      continue;
    }
    const [t] = targets.splice(i, 1);
    const parts: string[] = [];
    const [sl, tl] = [d.entry.labels!, t!.entry.labels!];
    if (sl.join(":") !== tl.join(":")) {
      parts.push(`labels ${sl.join(":")} / ${tl.join(":")}`);
    }
    const sp = d.entry.properties!;
    const tp = t!.entry.properties!;
    for (const k of [...new Set([...sp.keys(), ...tp.keys()])].sort()) {
      if (sp.get(k) !== tp.get(k)) {
        parts.push(`${k} ${sp.get(k) ?? "(none)"} / ${tp.get(k) ?? "(none)"}`);
      }
    }
    console.log(
      `  ${d.entry.show}, source / target: ${clip(parts.join("; "), 200)}`,
    );
  }
  for (const t of targets.slice(0, Math.max(0, 6 - shown))) {
    console.log(`  only in the target: ${clip(t.entry.show, 110)}`);
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

function heading(title: string): void {
  console.log(`\n== ${title} ${"=".repeat(Math.max(3, 76 - title.length))}`);
}

function printTable(
  rows: string[][],
  prefix: string,
  align: ("left" | "right")[],
): void {
  const widths = align.map((_, i) =>
    Math.max(...rows.map((r) => (r[i] ?? "").length))
  );
  for (const row of rows) {
    console.log(
      prefix +
        row.map((cell, i) =>
          align[i] === "right"
            ? cell.padStart(widths[i]!)
            : cell.padEnd(widths[i]!)
        ).join("  ").trimEnd(),
    );
  }
}

function indent(text: string, by: string): string {
  return text.split("\n").map((l) => by + l).join("\n");
}

/** The time since `since` (a `performance.now()`), as the command line writes durations. */
function seconds(since: number): string {
  return formatDuration(performance.now() - since);
}
