// deno-lint-ignore-file no-console
/**
 * Bad input: corrupt, truncated, incomplete and lying backups; names and values that look like
 * Cypher; connections that cannot work (wrong credentials, no server, no TLS, no database, no
 * privilege, a read-only database); and a fuzz of the data files. Every refusal must come before
 * anything is written, as one clear line that names the file and the reason, and no password may
 * ever be shown.
 *
 * @module
 */
import {
  deepEqual,
  equal,
  fail,
  match,
  notEqual,
  ok,
} from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import neo4j, { type Driver } from "neo4j-driver";
import { main } from "../cli.ts";
import { stayAwake } from "../dev/fault_loop.ts";
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { BackupError } from "../lib/errors.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { Importer } from "../lib/import/importer.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";
import {
  assertOneClearLine,
  connectionEnv,
  type Contents,
  contents,
  fakeTerminal,
  journalNames,
  listBackup,
} from "./_cli.ts";
import { escapeName } from "./_dataset.ts";
import {
  diffSnapshots,
  snapshotGraph,
  snapshotSchema,
  tokenSnapshot,
} from "./_graph.ts";
import { openDriver, type TestTarget, testTarget, wipe } from "./_neo4j.ts";

const FIXTURE = fileURLToPath(
  new URL("./testdata/small_backup/", import.meta.url),
);
const TARGET = await testTarget();
const { database } = TARGET;

// ---------------------------------------------------------------------------------------------
// Helpers

async function copyFixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "bad-input-" });
  await Deno.mkdir(join(dir, "data"));
  for (const name of listBackup(FIXTURE)) {
    await Deno.copyFile(join(FIXTURE, name), join(dir, name));
  }
  return dir;
}

/** The manifest as plain JSON (its integers are small enough for numbers). */
// deno-lint-ignore no-explicit-any
type ManifestJson = any;

async function readManifestJson(dir: string): Promise<ManifestJson> {
  return JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
}

async function writeManifestJson(
  dir: string,
  manifest: ManifestJson,
): Promise<void> {
  await Deno.writeTextFile(
    join(dir, "manifest.json"),
    JSON.stringify(manifest, null, 2) + "\n",
  );
}

async function editManifest(
  dir: string,
  edit: (manifest: ManifestJson) => void,
): Promise<void> {
  const manifest = await readManifestJson(dir);
  edit(manifest);
  await writeManifestJson(dir, manifest);
}

/** Makes the manifest's size and SHA-256 of `path` match the file as it is now. */
async function matchManifest(dir: string, path: string): Promise<void> {
  const bytes = await Deno.readFile(join(dir, path));
  await editManifest(dir, (manifest) => {
    const entry = manifest.files.find((f: { path: string }) => f.path === path);
    entry.bytes = bytes.length;
    entry.sha256 = createHash("sha256").update(bytes).digest("hex");
  });
}

async function transform(
  bytes: Uint8Array,
  stream: TransformStream<Uint8Array, Uint8Array>,
): Promise<Uint8Array> {
  return new Uint8Array(
    await new Response(ReadableStream.from([bytes]).pipeThrough(stream))
      .arrayBuffer(),
  );
}

const gzip = (bytes: Uint8Array): Promise<Uint8Array> =>
  transform(
    bytes,
    new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
  );
const gunzip = (bytes: Uint8Array): Promise<Uint8Array> =>
  transform(
    bytes,
    new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
  );

/** The path of the backup's first data file of a kind, e.g. `data/nodes_24.json.gz`. */
async function dataFile(
  dir: string,
  kind: "nodes" | "relationships",
): Promise<string> {
  const manifest = await readManifestJson(dir);
  return manifest.files.find((f: { kind: string }) => f.kind === kind).path;
}

/** Rewrites a data file's JSON text (gzip on the way in and out). */
async function editRecords(
  dir: string,
  path: string,
  edit: (text: string) => string,
): Promise<void> {
  const text = new TextDecoder().decode(
    await gunzip(await Deno.readFile(join(dir, path))),
  );
  const edited = edit(text);
  notEqual(edited, text, "the edit changed the file");
  await Deno.writeFile(
    join(dir, path),
    await gzip(new TextEncoder().encode(edited)),
  );
}

/** Replaces the `n`th record (1-based) of a data file's text. */
function replaceRecord(
  text: string,
  n: number,
  edit: (record: string) => string,
): string {
  const lines = text.split("\n");
  // Line 0 is "[", then one record per line, each but the last ending with ",".
  const line = lines[n]!;
  const comma = line.endsWith(",") ? "," : "";
  lines[n] = edit(comma ? line.slice(0, -1) : line) + comma;
  return lines.join("\n");
}

/** Writes a gzip data file holding one node record longer than the reader takes. */
async function writeHugeRecord(path: string): Promise<void> {
  const length = 540_000_000;
  const piece = new TextEncoder().encode("a".repeat(1 << 20));
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield new TextEncoder().encode(
      '[\n{"node_id":0,"node_labels":["Person"],"node_props":{"s":"',
    );
    for (let n = 0; n < length; n += piece.length) yield piece;
    yield new TextEncoder().encode('"}}\n]\n');
  }
  const file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  await ReadableStream.from(chunks())
    .pipeThrough(
      new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
    )
    .pipeTo(file.writable);
}

/** Data and schema in the target, so that a refused `--clean` has something to keep. */
async function loadMarker(driver: Driver): Promise<Contents> {
  await wipe(driver, database);
  await driver.executeQuery(
    "CREATE (:Marker {k: 1})-[:MARKS]->(:Marker {k: 2})",
    {},
    { database },
  );
  await driver.executeQuery(
    "CREATE CONSTRAINT marker_k FOR (m:Marker) REQUIRE m.k IS UNIQUE",
    {},
    { database },
  );
  await driver.executeQuery(
    "CREATE TEXT INDEX marker_text FOR (m:Marker) ON (m.t)",
    {},
    { database },
  );
  await driver.executeQuery("CALL db.awaitIndexes(60)", {}, { database });
  return await contents(driver, database);
}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not end within ${ms} ms (a hang)`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// Corrupt backups

interface Corruption {
  name: string;
  corrupt: (dir: string) => Promise<void>;
  /** What the error line must say: the file and the reason. */
  expected: (dir: string) => Promise<RegExp[]>;
}

const nodesFile = (dir: string): Promise<string> => dataFile(dir, "nodes");
const relsFile = (dir: string): Promise<string> =>
  dataFile(dir, "relationships");
const quoted = (path: string): RegExp =>
  new RegExp(path.replaceAll(".", "\\."));

/** What an edited file whose manifest entry was left alone is refused for. */
const SIZE_OR_CHECKSUM =
  /the manifest says \d+ \(truncated or altered\)|does not match its checksum/;

/**
 * A corruption that edits record `n` (1-based) of the first data file of a kind; with `rehash`,
 * the manifest's size and checksum are made to match the edited file.
 */
function editRecord(
  kind: "nodes" | "relationships",
  n: number,
  edit: (record: string) => string,
  { rehash = false }: { rehash?: boolean } = {},
): (dir: string) => Promise<void> {
  return async (dir) => {
    const file = await dataFile(dir, kind);
    await editRecords(dir, file, (text) => replaceRecord(text, n, edit));
    if (rehash) await matchManifest(dir, file);
  };
}

/** The error's naming of record `n` of the first data file of a kind. */
async function invalidRecord(
  dir: string,
  kind: "nodes" | "relationships",
  n: number,
): Promise<RegExp> {
  return new RegExp(
    `invalid record ${n} in ${quoted(await dataFile(dir, kind)).source}`,
  );
}

/**
 * A record edit twice: the manifest left alone (refused for its size or checksum), and the
 * manifest made to match (refused for the record, naming it, and for `reasons`).
 */
function recordCorruptions(
  name: string,
  kind: "nodes" | "relationships",
  n: number,
  edit: (record: string) => string,
  reasons: RegExp[],
): Corruption[] {
  return [
    {
      name,
      corrupt: editRecord(kind, n, edit),
      expected: async (dir) => [
        quoted(await dataFile(dir, kind)),
        SIZE_OR_CHECKSUM,
      ],
    },
    {
      name: `${name}, the manifest updated to match`,
      corrupt: editRecord(kind, n, edit, { rehash: true }),
      expected: async (dir) => [
        await invalidRecord(dir, kind, n),
        ...reasons,
      ],
    },
  ];
}

const CORRUPTIONS: Corruption[] = [
  {
    name: "a truncated gzip file",
    corrupt: async (dir) => {
      const path = join(dir, await nodesFile(dir));
      const bytes = await Deno.readFile(path);
      await Deno.writeFile(path, bytes.subarray(0, bytes.length >> 1));
    },
    expected: async (dir) => [
      quoted(await nodesFile(dir)),
      /is \d+ bytes; the manifest says \d+ \(truncated or altered\)/,
    ],
  },
  {
    name: "a truncated gzip file, the manifest updated to match",
    corrupt: async (dir) => {
      const file = await nodesFile(dir);
      const bytes = await Deno.readFile(join(dir, file));
      await Deno.writeFile(
        join(dir, file),
        bytes.subarray(0, bytes.length - 9),
      );
      await matchManifest(dir, file);
    },
    expected: async (dir) => [quoted(await nodesFile(dir)), /is corrupt: /],
  },
  {
    name: "a flipped byte",
    corrupt: async (dir) => {
      const path = join(dir, await relsFile(dir));
      const bytes = await Deno.readFile(path);
      bytes[bytes.length >> 1]! ^= 0x10;
      await Deno.writeFile(path, bytes);
    },
    expected: async (dir) => [
      quoted(await relsFile(dir)),
      /does not match its checksum/,
    ],
  },
  {
    name: "a flipped byte, the manifest updated to match",
    corrupt: async (dir) => {
      const file = await nodesFile(dir);
      const bytes = await Deno.readFile(join(dir, file));
      bytes[bytes.length >> 1]! ^= 0x10;
      await Deno.writeFile(join(dir, file), bytes);
      await matchManifest(dir, file);
    },
    // The damage decompresses to garbage or to a record that does not decode.
    expected: async (dir) => [
      quoted(await nodesFile(dir)),
      /is corrupt: |invalid record \d+ in /,
    ],
  },
  {
    name: "a missing data file",
    corrupt: async (dir) => await Deno.remove(join(dir, await relsFile(dir))),
    expected: async (dir) => [quoted(await relsFile(dir)), /is missing/],
  },
  {
    name: "an extra data file",
    corrupt: async (dir) =>
      await Deno.copyFile(
        join(dir, await nodesFile(dir)),
        join(dir, "data/nodes_99.json.gz"),
      ),
    expected: () =>
      Promise.resolve([
        /data\/nodes_99\.json\.gz is not part of the backup/,
      ]),
  },
  {
    name: "a manifest that lies about the node count",
    corrupt: (dir) => editManifest(dir, (m) => m.counts.nodes++),
    expected: () =>
      Promise.resolve([/the backup holds 24 nodes; the manifest says 25/]),
  },
  {
    name: "a manifest that lies about the relationship count",
    corrupt: (dir) => editManifest(dir, (m) => m.counts.relationships--),
    expected: () => Promise.resolve([/relationships; the manifest says \d+/]),
  },
  {
    name: "a manifest that lies about a file's records",
    corrupt: (dir) => editManifest(dir, (m) => m.files[0].records++),
    expected: async (dir) => [
      quoted(await nodesFile(dir)),
      /holds 24 records; the manifest says 25/,
    ],
  },
  {
    name: "a manifest that lies about a label set",
    corrupt: (dir) =>
      editManifest(dir, (m) => {
        m.counts.labelSets[0].count++;
        m.counts.labelSets[1].count--;
      }),
    expected: () =>
      Promise.resolve([/nodes labelled \[.*\]; the manifest says \d+/]),
  },
  {
    name: "a manifest that lies about a relationship type",
    corrupt: (dir) =>
      editManifest(dir, (m) => {
        m.counts.relationshipTypes[0].type = "OTHER";
      }),
    expected: () =>
      Promise.resolve([/relationships of type ".*"; the manifest says \d+/]),
  },
  {
    name: "a manifest that lies about a checksum",
    corrupt: (dir) =>
      editManifest(dir, (m) => {
        m.files[1].sha256 = "0".repeat(64);
      }),
    expected: async (dir) => [
      quoted(await relsFile(dir)),
      /does not match its checksum/,
    ],
  },
  {
    name: "a manifest that lies about a size",
    corrupt: (dir) => editManifest(dir, (m) => m.files[0].bytes++),
    expected: async (dir) => [
      quoted(await nodesFile(dir)),
      /the manifest says \d+ \(truncated or altered\)/,
    ],
  },
  {
    name: "a manifest that lists a file outside data/",
    corrupt: (dir) =>
      editManifest(dir, (m) => {
        m.files[0].path = "../nodes_24.json.gz";
      }),
    expected: () =>
      Promise.resolve([/manifest\.json/, /invalid path "\.\.\/nodes_24/]),
  },
  {
    name: "an unknown format version",
    corrupt: (dir) => editManifest(dir, (m) => m.formatVersion = 3),
    expected: () =>
      Promise.resolve([
        /manifest\.json/,
        /format version 3 is not supported/,
      ]),
  },
  {
    name: "a manifest that is not JSON",
    corrupt: (dir) =>
      Deno.writeTextFile(join(dir, "manifest.json"), '{"format": "neo4j-ba'),
    expected: () => Promise.resolve([/Invalid manifest\.json/]),
  },
  {
    name: "a missing manifest (an extract that did not finish)",
    corrupt: async (dir) => {
      await Deno.remove(join(dir, "manifest.json"));
      await Deno.writeTextFile(join(dir, "INCOMPLETE"), "incomplete\n");
    },
    expected: () => Promise.resolve([/is an incomplete backup/]),
  },
  ...recordCorruptions(
    "invalid JSON in a record",
    "nodes",
    5,
    (r) => r.replace('":', '";'),
    [],
  ),
  ...recordCorruptions(
    "a record with an unknown tag",
    "relationships",
    3,
    (r) =>
      r.replace(
        /"rel_props":\{/,
        '"rel_props":{"x":{"$type":"Money","value":"12 EUR"},',
      ),
    [/Money/],
  ),
  {
    name:
      "a record Neo4j cannot store (a list of mixed types), the manifest updated to match",
    corrupt: editRecord(
      "nodes",
      7,
      (r) => r.replace(/"node_props":\{/, '"node_props":{"mixed":[1,"one"],'),
      { rehash: true },
    ),
    expected: async (dir) => [
      await invalidRecord(dir, "nodes", 7),
      /mixes Integer and String/,
    ],
  },
  {
    name:
      "a record Neo4j cannot store (an empty label), the manifest updated to match",
    corrupt: editRecord(
      "nodes",
      2,
      (r) => r.replace(/"node_labels":\[/, '"node_labels":["",'),
      { rehash: true },
    ),
    expected: async (dir) => [
      await invalidRecord(dir, "nodes", 2),
      /a label is empty/,
    ],
  },
];

Deno.test("a corrupt, lying or incomplete backup is refused, naming the file and the reason, before anything is written", async (t) => {
  await using driver = await openDriver();
  const before = await loadMarker(driver);
  const env = connectionEnv(TARGET);
  for (const corruption of CORRUPTIONS) {
    await t.step(corruption.name, async () => {
      const dir = await copyFixture();
      try {
        await corruption.corrupt(dir);
        const journals = journalNames();
        const expected = await corruption.expected(dir);
        let terminal = fakeTerminal(env);
        let line = assertOneClearLine(
          await main(["verify", dir, "-q"], terminal),
          terminal,
        );
        for (const pattern of expected) match(line, pattern);
        terminal = fakeTerminal(env);
        line = assertOneClearLine(
          await main(["import", dir, "--clean", "--yes", "-q"], terminal),
          terminal,
        );
        match(line, /^error: Cannot import backup: /);
        for (const pattern of expected) match(line, pattern);
        deepEqual(await contents(driver, database), before, "nothing written");
        deepEqual(journalNames(), journals, "no journal");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});

Deno.test("a record longer than the reader takes is refused before anything is written, with and without a matching manifest", async (t) => {
  await using driver = await openDriver();
  const before = await loadMarker(driver);
  const env = connectionEnv(TARGET);
  const dir = await copyFixture();
  try {
    const file = await nodesFile(dir);
    await writeHugeRecord(join(dir, file));
    for (const matching of [false, true]) {
      await t.step(
        matching ? "the manifest updated to match" : "the manifest as it was",
        async () => {
          if (matching) await matchManifest(dir, file);
          const expected = matching
            ? /is corrupt: Element 1 is longer than \d+ characters/
            : /the manifest says \d+ \(truncated or altered\)/;
          let terminal = fakeTerminal(env);
          let line = assertOneClearLine(
            await main(["verify", dir, "-q"], terminal),
            terminal,
          );
          match(line, quoted(file));
          match(line, expected);
          terminal = fakeTerminal(env);
          line = assertOneClearLine(
            await main(["import", dir, "--clean", "--yes", "-q"], terminal),
            terminal,
          );
          match(line, quoted(file));
          match(line, expected);
          deepEqual(await contents(driver, database), before);
        },
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the intact fixture verifies and imports, so that each refusal above is the corruption's doing", async () => {
  await using driver = await openDriver();
  await wipe(driver, database);
  const terminal = fakeTerminal(connectionEnv(TARGET));
  equal(await main(["verify", FIXTURE, "-q"], terminal), 0, terminal.stderr);
  const dir = await copyFixture();
  try {
    equal(
      await main(["import", dir, "-q"], terminal),
      0,
      terminal.stderr,
    );
    const found = await contents(driver, database);
    equal(found.nodes, 24);
    equal(found.constraints, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Names and values that look like Cypher

/** Names that break naive quoting, and Cypher in disguise. */
const INJECTIONS: readonly string[] = [
  "a`b",
  "``",
  "`) DETACH DELETE n //",
  "}) DETACH DELETE n //",
  "\\u0060) DETACH DELETE n //",
  "\\u0041",
  "\\\\u0060",
  "a\\b",
  "end\\",
  "a'b\"c",
  "a:b",
  "a b",
  "a\nb",
  "x\r\ny\tz",
  "MATCH (n) DETACH DELETE n",
  "RETURN",
  "null",
  "$rows",
  "/* c */",
  "// c",
  "a;b",
  "\u00e9t\u00e9 \u65e5\u672c",
  "\u{1F600}",
];

/** String values that are Cypher, or would close a quote. */
const CYPHER_VALUES: readonly string[] = [
  '"}) DETACH DELETE n //',
  "'}) DETACH DELETE n //",
  "`}) DETACH DELETE n //",
  "\\u0027}) DETACH DELETE n //",
  "MATCH (n) DETACH DELETE n",
  "; DROP CONSTRAINT x; //",
  "$rows",
  "{{}}",
  "\\",
];

Deno.test("labels, types, keys, constraint and index names and values that look like Cypher round-trip exactly and none is run", async () => {
  await using driver = await openDriver();
  await wipe(driver, database);
  const run = async (
    query: string,
    params: Record<string, unknown> = {},
  ): Promise<void> => {
    await driver.executeQuery(query, params, { database });
  };
  // A sentinel that any injected DETACH DELETE or DROP would take with it.
  await run("CREATE (:Sentinel {keep: true})");
  for (const [i, name] of INJECTIONS.entries()) {
    const other = INJECTIONS[(i + 1) % INJECTIONS.length]!;
    const key = escapeName(name);
    await run(
      `CREATE (a:${escapeName(name)}:${
        escapeName(`L ${other}`)
      } {${key}: $values, ${escapeName(`k ${other}`)}: $one})-[:${
        escapeName(name)
      } {${key}: $one}]->(b:${escapeName(`L ${other}`)} {${key}: $i})`,
      {
        values: CYPHER_VALUES,
        one: CYPHER_VALUES[i % CYPHER_VALUES.length],
        i,
      },
    );
    await run(
      `CREATE CONSTRAINT ${escapeName(name)} FOR (n:${
        escapeName(`L ${other}`)
      }) REQUIRE n.${escapeName(`k ${other}`)} IS UNIQUE`,
    );
    await run(
      `CREATE INDEX ${escapeName(`i ${name}`)} FOR (n:${
        escapeName(name)
      }) ON (n.${key})`,
    );
    await run(
      `CREATE TEXT INDEX ${escapeName(`t ${name}`)} FOR ()-[r:${
        escapeName(name)
      }]-() ON (r.${key})`,
    );
  }
  await run(
    `CREATE FULLTEXT INDEX ${escapeName(`f ${INJECTIONS[2]}`)} FOR (n:${
      escapeName(INJECTIONS[3]!)
    }|${escapeName(INJECTIONS[4]!)}) ON EACH [n.${escapeName(INJECTIONS[5]!)}]`,
  );
  await run("CALL db.awaitIndexes(300)");
  const graph = await snapshotGraph(driver, database);
  const schema = await snapshotSchema(driver, database);
  const tokens = await tokenSnapshot(driver, database);
  equal(schema.constraints.length, INJECTIONS.length);

  const dir = await Deno.makeTempDir({ prefix: "injection-" });
  try {
    const env = connectionEnv(TARGET);
    let terminal = fakeTerminal(env);
    equal(
      await main(["extract", dir, "--yes", "-q"], terminal),
      0,
      terminal.stderr,
    );
    terminal = fakeTerminal(env);
    equal(await main(["verify", dir, "-q"], terminal), 0, terminal.stderr);
    await wipe(driver, database);
    await run("CREATE (:Sentinel {keep: true})");
    // Into a database that holds the sentinel: nothing in it may be touched.
    terminal = fakeTerminal(env);
    equal(
      await main(["import", dir, "--yes", "-q"], terminal),
      0,
      terminal.stderr,
    );
    const restored = await snapshotGraph(driver, database);
    // The sentinel is there once before and once more after: exactly one extra node.
    const sentinel = restored.nodes.indexOf(
      graph.nodes.find((n) => n.includes("Sentinel"))!,
    );
    ok(sentinel >= 0, "the sentinel survived");
    restored.nodes.splice(sentinel, 1);
    deepEqual(diffSnapshots(graph, restored), []);
    deepEqual(
      diffSnapshots(schema, await snapshotSchema(driver, database)),
      [],
    );
    deepEqual(diffSnapshots(tokens, await tokenSnapshot(driver, database)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await wipe(driver, database);
  }
});

// ---------------------------------------------------------------------------------------------
// Connections

const SECRET = "Pa55-w0rd:with@odd/chars%and`quotes'";

Deno.test("connections that cannot work fail in one clear line, without the password, before anything is written", async (t) => {
  await using driver = await openDriver();
  const before = await loadMarker(driver);
  const env = connectionEnv(TARGET);
  const port = new URL(TARGET.uri.replace(/^[a-z+]+:/, "http:")).port;
  const host = `127.0.0.1:${port}`;
  const dir = await copyFixture();
  try {
    const cases: [string, string[], Record<string, string>, RegExp][] = [
      [
        "wrong password",
        [],
        { NEO4J_PASSWORD: SECRET },
        /the server at \S+ refused the credentials of user "neo4j"$/,
      ],
      [
        "unknown user",
        ["-u", "nobody-here", "-p", SECRET],
        {},
        /refused the credentials of user "nobody-here"$/,
      ],
      [
        "unreachable host",
        ["-a", "bolt://127.0.0.1:9", "-p", SECRET],
        {},
        /cannot reach a Neo4j server at bolt:\/\/127\.0\.0\.1:9: connect ECONNREFUSED/,
      ],
      [
        "unknown host",
        ["-a", "neo4j://no-such-host.invalid:7687"],
        {},
        /cannot reach a Neo4j server at neo4j:\/\/no-such-host\.invalid:7687: .*ENOTFOUND/,
      ],
      [
        "TLS required but not offered (neo4j+s)",
        ["-a", `neo4j+s://${host}`],
        {},
        /cannot reach a Neo4j server at neo4j\+s:\/\/\S+: the server did not answer the TLS handshake: it does not offer encryption on this port/,
      ],
      [
        "TLS required but not offered (bolt+s)",
        ["-a", `bolt+s://${host}`],
        {},
        /cannot reach a Neo4j server at bolt\+s:\/\/\S+: the server did not answer the TLS handshake/,
      ],
      [
        "unknown database",
        ["-d", "no-such-db"],
        {},
        /has no database "no-such-db"$/,
      ],
      [
        "a password in the address",
        ["-a", `bolt://neo4j:${encodeURIComponent(SECRET)}@127.0.0.1:9`],
        {},
        /cannot reach a Neo4j server at bolt:\/\/127\.0\.0\.1:9: /,
      ],
      [
        "an invalid address with a password in it",
        ["-a", `nonsense://neo4j:${encodeURIComponent(SECRET)}@host`],
        {},
        /invalid --address "nonsense:\/\/host"/,
      ],
    ];
    for (const [name, args, extra, pattern] of cases) {
      await t.step(name, async () => {
        const journals = journalNames();
        for (const command of ["extract", "import"]) {
          const out = join(dir, command === "extract" ? "new" : "");
          const terminal = fakeTerminal({ ...env, ...extra });
          const argv = [command, out, ...args];
          if (command === "import") argv.push("--clean", "--yes");
          const status = await main(argv, terminal);
          const errors = terminal.stderr.split("\n").filter((l) =>
            l.startsWith("error:")
          );
          equal(errors.length, 1, terminal.stderr);
          if (!name.startsWith("an invalid address")) {
            assertOneClearLine(status, terminal);
          } else equal(status, 2);
          match(errors[0]!, pattern);
          for (const secret of [SECRET, encodeURIComponent(SECRET)]) {
            ok(!terminal.stderr.includes(secret), terminal.stderr);
            ok(!terminal.stdout.includes(secret));
          }
          deepEqual(await contents(driver, database), before);
        }
        deepEqual(journalNames(), journals);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the password appears nowhere: not in errors, their causes and stacks, nor in any file written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "password-" });
  const secrets = [SECRET, TARGET.password];
  const wrong = neo4j.driver(
    TARGET.uri,
    neo4j.auth.basic(TARGET.username, SECRET),
    { useBigInt: true, logging: { level: "error", logger: () => {} } },
  );
  const logged: string[] = [];
  const right = neo4j.driver(
    TARGET.uri,
    neo4j.auth.basic(TARGET.username, TARGET.password),
    {
      useBigInt: true,
      // What a user who turns on the driver's logging would see.
      logging: { level: "debug", logger: (_, message) => logged.push(message) },
    },
  );
  try {
    const failures: unknown[] = [];
    await new Extractor({ projectDir: join(dir, "x"), driver: wrong })
      .extractData().catch((e) => failures.push(e));
    await new Importer({ projectDir: FIXTURE, driver: wrong })
      .importData().catch((e) => failures.push(e));
    equal(failures.length, 2);
    for (const failure of failures) {
      ok(failure instanceof BackupError);
      const text = [
        failure.message,
        failure.stack,
        String(failure.cause),
        (failure.cause as Error)?.stack,
        Deno.inspect(failure, { depth: 10 }),
      ].join("\n");
      for (const secret of secrets) ok(!text.includes(secret), text);
    }
    // A complete extract and import with the right password: nothing on disk holds it.
    await using driver = await openDriver();
    await wipe(driver, database);
    await new Extractor({ projectDir: join(dir, "b"), driver: right, database })
      .extractData();
    await new Importer({ projectDir: FIXTURE, driver: right, database })
      .importData();
    for (const name of listBackup(join(dir, "b"))) {
      const bytes = await Deno.readFile(join(dir, "b", name));
      const text = new TextDecoder().decode(
        name.endsWith(".gz") ? await gunzip(bytes) : bytes,
      );
      ok(!text.includes(TARGET.password), name);
    }
    ok(logged.length > 0, "the driver logged");
    for (const line of logged) ok(!line.includes(TARGET.password), line);
  } finally {
    await wrong.close();
    await right.close();
    await Deno.remove(dir, { recursive: true });
    await using driver = await openDriver();
    await wipe(driver, database);
  }
});

/** The server's edition: `community` or `enterprise`. */
async function edition(driver: Driver): Promise<string> {
  const { records } = await driver.executeQuery(
    "CALL dbms.components() YIELD edition RETURN edition",
    {},
    { database },
  );
  return String(records[0]!.get("edition"));
}

const ENTERPRISE = await (async () => {
  await using driver = await openDriver();
  return (await edition(driver)) === "enterprise";
})();
if (!ENTERPRISE) {
  console.warn(
    "bad_input_test: the privilege cases (a user who cannot write importing, a user who cannot SHOW the schema extracting) are skipped: Neo4j Community has no roles; run the suite with NEO4J_URI on an Enterprise server to run them",
  );
}

Deno.test({
  name:
    "users without the privileges an operation needs fail in one clear line, before anything is written",
  ignore: !ENTERPRISE,
  async fn(t): Promise<void> {
    await using driver = await openDriver();
    const before = await loadMarker(driver);
    const system = async (query: string): Promise<void> => {
      await driver.executeQuery(query, {}, { database: "system" });
    };
    const password = "limited-user-password";
    await system(
      `CREATE OR REPLACE USER backup_reader SET PASSWORD '${password}' CHANGE NOT REQUIRED`,
    );
    await system("GRANT ROLE reader TO backup_reader");
    await system("CREATE OR REPLACE ROLE backup_no_show");
    await system("GRANT ACCESS ON DATABASE * TO backup_no_show");
    await system("GRANT MATCH {*} ON GRAPH * TO backup_no_show");
    await system("DENY SHOW INDEX ON DATABASE * TO backup_no_show");
    await system("DENY SHOW CONSTRAINT ON DATABASE * TO backup_no_show");
    await system(
      `CREATE OR REPLACE USER backup_no_show SET PASSWORD '${password}' CHANGE NOT REQUIRED`,
    );
    await system("GRANT ROLE backup_no_show TO backup_no_show");
    const dir = await copyFixture();
    try {
      const env = {
        ...connectionEnv(TARGET),
        NEO4J_PASSWORD: password,
      };
      await t.step("a user who cannot write, importing", async () => {
        const terminal = fakeTerminal({
          ...env,
          NEO4J_USERNAME: "backup_reader",
        });
        const line = assertOneClearLine(
          await main(["import", dir, "--yes", "-q"], terminal),
          terminal,
        );
        match(line, /lacks a privilege|not allowed|permission/i);
        deepEqual(await contents(driver, database), before);
      });
      await t.step("a user who cannot see the schema, extracting", async () => {
        const terminal = fakeTerminal({
          ...env,
          NEO4J_USERNAME: "backup_no_show",
        });
        const line = assertOneClearLine(
          await main(["extract", join(dir, "new"), "-q"], terminal),
          terminal,
        );
        match(line, /lacks a privilege|not allowed|permission/i);
        ok(!listBackup(join(dir, "new")).includes("manifest.json"));
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
      await system("DROP USER backup_reader IF EXISTS");
      await system("DROP USER backup_no_show IF EXISTS");
      await system("DROP ROLE backup_no_show IF EXISTS");
    }
  },
});

if (!TARGET.localServers) {
  console.warn(
    "bad_input_test: the read-only database case is skipped: it needs a server of its own, and NEO4J_URI names a server this suite did not start",
  );
}

Deno.test({
  name:
    "an import into a read-only database fails in one clear line and changes nothing",
  ignore: !TARGET.localServers,
  async fn(t): Promise<void> {
    const version = Deno.env.get("NEO4J_VERSION") ?? "5.26.30";
    // A fresh read-only server does not start its database: load it first, then restart.
    const first = await Neo4jServer.start({
      keepData: true,
      pageCache: "64m",
      heap: "512m",
    });
    const home = first.home!;
    let server: Neo4jServer | undefined;
    try {
      const target = (s: Neo4jServer): TestTarget => ({
        ...s.info,
        database: undefined,
        localServers: true,
      });
      {
        await using driver = await openDriver(target(first));
        await driver.executeQuery(
          "UNWIND range(1, 50) AS i CREATE (:Kept {i: i})-[:R]->(:Kept)",
        );
        await driver.executeQuery(
          "CREATE CONSTRAINT kept_i FOR (k:Kept) REQUIRE k.i IS UNIQUE",
        );
      }
      await stayAwake(first.stop());
      server = await Neo4jServer.start({
        home,
        keepData: true,
        pageCache: "64m",
        heap: "512m",
        settings: {
          [
            version.startsWith("4.")
              ? "dbms.databases.default_to_read_only"
              : "server.databases.default_to_read_only"
          ]: "true",
        },
      });
      await using driver = await openDriver(target(server));
      const before = await contents(driver, undefined);
      equal(before.nodes, 100);
      const env = connectionEnv(target(server));
      for (const args of [["--yes"], ["--clean", "--yes"]]) {
        await t.step(`import ${args.join(" ")}`, async () => {
          const dir = await copyFixture();
          try {
            const terminal = fakeTerminal(env);
            const line = assertOneClearLine(
              await main(["import", dir, ...args, "-q"], terminal),
              terminal,
            );
            match(
              line,
              /^error: Cannot import backup: the database \S+ at \S+ is read-only: /,
            );
            deepEqual(await contents(driver, undefined), before);
          } finally {
            await Deno.remove(dir, { recursive: true });
          }
        });
      }
    } finally {
      await stayAwake(first.kill());
      if (server) await stayAwake(server.kill());
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Fuzz: random damage to a data file whose manifest entry is updated to match

type Mutation =
  | { op: "flip"; at: number; bit: number }
  | { op: "letter"; at: number }
  | { op: "truncate"; at: number }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "delete"; at: number; length: number };

const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  // A letter for another: harmless in a string value, fatal in a key or a tag.
  fc.record({ op: fc.constant("letter" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 8 }),
      // JSON-shaped bytes damage the structure rather than the syntax.
      fc.constantFrom(...'{}[],:"\\0-e.nulltrue$ \n'.split("")).map((c) =>
        new TextEncoder().encode(c)
      ),
    ),
  }),
  fc.record({
    op: fc.constant("delete" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 16 }),
  }),
);

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = bytes;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    switch (m.op) {
      case "flip":
        out = out.slice();
        if (out.length > 0) out[at]! ^= 1 << m.bit;
        break;
      case "letter":
        out = out.slice();
        if (out[at]! >= 0x61 && out[at]! <= 0x7a) {
          out[at] = out[at] === 0x71 ? 0x72 : 0x71;
        }
        break;
      case "truncate":
        out = out.slice(0, at);
        break;
      case "insert":
        out = new Uint8Array([
          ...out.subarray(0, at),
          ...m.bytes,
          ...out.subarray(at),
        ]);
        break;
      case "delete":
        out = new Uint8Array([
          ...out.subarray(0, at),
          ...out.subarray(at + m.length),
        ]);
        break;
    }
  }
  return out;
}

/** A damaged data file: which file, at which layer, how. */
interface Damage {
  file: 0 | 1;
  layer: "gzip" | "json";
  mutations: Mutation[];
}

const DAMAGE: fc.Arbitrary<Damage> = fc.record({
  file: fc.constantFrom(0 as const, 1 as const),
  layer: fc.constantFrom("gzip" as const, "json" as const),
  mutations: fc.array(MUTATION, { minLength: 1, maxLength: 3 }),
});

/** Writes the damaged file into `dir` (a copy of the fixture) with the manifest to match. */
async function damage(
  dir: string,
  originals: { path: string; gz: Uint8Array; json: Uint8Array }[],
  manifest: ManifestJson,
  d: Damage,
): Promise<void> {
  const original = originals[d.file]!;
  const bytes = d.layer === "gzip"
    ? mutate(original.gz, d.mutations)
    : await gzip(mutate(original.json, d.mutations));
  await Deno.writeFile(join(dir, original.path), bytes);
  const copy = structuredClone(manifest);
  copy.files[d.file].bytes = bytes.length;
  copy.files[d.file].sha256 = createHash("sha256").update(bytes).digest("hex");
  await writeManifestJson(dir, copy);
}

async function fuzzSetup(): Promise<{
  dir: string;
  originals: { path: string; gz: Uint8Array; json: Uint8Array }[];
  manifest: ManifestJson;
  restore: () => Promise<void>;
}> {
  const dir = await copyFixture();
  const manifest = await readManifestJson(dir);
  const originals = await Promise.all(
    manifest.files.map(async (f: { path: string }) => {
      const gz = await Deno.readFile(join(dir, f.path));
      return { path: f.path, gz, json: await gunzip(gz) };
    }),
  );
  const restore = async (): Promise<void> => {
    for (const o of originals) await Deno.writeFile(join(dir, o.path), o.gz);
    await writeManifestJson(dir, manifest);
  };
  return { dir, originals, manifest, restore };
}

function assertInvalidBackup(error: unknown, d: Damage): void {
  if (!(error instanceof BackupError) || error.code !== "INVALID_BACKUP") {
    fail(
      `A damaged file (${
        JSON.stringify(d, (_, v) => v instanceof Uint8Array ? [...v] : v)
      }) failed with ${
        error instanceof BackupError
          ? `a BackupError ${error.code}`
          : "another error"
      }: ${(error as Error)?.stack ?? error}`,
    );
  }
}

Deno.test("verifyBackup refuses any damage to a data file with a matching manifest as INVALID_BACKUP, or accepts it, and never hangs", async () => {
  const { dir, originals, manifest } = await fuzzSetup();
  let refused = 0;
  let runs = 0;
  try {
    await fc.assert(
      fc.asyncProperty(DAMAGE, async (d) => {
        // Now and then through the pool of workers that large backups use.
        const workers = runs % 20 === 19 ? 2 : 0;
        runs++;
        await damage(dir, originals, manifest, d);
        try {
          await withTimeout(
            verifyBackup(dir, { workers }),
            15_000,
            "verifyBackup",
          );
        } catch (error) {
          assertInvalidBackup(error, d);
          refused++;
        }
      }),
      { numRuns: Number(Deno.env.get("NEO4J_BACKUP_FUZZ_RUNS") ?? 2000) },
    );
    console.log(
      `${refused} of ${runs} damaged backups refused, the others still valid`,
    );
    ok(refused > runs / 2 && refused < runs);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the importer refuses a damaged data file with a matching manifest as INVALID_BACKUP before writing anything, or imports it, and never hangs", async () => {
  const { dir, originals, manifest, restore } = await fuzzSetup();
  await using driver = await openDriver();
  const before = await loadMarker(driver);
  let refused = 0;
  let imported = 0;
  try {
    await fc.assert(
      fc.asyncProperty(DAMAGE, async (d) => {
        await damage(dir, originals, manifest, d);
        try {
          await withTimeout(
            new Importer({
              projectDir: dir,
              driver,
              ...(database ? { database } : {}),
              clean: true,
              inputYes: true,
            }).importData(),
            60_000,
            "the import",
          );
          imported++;
          await loadMarker(driver);
        } catch (error) {
          assertInvalidBackup(error, d);
          deepEqual(
            await contents(driver, database),
            before,
            "nothing written",
          );
          refused++;
        }
      }),
      { numRuns: Number(Deno.env.get("NEO4J_BACKUP_IMPORT_FUZZ_RUNS") ?? 150) },
    );
    console.log(`${refused} damaged backups refused, ${imported} imported`);
    ok(refused > 0);
    await restore();
  } finally {
    await Deno.remove(dir, { recursive: true });
    await wipe(driver, database);
  }
});
