/**
 * The reader of the Python neo4j-backup 1.0.0 format, without a server: value decoding, bare
 * float tokens, labels, records, and whole backup directories (tests/testdata/python_backup_gz
 * and python_backup_plain were written by the real tool, see python_make_fixtures.py there;
 * python_backup_0_3 is hand-written in the shape of backups before 0.4.0).
 *
 * Expected values are given in the canonical rendering of tests/_graph.ts, which is independent
 * of the project's codec.
 *
 * @module
 */
import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parseJson } from "../lib/codec/parse_json.ts";
import { BackupError } from "../lib/errors.ts";
import { type BackupReader, openBackup } from "../lib/format/backup_reader.ts";
import {
  decodePythonValue,
  parsePythonRecord,
  pythonOffsetSeconds,
  replaceBareFloats,
  splitLabels,
} from "../lib/format/_python_record.ts";
import type { BackupRecord, NodeRecord } from "../lib/format/record.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";
import { renderValue } from "./_graph.ts";

const TESTDATA = new URL("./testdata/", import.meta.url).pathname;

/** Decodes a property value from its JSON text as the reader does. */
function decode(text: string, strict = true): string {
  return renderValue(
    decodePythonValue(parseJson(replaceBareFloats(text)), strict),
  );
}

Deno.test("decodePythonValue decodes every value the Python tool writes", async (t) => {
  const cases: [json: string, rendered: string][] = [
    ["1", "Integer(1)"],
    ["9007199254740993", "Integer(9007199254740993)"],
    ["-9223372036854775808", "Integer(-9223372036854775808)"],
    ["9223372036854775807", "Integer(9223372036854775807)"],
    ["1.0", "Float(1.0)"],
    ["-0.0", "Float(-0.0)"],
    ["0.1", "Float(0.1)"],
    ["1e+16", "Float(10000000000000000.0)"],
    ["5e-324", "Float(5e-324)"],
    ["1.7976931348623157e+308", "Float(1.7976931348623157e+308)"],
    ["NaN", "Float(NaN)"],
    ["Infinity", "Float(Infinity)"],
    ["-Infinity", "Float(-Infinity)"],
    ["true", "Boolean(true)"],
    ["false", "Boolean(false)"],
    [
      '"Tom H\\u00e9nks \\ud83d\\ude00"',
      renderValue("Tom H\u00e9nks \u{1F600}"),
    ],
    ['"NaN"', renderValue("NaN")],
    ['"say \\"NaN\\" -Infinity"', renderValue('say "NaN" -Infinity')],
    ["\"time('21:40:32')\"", renderValue("time('21:40:32')")],
    // A byte array as Python's repr: a string could be the same text, so it stays a string.
    ["\"b'\\\\x01\\\\xff'\"", renderValue("b'\\x01\\xff'")],
    ['""', renderValue("")],
    [
      "\"$point({x: 1.5, y: -2.0, crs: 'cartesian'})\"",
      "Point(7203,1.5,-2.0)",
    ],
    [
      "\"$point({x: 1.0, y: 2.0, z: 3.0, crs: 'cartesian-3d'})\"",
      "Point(9157,1.0,2.0,3.0)",
    ],
    [
      "\"$point({x: 12.5, y: 56.25, crs: 'wgs-84'})\"",
      "Point(4326,12.5,56.25)",
    ],
    [
      "\"$point({x: 56.0, y: 12.0, z: 2, crs: 'wgs-84-3d'})\"",
      "Point(4979,56.0,12.0,2.0)",
    ],
    [
      "\"$point({x: 1e+300, y: -1.5e-300, crs: 'cartesian'})\"",
      "Point(7203,1e+300,-1.5e-300)",
    ],
    ["\"$date('1999-01-01')\"", "Date(1999-01-01)"],
    ["\"$date('0001-01-01')\"", "Date(0001-01-01)"],
    [
      "\"$time('21:40:32.142000000+01:00')\"",
      "Time(21:40:32.142000000+01:00)",
    ],
    [
      "\"$time('10:00:00.000000000+00:00')\"",
      "Time(10:00:00.000000000+00:00)",
    ],
    ["\"$time('12:50:35.556000001')\"", "LocalTime(12:50:35.556000001)"],
    // Negative offsets that are not whole hours, as Python drivers before 6.0 write them.
    [
      "\"$time('21:40:32.000000000-04:30')\"",
      "Time(21:40:32.000000000-03:30)",
    ],
    [
      "\"$time('10:00:00.000000000-01:30')\"",
      "Time(10:00:00.000000000-00:30)",
    ],
    [
      "\"$time('10:00:00.000000000-01:59')\"",
      "Time(10:00:00.000000000-00:01)",
    ],
    [
      "\"$time('10:00:00.000000000-10:15')\"",
      "Time(10:00:00.000000000-09:45)",
    ],
    // Whole hours, and the form no buggy driver writes, read as written.
    [
      "\"$time('10:00:00.000000000-05:00')\"",
      "Time(10:00:00.000000000-05:00)",
    ],
    [
      "\"$time('10:00:00.000000000-00:30')\"",
      "Time(10:00:00.000000000-00:30)",
    ],
    [
      "\"$time('10:00:00.000000000+05:45')\"",
      "Time(10:00:00.000000000+05:45)",
    ],
    [
      "\"$datetime('2015-06-24T12:50:35.556000000+01:00')\"",
      "DateTime(2015-06-24T12:50:35.556000000+01:00)",
    ],
    [
      "\"$datetime('2015-06-24T12:50:35.000000000-10:30')\"",
      "DateTime(2015-06-24T12:50:35.000000000-09:30)",
    ],
    [
      "\"$datetime('2015-07-04T19:32:24.000000000')\"",
      "LocalDateTime(2015-07-04T19:32:24.000000000)",
    ],
    [
      "\"$datetime('9999-12-31T23:59:59.999999999')\"",
      "LocalDateTime(9999-12-31T23:59:59.999999999)",
    ],
    ["\"$duration('P5M1DT12H')\"", "Duration(5,1,43200,0)"],
    ["\"$duration('PT0S')\"", "Duration(0,0,0,0)"],
    ["\"$duration('P1Y2M25DT5H6M7.000000008S')\"", "Duration(14,25,18367,8)"],
    [
      "\"$duration('P-1Y-2M3DT-1H-1M-0.999999995S')\"",
      "Duration(-14,3,-3661,5)",
    ],
    ["\"$duration('PT-0.999999999S')\"", "Duration(0,0,-1,1)"],
    ["\"$duration('PT-1.5S')\"", "Duration(0,0,-2,500000000)"],
    ["\"$duration('PT0.5S')\"", "Duration(0,0,0,500000000)"],
    ["\"$duration('P2W1D')\"", "Duration(0,15,0,0)"],
    [
      "\"$duration('P8333333333Y4MT2500000000H')\"",
      "Duration(100000000000,0,9000000000000,0)",
    ],
    ["[1, 9007199254740993]", "List[Integer(1), Integer(9007199254740993)]"],
    ["[1.0, NaN, -Infinity]", "List[Float(1.0), Float(NaN), Float(-Infinity)]"],
    ["[true, false]", "List[Boolean(true), Boolean(false)]"],
    ["[]", "List[]"],
    [
      "[\"$date('2020-01-01')\", \"$date('2021-01-01')\"]",
      "List[Date(2020-01-01), Date(2021-01-01)]",
    ],
    [
      "[\"$point({x: 1.0, y: 2.0, crs: 'cartesian'})\"]",
      "List[Point(7203,1.0,2.0)]",
    ],
    [
      "[\"$time('10:00:00.000000000-04:30')\", \"$time('11:00:00.000000000+01:00')\"]",
      "List[Time(10:00:00.000000000-03:30), Time(11:00:00.000000000+01:00)]",
    ],
    [
      "[\"$duration('P1D')\", \"$duration('PT1S')\"]",
      "List[Duration(0,1,0,0), Duration(0,0,1,0)]",
    ],
    // Lists that cannot be lists of encoded values stay lists of strings.
    [
      '["a", "$date(x)"]',
      `List[${renderValue("a")}, ${renderValue("$date(x)")}]`,
    ],
    [
      '["$date(x)", "$time(y)"]',
      `List[${renderValue("$date(x)")}, ${renderValue("$time(y)")}]`,
    ],
    [
      "[\"$date('2020-01-01')\", \"$time('10:00:00.000000000')\"]",
      `List[${renderValue("$date('2020-01-01')")}, ${
        renderValue("$time('10:00:00.000000000')")
      }]`,
    ],
    [
      "[\"$time('10:00:00.000000000+01:00')\", \"$time('10:00:00.000000000')\"]",
      `List[${renderValue("$time('10:00:00.000000000+01:00')")}, ${
        renderValue("$time('10:00:00.000000000')")
      }]`,
    ],
  ];
  for (const [json, rendered] of cases) {
    await t.step(json, () => {
      equal(decode(json), rendered);
    });
  }
});

Deno.test("decodePythonValue reads records before 0.4.0 (no hash_props) leniently", async (t) => {
  const cases: [json: string, rendered: string][] = [
    // Unhashed and malformed: the string it was.
    ['"$date(not a date)"', renderValue("$date(not a date)")],
    ['"$point(x)"', renderValue("$point(x)")],
    // Well-formed: a value (the string it may have been cannot be told).
    ["\"$date('2020-01-01')\"", "Date(2020-01-01)"],
  ];
  for (const [json, rendered] of cases) {
    await t.step(json, () => equal(decode(json, false), rendered));
  }
});

Deno.test("decodePythonValue refuses what no Python backup holds", async (t) => {
  const cases: [json: string, error: typeof Error, message: RegExp][] = [
    ['"$date(not a date)"', SyntaxError, /expected \$date\('\.\.\.'\)/],
    ["\"$date('2020-13-01')\"", SyntaxError, /no month 13/],
    ["\"$time('25:00:00.000000000')\"", SyntaxError, /no hour 25/],
    ["\"$datetime('2020-01-01')\"", SyntaxError, /expected "T"/],
    ["\"$time('10:00:00.000000000+19:00')\"", RangeError, /out of range/],
    [
      "\"$point({x: 1.0, y: 2.0, crs: 'mars'})\"",
      RangeError,
      /unknown crs "mars"/,
    ],
    [
      "\"$point({x: 1.0, y: 2.0, z: 3.0, crs: 'cartesian'})\"",
      SyntaxError,
      /has 2 coordinates/,
    ],
    [
      "\"$point({x: inf, y: 2.0, crs: 'cartesian'})\"",
      RangeError,
      /not a finite/,
    ],
    ['"$point({x: 1.0})"', SyntaxError, /expected \$point/],
    ["\"$duration('P')\"", SyntaxError, /Invalid Duration/],
    ["\"$duration('PT')\"", SyntaxError, /Invalid Duration/],
    ["\"$duration('P1.5D')\"", SyntaxError, /Invalid Duration/],
    ["\"$duration('PT1.0000000001S')\"", SyntaxError, /Invalid Duration/],
    [
      "\"$duration('P99999999999999999999M')\"",
      RangeError,
      /exceed signed 64-bit/,
    ],
    ["9223372036854775808", RangeError, /signed 64-bit/],
    ['{"a": 1}', SyntaxError, /a map is not a property value/],
    ['{"$python-float": "Nope"}', SyntaxError, /a map/],
    ["[[1]]", SyntaxError, /a list inside a list/],
    ["null", SyntaxError, /null is not a property value/],
    ["[null]", SyntaxError, /null is not a property value/],
  ];
  for (const [json, error, message] of cases) {
    await t.step(json, () => {
      throws(() => decode(json), (e: Error) => {
        ok(e instanceof error, `${e.name}: ${e.message}`);
        ok(message.test(e.message), e.message);
        return true;
      });
    });
  }
});

Deno.test("replaceBareFloats replaces bare tokens only, never inside strings", async (t) => {
  const cases: [text: string, expected: string][] = [
    ["[1, 2.5]", "[1, 2.5]"],
    ['[NaN, "NaN"]', '[{"$python-float":"NaN"}, "NaN"]'],
    [
      '{"a": -Infinity, "b": Infinity}',
      '{"a": {"$python-float":"-Infinity"}, "b": {"$python-float":"Infinity"}}',
    ],
    [
      '{"s": "x\\" NaN \\"", "n": NaN}',
      '{"s": "x\\" NaN \\"", "n": {"$python-float":"NaN"}}',
    ],
    ['["\\\\", NaN]', '["\\\\", {"$python-float":"NaN"}]'],
    ['["\\\\\\"Infinity"]', '["\\\\\\"Infinity"]'],
    [
      "[\n    NaN,\n    -Infinity\n]",
      '[\n    {"$python-float":"NaN"},\n    {"$python-float":"-Infinity"}\n]',
    ],
  ];
  for (const [text, expected] of cases) {
    await t.step(text, () => {
      equal(replaceBareFloats(text), expected);
      JSON.parse(expected);
    });
  }
});

Deno.test("pythonOffsetSeconds undoes the Python driver's negative offsets", () => {
  const minutes = (m: number): number => m * 60;
  // Every offset to the minute from -18:00 to +18:00, written as drivers before 6.0 write it.
  for (let total = -18 * 60; total <= 18 * 60; total++) {
    const hours = Math.floor(total / 60);
    const rest = total - hours * 60;
    const writtenSeconds = (hours < 0 ? -1 : 1) *
      (Math.abs(hours) * 3600 + rest * 60);
    // Python prints "%+03d:%02d" % (hours, rest); the sign covers both parts when read back.
    equal(pythonOffsetSeconds(writtenSeconds), minutes(total), `${total}`);
  }
});

Deno.test("splitLabels splits on ':', keeping labels the backup's constraints name", async (t) => {
  const cases: [text: string, colonLabels: string[], labels: string[]][] = [
    ["", [], []],
    ["Person", [], ["Person"]],
    ["Actor:Person", [], ["Actor", "Person"]],
    ["a:b:dash-label:MATCH:My Label", [], [
      "a",
      "b",
      "dash-label",
      "MATCH",
      "My Label",
    ]],
    ["Tag:Name", ["Tag:Name"], ["Tag:Name"]],
    ["a:b:c", ["a:b"], ["a:b", "c"]],
    ["a:b:c", ["b:c"], ["a", "b:c"]],
    ["a:b:c", ["b:c", "a:b:c"], ["a:b:c"]],
    ["a:a:b:b", ["a:b"], ["a", "a:b", "b"]],
    ["x:y", [], ["x", "y"]],
  ];
  for (const [text, colonLabels, labels] of cases) {
    await t.step(`${text} ${JSON.stringify(colonLabels)}`, () => {
      deepEqual(splitLabels(text, colonLabels), labels);
    });
  }
  await t.step("an empty piece is refused", () => {
    throws(() => splitLabels("x::y"), /empty label/);
    throws(() => splitLabels(":x"), /empty label/);
  });
});

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

Deno.test("parsePythonRecord restores hashed strings and checks the record's shape", async (t) => {
  const hashed = "$date('2020-01-01')";
  await t.step("hash_props restores the original string", () => {
    const record = parsePythonRecord(
      JSON.stringify({
        node_id: 3,
        node_labels: "",
        node_props: { s: sha256(hashed), n: 1 },
        hash_props: { s: hashed },
      }),
      "node",
    );
    deepEqual(record, {
      kind: "node",
      id: 3n,
      labels: [],
      properties: { s: hashed, n: 1n },
    });
  });
  await t.step("relationships", () => {
    const record = parsePythonRecord(
      '{"rel_id": 0, "start_node_id": 1, "end_node_id": 2, "rel_type": "T", "rel_props": {"w": NaN}, "hash_props": {}}',
      "relationship",
    );
    equal(record.kind, "relationship");
    ok(record.kind === "relationship" && record.startId === 1n);
    ok(Number.isNaN(record.properties.w));
  });
  const bad: [text: string, kind: BackupRecord["kind"], message: RegExp][] = [
    [
      JSON.stringify({
        node_id: 1,
        node_labels: "",
        node_props: { s: sha256("other") },
        hash_props: { s: hashed },
      }),
      "node",
      /property "s" is not the SHA-256 of its text/,
    ],
    [
      '{"node_id": 1, "node_labels": "", "node_props": {}, "hash_props": {"s": "x"}}',
      "node",
      /hash_props holds "s", which node_props does not/,
    ],
    [
      '{"node_id": 1, "node_labels": "", "node_props": {"d": "$date(x)"}, "hash_props": {}}',
      "node",
      /property "d": Invalid value "\$date\(x\)"/,
    ],
    [
      '{"node_id": 1, "node_labels": [], "node_props": {}}',
      "node",
      /field "node_labels" is not a string/,
    ],
    [
      '{"node_id": 1.0, "node_labels": "", "node_props": {}}',
      "node",
      /field "node_id" is not an integer/,
    ],
    ['{"node_labels": "", "node_props": {}}', "node", /"node_id" is missing/],
    [
      '{"node_id": 1, "node_labels": "", "node_props": {}, "extra": 1}',
      "node",
      /unknown field "extra"/,
    ],
    [
      '{"rel_id": 0, "start_node_id": 1, "end_node_id": 2, "rel_type": "", "rel_props": {}}',
      "relationship",
      /"rel_type" is empty/,
    ],
    ["[1]", "node", /not a JSON object/],
    ["{nonsense}", "node", /JSON/],
  ];
  for (const [text, kind, message] of bad) {
    await t.step(`refused: ${text.slice(0, 70)}`, () => {
      throws(() => parsePythonRecord(text, kind), message);
    });
  }
});

async function readAll(backup: BackupReader): Promise<BackupRecord[]> {
  const records: BackupRecord[] = [];
  for (const file of backup.files) {
    for await (const batch of backup.records(file)) records.push(...batch);
  }
  return records;
}

/** A record as canonical text: labels or type, ids, and every property rendered. */
function renderRecord(record: BackupRecord): string {
  const props = Object.keys(record.properties).sort().map((k) =>
    `${k}=${renderValue(record.properties[k])}`
  ).join(" ");
  return record.kind === "node"
    ? `node ${record.id} [${record.labels.join("|")}] ${props}`
    : `rel ${record.id} ${record.startId}-[${record.type}]->${record.endId} ${props}`;
}

Deno.test("openBackup reads backups written by the real Python tool", async (t) => {
  const gz = await openBackup(join(TESTDATA, "python_backup_gz"));
  const plain = await openBackup(join(TESTDATA, "python_backup_plain"));

  await t.step("format, files in import order, schema", () => {
    equal(gz.format, "python");
    equal(gz.manifest, null);
    deepEqual(gz.files.map((f) => [f.path, f.compressed, f.records]), [
      ["data/nodes_4.json.gz", true, null],
      ["data/relationships_4.json.gz", true, null],
    ]);
    deepEqual(plain.files.map((f) => f.path), [
      "data/nodes_1.json",
      "data/nodes_2.json",
      "data/nodes_3.json",
      "data/nodes_4.json",
      "data/relationships_1.json",
      "data/relationships_2.json",
      "data/relationships_3.json",
      "data/relationships_4.json",
    ]);
    deepEqual(
      gz.schema.constraints.map((c) => [
        c.name,
        c.type,
        c.entityType,
        c.labelsOrTypes,
        c.properties,
      ]),
      [
        ["movie_a_b", "UNIQUENESS", "NODE", ["Movie"], ["a", "b"]],
        ["person_name", "UNIQUENESS", "NODE", ["Person"], ["name"]],
        ["tag_id", "UNIQUENESS", "NODE", ["Tag:Name"], ["id"]],
      ],
    );
    deepEqual(gz.schema.indexes, []);
    deepEqual(plain.schema, gz.schema);
  });

  await t.step("records, value for value", async () => {
    const records = await readAll(gz);
    deepEqual(
      (await readAll(plain)).map(renderRecord).sort(),
      records.map(renderRecord).sort(),
    );
    const person = records.find((r): r is NodeRecord =>
      r.kind === "node" && r.labels.includes("Person")
    )!;
    deepEqual(person.labels, ["Actor", "Person"]);
    const rendered = Object.fromEntries(
      Object.entries(person.properties).map(([k, v]) => [k, renderValue(v)]),
    );
    deepEqual(rendered, {
      name: renderValue("Tom H\u00e9nks"),
      born: "Integer(1956)",
      big: "Integer(9007199254740993)",
      f: "Float(1.0)",
      nan: "Float(NaN)",
      inf: "Float(Infinity)",
      ninf: "Float(-Infinity)",
      yes: "Boolean(true)",
      p: "Point(7203,1.5,-2.0)",
      p3: "Point(9157,1.0,2.0,3.0)",
      geo: "Point(4326,12.5,56.25)",
      geo3: "Point(4979,12.0,56.0,100.5)",
      d: "Date(1999-01-31)",
      t: "Time(21:40:32.142000000+01:00)",
      tNeg: "Time(21:40:32.000000000-03:30)",
      lt: "LocalTime(12:50:35.556000001)",
      dt: "DateTime(2015-06-24T12:50:35.556000000+01:00)",
      // America/St_Johns in June is -02:30, written "-03:30" and read back.
      dtZone: "DateTime(2015-06-24T12:50:35.000000000-02:30)",
      ldt: "LocalDateTime(2015-07-04T19:32:24.000000000)",
      du: "Duration(-14,3,-3661,5)",
      hashed: renderValue("$date('2020-01-01')"),
      plain: renderValue("time(x)"),
      bytes: renderValue("b'\\x01\\xff'"),
      ints: "List[Integer(1), Integer(2)]",
      floats: "List[Float(1.0), Float(NaN)]",
      dates: "List[Date(2020-01-01)]",
      strings: `List[${renderValue("a")}, ${renderValue("$date(x)")}]`,
    });
    const nodes = records.filter((r) => r.kind === "node");
    ok(nodes.some((r) => r.kind === "node" && r.labels.length === 0));
    ok(
      nodes.some((r) =>
        r.kind === "node" && r.labels.length === 1 && r.labels[0] === "Tag:Name"
      ),
    );
    const relationships = records.filter((r) => r.kind === "relationship");
    equal(relationships.length, 4);
    const rel = relationships.find((r) =>
      r.kind === "relationship" && r.type === "REL TYPE"
    )!;
    deepEqual(Object.keys(rel.properties).sort(), ["at", "t"]);
    equal(renderValue(rel.properties.t), renderValue("$time(x)"));
    equal(renderValue(rel.properties.at), "Time(10:00:00.000000000-00:30)");
  });

  await t.step("verifyBackup", async () => {
    for (const dir of ["python_backup_gz", "python_backup_plain"]) {
      const counts = await verifyBackup(join(TESTDATA, dir));
      equal(counts.nodes, 4);
      equal(counts.relationships, 4);
    }
  });
});

Deno.test("openBackup reads a backup older than 0.4.0 and trusts file names over compressed.json", async () => {
  const backup = await openBackup(join(TESTDATA, "python_backup_0_3"));
  equal(backup.format, "python");
  // compressed.json says true; the files are plain JSON, as their names say.
  deepEqual(backup.files.map((f) => [f.path, f.compressed]), [
    ["data/nodes_2.json", false],
    ["data/relationships_1.json", false],
  ]);
  deepEqual(backup.schema, { constraints: [], indexes: [] });
  deepEqual((await readAll(backup)).map(renderRecord), [
    `node 10 [Person] name=${renderValue("Ann")} odd=${
      renderValue("$date(not a date)")
    } when=Date(2020-01-01)`,
    "node 11 [] n=Float(-Infinity)",
    "rel 0 10-[KNOWS]->11 since=Duration(12,0,0,0)",
  ]);
});

/** A copy of a fixture in a temporary directory, changed by `edit`. */
async function withCopy(
  fixture: string,
  edit: (dir: string) => Promise<void>,
  check: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "python-backup-" });
  try {
    const source = join(TESTDATA, fixture);
    await Deno.mkdir(join(dir, "data"));
    for (const entry of Deno.readDirSync(source)) {
      if (entry.isFile) {
        await Deno.copyFile(join(source, entry.name), join(dir, entry.name));
      }
    }
    for (const entry of Deno.readDirSync(join(source, "data"))) {
      await Deno.copyFile(
        join(source, "data", entry.name),
        join(dir, "data", entry.name),
      );
    }
    await edit(dir);
    await check(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function isInvalid(
  file: string,
  record?: number,
  message?: RegExp,
): (e: BackupError) => boolean {
  return (e: BackupError): boolean => {
    ok(e instanceof BackupError, String(e));
    equal(e.code, "INVALID_BACKUP", e.message);
    equal(e.file, file, e.message);
    equal(e.record, record, e.message);
    if (message) ok(message.test(e.message), e.message);
    return true;
  };
}

Deno.test("a bad Python backup is refused with the file and record", async (t) => {
  const fixture = "python_backup_0_3";
  const write = (dir: string, path: string, text: string): Promise<void> =>
    Deno.writeTextFile(join(dir, path), text);

  await t.step("a bad record: file and 1-based record number", async () => {
    await withCopy(
      fixture,
      (dir) =>
        write(
          dir,
          "data/nodes_2.json",
          '[{"node_id": 1, "node_labels": "", "node_props": {}},\n{"node_id": 2, "node_labels": "", "node_props": {"p": "$point({x: 1.0})"}, "hash_props": {}}]',
        ),
      async (dir) => {
        await rejects(
          verifyBackup(dir),
          isInvalid(
            "data/nodes_2.json",
            2,
            /invalid record 2 in data\/nodes_2\.json: property "p": Invalid Point value/,
          ),
        );
      },
    );
  });
  await t.step("a truncated file", async () => {
    await withCopy(
      fixture,
      (dir) => write(dir, "data/relationships_1.json", '[{"rel_id": 0, "start'),
      async (dir) => {
        await rejects(
          verifyBackup(dir),
          isInvalid("data/relationships_1.json", undefined, /corrupt/),
        );
      },
    );
  });
  await t.step("a relationship to a node the backup lacks", async () => {
    await withCopy(
      fixture,
      (dir) =>
        write(
          dir,
          "data/relationships_1.json",
          '[{"rel_id": 0, "start_node_id": 10, "end_node_id": 99, "rel_type": "T", "rel_props": {}}]',
        ),
      async (dir) => {
        await rejects(
          verifyBackup(dir),
          isInvalid("data/relationships_1.json", 1, /ends at node 99/),
        );
      },
    );
  });
  const opening: [
    name: string,
    edit: (dir: string) => Promise<void>,
    file: string,
    message: RegExp,
  ][] = [
    [
      "another file in data/",
      (dir) => write(dir, "data/lonely_nodes_1.json", "[]"),
      "data/lonely_nodes_1.json",
      /is not a data file/,
    ],
    [
      "the same file compressed and not",
      (dir) => write(dir, "data/nodes_2.json.gz", ""),
      "data/nodes_2.json.gz",
      /both present/,
    ],
    [
      "compressed.json that is not a boolean",
      (dir) => write(dir, "compressed.json", '"yes"'),
      "compressed.json",
      /does not hold true or false/,
    ],
    [
      "uniqueness_constraints.json that is not JSON",
      (dir) => write(dir, "uniqueness_constraints.json", "[{"),
      "uniqueness_constraints.json",
      /is not JSON/,
    ],
    [
      "a constraint without a property",
      (dir) =>
        write(
          dir,
          "uniqueness_constraints.json",
          '[{"node_label": "A", "constraint_name": "c"}]',
        ),
      "uniqueness_constraints.json",
      /entry 1 has no "node_prop" string/,
    ],
    [
      "no data folder",
      (dir) => Deno.remove(join(dir, "data"), { recursive: true }),
      "data",
      /is missing/,
    ],
  ];
  for (const [name, edit, file, message] of opening) {
    await t.step(name, async () => {
      await withCopy(fixture, edit, async (dir) => {
        await rejects(openBackup(dir), isInvalid(file, undefined, message));
      });
    });
  }
});

Deno.test("openBackup tells a Python backup from this tool's directories", async (t) => {
  await t.step(
    "compressed.json alone (this tool writes it too) is not a Python backup",
    async () => {
      await withCopy(
        "python_backup_0_3",
        (dir) => Deno.remove(join(dir, "unique_prop_key.json")),
        async (dir) => {
          await rejects(
            openBackup(dir),
            (e: BackupError) =>
              e.code === "INVALID_BACKUP" && /not a backup/.test(e.message),
          );
        },
      );
    },
  );
  await t.step("this tool's INCOMPLETE marker wins", async () => {
    await withCopy(
      "python_backup_0_3",
      (dir) => Deno.writeTextFile(join(dir, "INCOMPLETE"), "x"),
      async (dir) => {
        await rejects(
          openBackup(dir),
          (e: BackupError) => e.code === "INCOMPLETE_BACKUP",
        );
      },
    );
  });
  await t.step(
    "an import journal beside the files changes nothing",
    async () => {
      await withCopy(
        "python_backup_0_3",
        (dir) => Deno.writeTextFile(join(dir, "import-abc.journal"), "{}\n"),
        async (dir) => {
          equal((await openBackup(dir)).format, "python");
        },
      );
    },
  );
});
