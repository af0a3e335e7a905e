// deno-lint-ignore-file no-console
/**
 * `deno run -A bench/import_settings.ts [--nodes N] [--rounds N]`: the measurements behind the
 * import's defaults.
 *
 * On one local Neo4j server, the generated graph (with the kill loop's uniqueness constraint and
 * text index) is backed up once, then imported into the emptied database again and again,
 * interleaved round by round:
 *
 * - with batch sizes from 2,000 to 50,000 records per transaction (schema after the data);
 * - with the schema created before the data instead of after it (at the default batch size).
 *
 * Prints the median wall time of each import (verification included, the same for all), of its
 * write phases (nodes, relationships, schema) and the nodes and relationships per second.
 * `--batch-sizes 10000 --no-schema-first --rounds 1` measures the default only.
 *
 * `--writers 2x10000,3x5000` measures writers (`jobs`) and batch sizes together instead of the
 * batch sizes alone, each `<jobs>x<batch size>` with the schema after the data (see "The
 * import's writers and batch sizes" in BENCHMARKS.md: `--nodes 200000 --writers
 * 2x10000,3x5000,2x5000,3x10000,4x5000 --rounds 6 --no-schema-first`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import neo4j, { type Driver } from "../lib/_driver.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { Importer, type ImportProgress } from "../lib/import/importer.ts";
import { cleanDatabase } from "../lib/import/_clean.ts";
import { Target } from "../lib/import/_target.ts";
import { openBackup } from "../lib/format/backup_reader.ts";
import {
  type SchemaStatement,
  schemaStatements,
} from "../lib/import/_schema_statements.ts";
import { readServerInfo } from "../lib/_server_info.ts";
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { loadFaultGraph } from "../dev/fault_loop.ts";
import { median } from "./_results.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    nodes: { type: "string", default: "100000" },
    rounds: { type: "string", default: "3" },
    "batch-sizes": { type: "string", default: "2000,5000,10000,20000,50000" },
    writers: { type: "string" },
    "no-schema-first": { type: "boolean" },
  },
});
const nodes = Number(values.nodes);
const rounds = Number(values.rounds);
const BATCH_SIZES = values["batch-sizes"].split(",").map(Number);
/** `--writers`: [jobs, batch size] pairs, measured instead of the batch sizes alone. */
const WRITERS = values.writers?.split(",").map((pair) => {
  const match = /^(\d+)x(\d+)$/.exec(pair.trim());
  if (!match) {
    console.error(
      `error: --writers takes <jobs>x<batch size> pairs, e.g. 3x5000, not "${pair}"`,
    );
    Deno.exit(2);
  }
  return [Number(match[1]), Number(match[2])] as const;
});
const schemaFirstToo = !values["no-schema-first"];

await using server = await Neo4jServer.start({ heap: "4g", pageCache: "4g" });
const { uri, username, password } = server.info;
const driver = neo4j.driver(uri, neo4j.auth.basic(username, password), {
  useBigInt: true,
  logging: { level: "error", logger: () => {} },
});
const dir = await Deno.makeTempDir({ prefix: "import-settings-" });
try {
  await loadFaultGraph(driver, nodes);
  const extracted = await new Extractor({
    projectDir: dir,
    driver,
    inputYes: true,
  })
    .extractData();
  console.log(
    `Neo4j ${server.info.version}: ${extracted.nodes} nodes, ${extracted.relationships} relationships`,
  );
  const backup = await openBackup(dir);
  const info = await readServerInfo(driver, undefined);
  const { statements } = schemaStatements(backup.schema, info);

  const setup: Setup = { driver, dir, statements, extracted };
  const variants: Variant[] = WRITERS
    ? WRITERS.map(([jobs, batchSize]) => ({
      name: `${jobs} writers, batch ${batchSize}`,
      batchSize,
      schemaFirst: false,
      jobs,
    }))
    : BATCH_SIZES.map((batchSize) => ({
      name: `batch ${batchSize}, schema after`,
      batchSize,
      schemaFirst: false,
    }));
  if (schemaFirstToo) {
    variants.push({
      name: "batch 10000, schema before",
      batchSize: 10_000,
      schemaFirst: true,
    });
  }
  const times = new Map<string, Times[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      const t = await run(setup, variant);
      times.set(variant.name, [...(times.get(variant.name) ?? []), t]);
      console.log(`round ${round}: ${variant.name}: ${describe(t)}`);
    }
  }
  console.log("\nMedians:");
  for (const [name, ts] of times) {
    const m = (pick: (t: Times) => number): number => median(ts.map(pick));
    console.log(`  ${name}: ${
      describe({
        total: m((t) => t.total),
        writes: m((t) => t.writes),
        nodesPerSecond: m((t) => t.nodesPerSecond),
        relationshipsPerSecond: m((t) => t.relationshipsPerSecond),
      })
    }`);
  }
} finally {
  await driver.close();
  await Deno.remove(dir, { recursive: true });
}

interface Times {
  total: number;
  writes: number;
  nodesPerSecond: number;
  relationshipsPerSecond: number;
}

/** One way of importing: its name, batch size, schema timing and writers (default: the importer's). */
interface Variant {
  name: string;
  batchSize: number;
  schemaFirst: boolean;
  jobs?: number;
}

/** What every run shares. */
interface Setup {
  driver: Driver;
  dir: string;
  statements: SchemaStatement[];
  extracted: { nodes: number; relationships: number };
}

/** One import into the emptied database; wall time and write phases, in seconds. */
async function run(
  { driver, dir, statements, extracted }: Setup,
  { batchSize, schemaFirst, jobs }: Variant,
): Promise<Times> {
  await cleanDatabase(new Target(driver, undefined, undefined), 10_000);
  const started = performance.now();
  if (schemaFirst) {
    for (const s of statements) await driver.executeQuery(s.cypher, s.params);
    await driver.executeQuery("CALL db.awaitIndexes(86400)");
  }
  const schemaSeconds = (performance.now() - started) / 1000;
  let writesFrom = started;
  let nodesUntil = started;
  let relationshipsUntil = started;
  await new Importer({
    projectDir: dir,
    driver,
    inputYes: true,
    batchSize,
    ...(jobs === undefined ? {} : { jobs }),
    schema: !schemaFirst,
    onProgress: (p: ImportProgress) => {
      // The writes begin when the last check of the backup ends.
      if (p.phase === "verify" || p.phase === "checksums") {
        writesFrom = performance.now();
      }
      if (p.phase === "nodes") nodesUntil = performance.now();
      if (p.phase === "relationships") relationshipsUntil = performance.now();
    },
  }).importData();
  const ended = performance.now();
  return {
    total: (ended - started) / 1000,
    writes: schemaSeconds + (ended - writesFrom) / 1000,
    nodesPerSecond: extracted.nodes / ((nodesUntil - writesFrom) / 1000),
    relationshipsPerSecond: extracted.relationships /
      ((relationshipsUntil - nodesUntil) / 1000),
  };
}

function describe(t: Times): string {
  return `${t.total.toFixed(2)} s (writes and schema ${
    t.writes.toFixed(2)
  } s; ${Math.round(t.nodesPerSecond)} nodes/s, ${
    Math.round(t.relationshipsPerSecond)
  } relationships/s)`;
}
