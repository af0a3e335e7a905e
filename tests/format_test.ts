import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { BackupError } from "../lib/errors.ts";
import { openBackup } from "../lib/format/backup_reader.ts";
import { DataFileWriter } from "../lib/format/data_file_writer.ts";
import { SinkWorkerPool } from "../lib/format/sink_worker_pool.ts";
import { JsonArrayParseStream } from "../lib/format/json_array_parse_stream.ts";
import {
  type Manifest,
  readManifest,
  writeManifest,
} from "../lib/format/manifest.ts";
import type { BackupRecord } from "../lib/format/record.ts";
import { RecordParseStream } from "../lib/format/record_parse_stream.ts";
import { RecordStringifyStream } from "../lib/format/record_stringify_stream.ts";

async function elements(
  chunks: string[],
  options?: { maxElementLength?: number },
): Promise<string[]> {
  const out: string[] = [];
  for await (
    const batch of ReadableStream.from(chunks).pipeThrough(
      new JsonArrayParseStream(options),
    )
  ) out.push(...batch);
  return out;
}

/** Every way of cutting `text` into two chunks. */
function splits(text: string): string[][] {
  const result: string[][] = [];
  for (let i = 0; i <= text.length; i++) {
    result.push([text.slice(0, i), text.slice(i)]);
  }
  return result;
}

Deno.test("JsonArrayParseStream yields each element's text, however the text is cut", async (t) => {
  const cases: [string, string[]][] = [
    ["[]", []],
    [" [ ] \n", []],
    ['[{"a":1}]', ['{"a":1}']],
    ['[\n{"a":1},\n{"b":[2,{"c":"]"}]}\n]\n', [
      '{"a":1}',
      '{"b":[2,{"c":"]"}]}',
    ]],
    ['[{"s":"quote \\" and backslash \\\\"}, {"t":"\\u005d"}]', [
      '{"s":"quote \\" and backslash \\\\"}',
      '{"t":"\\u005d"}',
    ]],
    ["[1, 2.5 ,-3e5,\n  true,null]", ["1", "2.5", "-3e5", "true", "null"]],
    ['["a,b", "c"]', ['"a,b"', '"c"']],
    [
      '[\n    {\n        "x": NaN\n    },\n    {\n        "y": -Infinity\n    }\n]',
      [
        '{\n        "x": NaN\n    }',
        '{\n        "y": -Infinity\n    }',
      ],
    ],
    ["\ufeff[[1,[2]],[]]", ["[1,[2]]", "[]"]],
  ];
  for (const [text, expected] of cases) {
    await t.step(JSON.stringify(text).slice(0, 60), async () => {
      for (const chunks of splits(text)) {
        deepEqual(
          await elements(chunks),
          expected,
          `cut as ${JSON.stringify(chunks)}`,
        );
      }
      deepEqual(await elements([...text]), expected, "one character per chunk");
    });
  }
});

Deno.test("JsonArrayParseStream rejects what is not one complete array", async (t) => {
  const cases: [string, RegExp][] = [
    ["", /expected a JSON array/],
    ['{"a":1}', /Unexpected character "\{"/],
    ['[{"a":1},', /not closed/],
    ['[{"a":1}', /not closed/],
    ['[{"a":"unterminated', /not closed/],
    ['[{"a":1}] x', /Unexpected character "x"/],
    ['[{"a":1}][]', /Unexpected character "\["/],
    ["[,1]", /Unexpected character ","/],
    ['[{"a":1}{"b":2}]', /Unexpected character "\{"/],
  ];
  for (const [text, message] of cases) {
    await t.step(JSON.stringify(text), async () => {
      await rejects(elements([text]), (error: Error) => {
        ok(error instanceof SyntaxError, `${error.name}: ${error.message}`);
        ok(message.test(error.message), error.message);
        return true;
      });
    });
  }
});

Deno.test("JsonArrayParseStream refuses an element longer than the limit with a RangeError", async () => {
  const big = `[{"s":"${"x".repeat(5000)}"}]`;
  await rejects(
    elements([big.slice(0, 100), big.slice(100)], { maxElementLength: 1000 }),
    (error: Error) =>
      error instanceof RangeError && /Element 1 is longer/.test(error.message),
  );
  equal((await elements([big], { maxElementLength: 10_000 })).length, 1);
});

Deno.test("RecordStringifyStream and RecordParseStream round-trip records of both kinds", async () => {
  const records: BackupRecord[] = [
    { kind: "node", id: 0n, labels: [], properties: {} },
    {
      kind: "node",
      id: 9007199254740993n,
      labels: ["A", "B:C", "`x`"],
      properties: { n: 1n, f: 1 },
    },
  ];
  const texts: string[] = [];
  for await (
    const batch of ReadableStream.from([records]).pipeThrough(
      new RecordStringifyStream(),
    )
  ) {
    texts.push(...batch);
  }
  deepEqual(texts, [
    '{"node_id":0,"node_labels":[],"node_props":{}}',
    '{"node_id":9007199254740993,"node_labels":["A","B:C","`x`"],"node_props":{"n":1,"f":1.0}}',
  ]);
  const back: BackupRecord[] = [];
  for await (
    const batch of ReadableStream.from([texts]).pipeThrough(
      new RecordParseStream({ kind: "nodes", file: "data/nodes_2.json" }),
    )
  ) back.push(...batch);
  deepEqual(back, records);

  const relationship: BackupRecord = {
    kind: "relationship",
    id: 5n,
    type: "KNOWS",
    startId: 0n,
    endId: 9007199254740993n,
    properties: { since: 1999n },
  };
  const [[text]] = await Array.fromAsync(
    ReadableStream.from([[relationship]]).pipeThrough(
      new RecordStringifyStream({ indent: 2 }),
    ),
  );
  equal(
    text,
    '{\n  "rel_id": 5,\n  "start_node_id": 0,\n  "end_node_id": 9007199254740993,\n  "rel_type": "KNOWS",\n  "rel_props": {\n    "since": 1999\n  }\n}',
  );
});

Deno.test("RecordParseStream names the file and record number of a bad record", async (t) => {
  const cases: [string, RegExp][] = [
    ["{", /invalid record 2 in data\/nodes_9.json: .*JSON/],
    [
      '{"node_id":1,"node_labels":"A","node_props":{}}',
      /field "node_labels" is not a list of strings/,
    ],
    [
      '{"node_id":1.0,"node_labels":[],"node_props":{}}',
      /field "node_id" is not an integer/,
    ],
    [
      '{"node_id":1,"node_labels":[],"node_props":{},"hash_props":{}}',
      /unknown field "hash_props"/,
    ],
    ['{"node_id":1,"node_labels":[]}', /field "node_props" is missing/],
    [
      '{"node_id":1,"node_labels":[],"node_props":{"p":{"$type":"Nope"}}}',
      /property "p": Unknown value type "Nope"/,
    ],
  ];
  for (const [bad, message] of cases) {
    await t.step(bad, async () => {
      const stream = ReadableStream.from([[
        '{"node_id":0,"node_labels":[],"node_props":{}}',
        bad,
      ]]).pipeThrough(
        new RecordParseStream({ kind: "nodes", file: "data/nodes_9.json" }),
      );
      await rejects(Array.fromAsync(stream), (error: Error) => {
        ok(error instanceof BackupError, String(error));
        equal(error.code, "INVALID_BACKUP");
        equal(error.file, "data/nodes_9.json");
        equal(error.record, 2);
        ok(message.test(error.message), error.message);
        return true;
      });
    });
  }
});

Deno.test("DataFileWriter cuts files by size, names them by cumulative count and hashes what is on disk", async (t) => {
  for (const compress of [true, false]) {
    await t.step(compress ? "gzip" : "plain", async () => {
      const dir = await Deno.makeTempDir();
      try {
        const writer = new DataFileWriter(dir, "nodes", {
          compress,
          fileSize: 1000,
        });
        const texts = Array.from(
          { length: 50 },
          (_, i) =>
            `{"node_id":${i},"node_labels":[],"node_props":{"s":"${
              "x".repeat(50)
            }"}}`,
        );
        await ReadableStream.from([texts.slice(0, 7), texts.slice(7)]).pipeTo(
          writer,
        );
        const files = writer.files;
        ok(files.length > 1, `${files.length} files`);
        equal(files.reduce((n, f) => n + f.records, 0), 50);
        let cumulative = 0;
        const read: string[] = [];
        for (const file of files) {
          cumulative += file.records;
          equal(
            file.path,
            `data/nodes_${cumulative}.json${compress ? ".gz" : ""}`,
          );
          const bytes = await Deno.readFile(join(dir, file.path));
          equal(file.bytes, bytes.byteLength);
          equal(file.sha256, createHash("sha256").update(bytes).digest("hex"));
          const text = compress
            ? await new Response(
              new Blob([bytes]).stream().pipeThrough(
                new DecompressionStream("gzip"),
              ),
            ).text()
            : new TextDecoder().decode(bytes);
          const parsed = JSON.parse(text) as { node_id: number }[];
          equal(parsed.length, file.records);
          read.push(...parsed.map((r) => JSON.stringify(r)));
        }
        deepEqual(read, texts);
        const left = [];
        for await (const entry of Deno.readDir(join(dir, "data"))) {
          left.push(entry.name);
        }
        ok(left.every((name) => !name.endsWith(".partial")), left.join());
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});

Deno.test("DataFileWriter removes its unfinished file when aborted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = new DataFileWriter(dir, "relationships");
    const w = writer.getWriter();
    await w.write(['{"rel_id":1}']);
    await w.abort(new Error("stop"));
    const left = [];
    for await (const entry of Deno.readDir(join(dir, "data"))) {
      left.push(entry.name);
    }
    deepEqual(left, []);
    deepEqual(writer.files, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DataFileWriter borrows its worker from a pool, gives it back when done and ends it when aborted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    using workers = new SinkWorkerPool();
    const record = '{"node_id":0,"node_labels":[],"node_props":{}}';
    for (let i = 0; i < 3; i++) {
      const writer = new DataFileWriter(dir, "nodes", {
        recordsBefore: i,
        workers,
      });
      await ReadableStream.from([[record]]).pipeTo(writer);
      equal(writer.files[0]!.records, 1);
    }
    equal(workers.started, 1, "three writers in turn share one worker");
    const aborted = new DataFileWriter(dir, "relationships", { workers });
    const w = aborted.getWriter();
    await w.write(['{"rel_id":1}']);
    await w.abort(new Error("stop"));
    const after = new DataFileWriter(dir, "nodes", {
      recordsBefore: 10,
      workers,
    });
    await ReadableStream.from([[record]]).pipeTo(after);
    equal(workers.started, 2, "the aborted writer's worker is not reused");
    deepEqual(after.files.map((f) => f.path), ["data/nodes_11.json.gz"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function sampleManifest(): Manifest {
  return {
    format: "neo4j-backup",
    formatVersion: 1,
    tool: {
      name: "neo4j-backup",
      version: "0.1.0",
      runtime: "deno 2",
      driver: "6.3.0",
    },
    source: {
      address: "localhost:7687",
      database: "neo4j",
      databaseId: null,
      version: "5.26.30",
      edition: "community",
    },
    startedAt: "2026-11-22T00:00:00.000Z",
    finishedAt: "2026-11-22T00:00:01.000Z",
    compressed: true,
    counts: {
      nodes: 2,
      relationships: 0,
      labelSets: [{ labels: ["A"], count: 2 }],
      relationshipTypes: [],
    },
    files: [{
      path: "data/nodes_2.json.gz",
      kind: "nodes",
      records: 2,
      bytes: 40,
      sha256: "0".repeat(64),
    }],
    schema: {
      constraints: [],
      indexes: [{
        name: "p",
        type: "POINT",
        entityType: "NODE",
        labelsOrTypes: ["A"],
        properties: ["loc"],
        owningConstraint: null,
        options: {
          indexProvider: "point-1.0",
          indexConfig: {
            "spatial.cartesian.min": [-1, -1.5],
            "vector.dimensions": 3n,
          },
        },
        createStatement: null,
      }],
    },
    consistency: {
      writesDetected: false,
      schemaChanged: false,
      nodesAtStart: 2,
      nodesAtEnd: 2,
      relationshipsAtStart: 0,
      relationshipsAtEnd: 0,
    },
    selection: null,
  };
}

Deno.test("writeManifest and readManifest round-trip, keeping integers and floats apart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = sampleManifest();
    await writeManifest(dir, manifest);
    const text = await Deno.readTextFile(join(dir, "manifest.json"));
    ok(text.includes('"spatial.cartesian.min": [\n'), text);
    ok(
      text.includes("-1.0,") && text.includes("-1.5") &&
        text.includes('"vector.dimensions": 3'),
    );
    ok(text.includes('"nodes": 2,'));
    deepEqual(await readManifest(dir), manifest);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readManifest refuses a manifest that is missing, malformed or of another version", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("missing: an incomplete backup", async () => {
      await rejects(
        readManifest(dir),
        (e: BackupError) => e.code === "INCOMPLETE_BACKUP",
      );
    });
    const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
      [
        "a newer format version",
        (m) => (m.formatVersion = 3),
        /format version 3 is not supported/,
      ],
      ["another format", (m) => (m.format = "other"), /not "neo4j-backup"/],
      ["a missing field", (m) => delete m.counts, /manifest.counts is missing/],
      [
        "a count that is a float",
        (m) => ((m.counts as Record<string, unknown>).nodes = 2.5),
        /counts.nodes is not a non-negative integer/,
      ],
      [
        "a path outside data/",
        (
          m,
        ) => ((m.files as Record<string, unknown>[])[0]!.path =
          "../x/nodes_2.json.gz"),
        /invalid path/,
      ],
      [
        "a bad checksum",
        (m) => ((m.files as Record<string, unknown>[])[0]!.sha256 = "xyz"),
        /invalid sha256/,
      ],
    ];
    for (const [name, change, message] of cases) {
      await t.step(name, async () => {
        await writeManifest(dir, sampleManifest());
        const json = JSON.parse(
          await Deno.readTextFile(join(dir, "manifest.json")),
        );
        change(json);
        await Deno.writeTextFile(
          join(dir, "manifest.json"),
          JSON.stringify(json),
        );
        await rejects(readManifest(dir), (e: BackupError) => {
          equal(e.code, "INVALID_BACKUP");
          ok(message.test(e.message), e.message);
          return true;
        });
      });
    }
    await t.step("not JSON", async () => {
      await Deno.writeTextFile(join(dir, "manifest.json"), "{");
      await rejects(
        readManifest(dir),
        (e: BackupError) => e.code === "INVALID_BACKUP",
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openBackup tells an incomplete backup from a directory that is none", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await rejects(
      openBackup(dir),
      (e: BackupError) =>
        e.code === "INVALID_BACKUP" && /not a backup/.test(e.message),
    );
    await Deno.writeTextFile(join(dir, "INCOMPLETE"), "x");
    await rejects(
      openBackup(dir),
      (e: BackupError) =>
        e.code === "INCOMPLETE_BACKUP" && /incomplete/.test(e.message),
    );
    await rejects(
      openBackup(join(dir, "nope")),
      (e: BackupError) => /does not exist/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RecordStringifyStream writes what the codec pair writes, for every kind of value", async () => {
  const { recordToJson } = await import("../lib/format/_record_json.ts");
  const { stringifyJson } = await import("../lib/codec/stringify_json.ts");
  const neo4j = (await import("../lib/_driver.ts")).default;
  const fc = (await import("fast-check")).default;
  const scalar = fc.oneof(
    fc.string(),
    fc.boolean(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.double(),
    fc.constantFrom(
      new neo4j.types.Date(2024, 2, 29),
      new neo4j.types.DateTime(
        2015,
        6,
        24,
        12,
        50,
        35,
        556000000,
        3600,
        "Europe/London",
      ),
      new neo4j.types.Duration(1, -2, 3, 4),
      new neo4j.types.Point(4979, 1.5, 2, -0),
      new Int8Array([1, -2, 3]),
      neo4j.int(42),
    ),
  );
  const properties = fc.dictionary(
    fc.string(),
    fc.oneof(
      scalar,
      fc.array(fc.string()),
      fc.array(fc.double()),
      fc.array(fc.bigInt()),
    ),
  );
  const record = fc.oneof(
    fc.record({
      kind: fc.constant("node" as const),
      id: fc.bigInt({ min: 0n, max: 2n ** 53n }),
      labels: fc.array(fc.string(), { maxLength: 3 }),
      properties,
    }),
    fc.record({
      kind: fc.constant("relationship" as const),
      id: fc.bigInt({ min: 0n, max: 2n ** 53n }),
      type: fc.string(),
      startId: fc.bigInt({ min: 0n, max: 2n ** 53n }),
      endId: fc.bigInt({ min: 0n, max: 2n ** 53n }),
      properties,
    }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(record, { maxLength: 5 }), async (records) => {
      for (const indent of [0, 2]) {
        const [texts] = await Array.fromAsync(
          ReadableStream.from([records as BackupRecord[]]).pipeThrough(
            new RecordStringifyStream({ indent }),
          ),
        );
        deepEqual(
          texts,
          (records as BackupRecord[]).map((r) =>
            stringifyJson(recordToJson(r), { indent })
          ),
        );
      }
    }),
    { numRuns: 1000 },
  );
});

Deno.test("RecordStringifyStream splits a wide batch into batches of at most chunkChars characters, in order", async () => {
  const records: BackupRecord[] = Array.from({ length: 50 }, (_, i) => ({
    kind: "node",
    id: BigInt(i),
    labels: ["Chunk"],
    properties: { text: "x".repeat(1000 + i) },
  }));
  const batches = await Array.fromAsync(
    ReadableStream.from([records, []]).pipeThrough(
      new RecordStringifyStream({ chunkChars: 10_000 }),
    ),
  );
  ok(batches.length > 5, `${batches.length} batches`);
  for (const batch of batches.slice(0, -1)) {
    const chars = batch.reduce((sum, text) => sum + text.length, 0);
    ok(chars <= 10_000, `a batch of ${chars} characters`);
  }
  // The empty batch stays an empty batch.
  deepEqual(batches.at(-1), []);
  const whole = await Array.fromAsync(
    ReadableStream.from([records]).pipeThrough(new RecordStringifyStream()),
  );
  equal(whole.length, 1);
  deepEqual(batches.flat(), whole[0]);
  // A record longer than chunkChars goes alone.
  const [huge] = await Array.fromAsync(
    ReadableStream.from([[{
      ...records[0]!,
      properties: { t: "y".repeat(50) },
    }]])
      .pipeThrough(new RecordStringifyStream({ chunkChars: 10 })),
  );
  equal(huge!.length, 1);
});

Deno.test("DataFileWriter writes a record far larger than its flush size whole, surrogate pairs intact", async (t) => {
  // 3 Mi characters of surrogate pairs, each starting at an odd offset of the file's text
  // (after `[\n1,\n"a`), so that any cut at an even offset falls inside one.
  const text = JSON.stringify("a" + "\u{1F600}".repeat(1_500_000));
  for (const compress of [true, false]) {
    await t.step(compress ? "gzip" : "plain", async () => {
      const dir = await Deno.makeTempDir();
      try {
        const writer = new DataFileWriter(dir, "nodes", { compress });
        await ReadableStream.from([["1", text, "2"]]).pipeTo(writer);
        const file = writer.files[0]!;
        equal(file.records, 3);
        const bytes = await Deno.readFile(join(dir, file.path));
        const json = compress
          ? await new Response(
            ReadableStream.from([bytes]).pipeThrough(
              new DecompressionStream("gzip"),
            ),
          ).text()
          : new TextDecoder().decode(bytes);
        equal(json, `[\n1,\n${text},\n2\n]\n`);
        equal(createHash("sha256").update(bytes).digest("hex"), file.sha256);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});
