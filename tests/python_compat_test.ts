// deno-lint-ignore-file no-console
/**
 * Migration from the Python package neo4j-backup 1.0.0: its Extractor (from PyPI, in a virtual
 * environment under the project's cache, see dev/python_tool.ts) backs up a dataset of every
 * type its format holds; this tool's Importer restores that directory; the two graphs are
 * compared value for value and type for type. What the Python format cannot hold is listed in
 * EXPECTED_DIFFERENCES, each with its reason; any other difference fails the test.
 *
 * Names that need escaping (spaces, dashes, backticks, reserved words, a colon) are in the
 * dataset: the Python Extractor writes them as they are (only its importer fails on them, and it
 * is not used here). Values the Python driver cannot read (years outside 1..9999) are in it too,
 * to show what the Python tool writes for them.
 *
 * The test is skipped only when PyPI cannot be reached to install the Python tool.
 *
 * @module
 */
import { journalNames } from "./_cli.ts";
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import neo4j, { type Driver } from "neo4j-driver";
import { ensurePythonTool, type PythonTool } from "../dev/python_tool.ts";
import { escapeName } from "../lib/_cypher.ts";
import { readServerInfo } from "../lib/_server_info.ts";
import { BackupError } from "../lib/errors.ts";
import { openBackup } from "../lib/format/backup_reader.ts";
import { Importer } from "../lib/import/importer.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";
import {
  diffSnapshots,
  type GraphSnapshot,
  renderValue,
  snapshotGraph,
  snapshotSchema,
  tokenSnapshot,
} from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

const SCRIPT = new URL("./testdata/python_extract.py", import.meta.url)
  .pathname;

/** Whether the package index pip uses answers (the only reason to skip). */
async function pypiUnreachable(): Promise<string | undefined> {
  const index = Deno.env.get("PIP_INDEX_URL") ?? "https://pypi.org/simple/";
  const url = `${index.replace(/\/?$/, "/")}neo4j-backup/`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
    await response.body?.cancel();
    return response.ok ? undefined : `${url} answered ${response.status}`;
  } catch (error) {
    return `${url}: ${(error as Error).message}`;
  }
}

/** The Python tool, or why the test is skipped; an install that fails with PyPI up is an error. */
async function setUp(): Promise<PythonTool | { skip: string } | Error> {
  try {
    return await ensurePythonTool((message) => console.error(message));
  } catch (error) {
    const unreachable = await pypiUnreachable();
    if (unreachable) return { skip: `PyPI cannot be reached (${unreachable})` };
    return error as Error;
  }
}

const setup = await setUp();
if ("skip" in setup) {
  console.error(
    `python_compat_test: skipped: ${setup.skip}; neo4j-backup 1.0.0 cannot be installed`,
  );
}

/** Runs the Python tool's Extractor on the test server; returns the versions it ran with. */
async function pythonExtract(
  python: string,
  driver: Driver,
  dir: string,
  options: { compress: boolean; indent: number; jsonFileSize: number },
): Promise<Record<string, string>> {
  const target = await testTarget();
  const { records } = await driver.executeQuery(
    "CALL db.info() YIELD name RETURN name",
    {},
    { database: target.database, routing: neo4j.routing.READ },
  );
  const database = String(records[0]!.get("name"));
  const output = await new Deno.Command(python, {
    args: [
      SCRIPT,
      target.uri,
      target.username,
      target.password,
      database,
      dir,
      options.compress ? "1" : "0",
      String(options.indent),
      String(options.jsonFileSize),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
  if (!output.success) {
    throw new Error(
      `The Python extract failed:\n${text(output.stderr).slice(-3000)}`,
    );
  }
  return JSON.parse(text(output.stdout).trim().split("\n").at(-1)!);
}

const n = escapeName;

/**
 * The dataset: every type the Python format holds (with the edge values that matter to it),
 * names that need escaping, multi-label, unlabelled and colon-named nodes, parallel
 * relationships and a self-loop, and uniqueness constraints (single, composite, escaped names, a
 * label with a colon). The node `Lossy` holds what the format cannot keep (see
 * EXPECTED_DIFFERENCES). Values go as parameters; temporal values and points are built by the
 * server from text or maps.
 */
async function createDataset(
  driver: Driver,
  database: string | undefined,
): Promise<{ nodes: number; relationships: number }> {
  const params = {
    big: 9007199254740993n,
    min: -9223372036854775808n,
    max: 9223372036854775807n,
    floats: [1.0, -0.0, 0.1, 1e16, 5e-324, 1.7976931348623157e308, 123456789],
    nan: NaN,
    inf: Infinity,
    ninf: -Infinity,
    name: 'Tom H\u00e9nks \u{1F600} \u4e2d\u6587 tab\t nl\n quote" back\\slash',
    hashed: {
      date: "$date('2020-01-01')",
      point: "$point({x: 1.0, y: 2.0, crs: 'cartesian'})",
      pointBad: "$point(nonsense",
      time: "$time(",
      datetime: "$datetime('x')",
      duration: "$duration('P1D')",
    },
    plain: [
      "time('21:40:32.142000000+01:00')",
      "NaN",
      "Infinity",
      "-Infinity",
      'say NaN "Infinity" -Infinity',
      '{"$python-float":"NaN"}',
      "b'\\x01\\xff'",
      "",
    ],
    dates: ["1999-01-31", "0001-01-01", "9999-12-31", "2024-02-29"],
    times: [
      "21:40:32.142+01:00",
      "10:00Z",
      "21:40:32-03:30",
      "08:15-00:30",
      "23:59:59.999999999+05:45",
      "00:00:00.000000001-10:00",
      "12:00+14:00",
      "12:00-09:30",
    ],
    localTimes: ["12:50:35.556000001", "00:00", "23:59:59.999999999"],
    dateTimes: [
      "2015-06-24T12:50:35.556+01:00",
      "2015-06-24T12:50:35-09:30",
      "2000-01-01T00:00Z",
      "1970-01-01T00:00:00.000000001-00:30",
      "2020-02-29T23:59:59.999999999+14:00",
      "0001-01-01T00:00-03:30",
    ],
    localDateTimes: [
      "2015-07-04T19:32:24",
      "0001-01-01T00:00",
      "9999-12-31T23:59:59.999999999",
    ],
    durations: [
      { months: 14n, days: 25n, seconds: 18367n, nanoseconds: 8n },
      { months: -14n, days: 3n, seconds: -3661n, nanoseconds: 5n },
      { seconds: 0n },
      { seconds: -1n, nanoseconds: 1n },
      { months: 100000000000n, seconds: 9000000000000n },
      { days: -7n, seconds: 59n, nanoseconds: 999999999n },
    ],
    points: [
      { x: 1.5, y: -2.0 },
      { x: 1, y: 2, z: 3 },
      { longitude: 12.5, latitude: 56.25 },
      { longitude: -179.999999, latitude: -89.5, height: 100.5 },
      { x: 1e300, y: -1.5e-300 },
    ],
    bytes: new Int8Array([1, -1, -128]),
  };
  await driver.executeQuery(
    `
    CREATE (typed:Person:Actor {
      name: $name, int: 1, zero: 0, negative: -42, big: $big, min: $min, max: $max,
      f1: $floats[0], fNegZero: $floats[1], fTenth: $floats[2], f1e16: $floats[3],
      fTiny: $floats[4], fHuge: $floats[5], fIntegral: $floats[6], fNaN: $nan, fInf: $inf,
      fNegInf: $ninf, yes: true, no: false,
      hDate: $hashed.date, hPoint: $hashed.point, hPointBad: $hashed.pointBad,
      hTime: $hashed.time, hDateTime: $hashed.datetime, hDuration: $hashed.duration,
      s0: $plain[0], s1: $plain[1], s2: $plain[2], s3: $plain[3], s4: $plain[4], s5: $plain[5],
      looksLikeBytes: $plain[6], empty: $plain[7], ${n("$python-float")}: 'NaN',
      p2d: point($points[0]), p3d: point($points[1]), pGeo: point($points[2]),
      pGeo3d: point($points[3]), pExtreme: point($points[4]),
      d0: date($dates[0]), d1: date($dates[1]), d2: date($dates[2]), d3: date($dates[3]),
      t0: time($times[0]), t1: time($times[1]), t2: time($times[2]), t3: time($times[3]),
      t4: time($times[4]), t5: time($times[5]), t6: time($times[6]), t7: time($times[7]),
      lt0: localtime($localTimes[0]), lt1: localtime($localTimes[1]),
      lt2: localtime($localTimes[2]),
      dt0: datetime($dateTimes[0]), dt1: datetime($dateTimes[1]), dt2: datetime($dateTimes[2]),
      dt3: datetime($dateTimes[3]), dt4: datetime($dateTimes[4]), dt5: datetime($dateTimes[5]),
      ldt0: localdatetime($localDateTimes[0]), ldt1: localdatetime($localDateTimes[1]),
      ldt2: localdatetime($localDateTimes[2]),
      du0: duration($durations[0]), du1: duration($durations[1]), du2: duration($durations[2]),
      du3: duration($durations[3]), du4: duration($durations[4]), du5: duration($durations[5]),
      listInt: [1, $big, $min, $max], listFloat: $floats + [$nan, $inf, $ninf],
      listString: ['a', '$date(x)', $hashed.date, 'NaN'], listLiteralLike: ['$date(x)', '$time(y)'],
      listBool: [true, false, true],
      listPoint: [point($points[0]), point({x: 3, y: 4})],
      listPoint3d: [point($points[1])], listGeo: [point($points[2]), point($points[2])],
      listDate: [s IN $dates | date(s)], listTime: [s IN $times | time(s)],
      listLocalTime: [s IN $localTimes | localtime(s)],
      listDateTime: [s IN $dateTimes | datetime(s)],
      listLocalDateTime: [s IN $localDateTimes | localdatetime(s)],
      listDuration: [m IN $durations | duration(m)],
      listEmpty: []
    })
    CREATE (movie:Movie {title: 'The Matrix', a: 1, b: 'x', released: date('1999-03-31')})
    CREATE (odd:${n("My Label")}:${n("dash-label")}:${n("MATCH")}:${
      n("\u00e9t\u00e9")
    } {
      ${n("key with space")}: 1, ${n("k-dash")}: 'v', ${n("MATCH")}: 2.5
    })
    CREATE (tick:${n("Back`tick")} {x: 1})
    CREATE (tagged:${n("Tag:Name")} {id: 7})
    CREATE (bare {note: 'no label', at: datetime('2021-11-07T01:30-05:00')})
    CREATE (empty)
    CREATE (lone:Movie {title: 'Lonely', a: 2, b: 'y'})
    CREATE (split:${n("x:y")} {k: 1})
    CREATE (lossy:Lossy {
      zoned: datetime('2020-07-15T10:00[Europe/London]'),
      zonedNegative: datetime('2020-01-15T10:00:00.5[America/St_Johns]'),
      zonedList: [datetime('2020-07-15T10:00[Pacific/Marquesas]')],
      bytes: $bytes,
      timeSeconds: time({hour: 10, timezone: '+01:00:30'}),
      timeNegativeSeconds: time({hour: 10, timezone: '-00:00:30'}),
      dateTimeSeconds: datetime({year: 2020, timezone: '+01:00:30'}),
      ancient: date('-0044-03-15'),
      literalList: ["$date('2020-01-01')", "$date('2021-01-01')"]
    })
    CREATE (typed)-[:ACTED_IN {roles: ['Neo'], w: 1.0}]->(movie)
    CREATE (typed)-[:ACTED_IN {roles: ['Neo'], w: 1.0}]->(movie)
    CREATE (typed)-[:ACTED_IN {roles: ['Thomas'], t: $hashed.time, at: time($times[2]),
      p: point($points[3]), d: duration($durations[1]), f: $nan, big: $big}]->(movie)
    CREATE (movie)-[:SEQUEL_OF]->(movie)
    CREATE (odd)-[:${n("REL TYPE")} {${
      n("key with space")
    }: [1.0, 2.0]}]->(tick)
    CREATE (bare)-[:${n("MATCH")}]->(tagged)
    CREATE (tagged)-[:${n("x:y")}]->(split)
    CREATE (lossy)-[:LOSES {bytes: $bytes, zoned: datetime('2020-07-15T10:00[Europe/London]')}]->(bare)
    `,
    params,
    { database },
  );
  for (
    const statement of [
      `CREATE CONSTRAINT person_name FOR (p:Person) REQUIRE p.name IS UNIQUE`,
      `CREATE CONSTRAINT movie_a_b FOR (m:Movie) REQUIRE (m.a, m.b) IS UNIQUE`,
      `CREATE CONSTRAINT ${n("my constraint")} FOR (p:${
        n("My Label")
      }) REQUIRE p.${n("key with space")} IS UNIQUE`,
      `CREATE CONSTRAINT tag_id FOR (t:${
        n("Tag:Name")
      }) REQUIRE t.id IS UNIQUE`,
    ]
  ) {
    await driver.executeQuery(statement, {}, { database });
  }
  return { nodes: 10, relationships: 8 };
}

/**
 * What a backup of the Python tool cannot hold, as canonical renderings (tests/_graph.ts) of the
 * source and of what the restored graph holds instead, with the reason. Every `from` must occur
 * in the source; after these replacements the graphs must be equal.
 */
const EXPECTED_DIFFERENCES: { from: string; to: string; reason: string }[] = [
  {
    from: "DateTime(2020-07-15T10:00:00.000000000+01:00[Europe/London])",
    to: "DateTime(2020-07-15T10:00:00.000000000+01:00)",
    reason: "the Python tool writes a named time zone as the offset it had",
  },
  {
    from: "DateTime(2020-01-15T10:00:00.500000000-03:30[America/St_Johns])",
    to: "DateTime(2020-01-15T10:00:00.500000000-03:30)",
    reason:
      "named time zone written as its offset (as -04:30, which the reader turns back into -03:30)",
  },
  {
    from: "DateTime(2020-07-15T10:00:00.000000000-09:30[Pacific/Marquesas])",
    to: "DateTime(2020-07-15T10:00:00.000000000-09:30)",
    reason: "named time zone written as its offset, in a list too",
  },
  {
    from: renderValue(new Int8Array([1, -1, -128])),
    to: renderValue("b'\\x01\\xff\\x80'"),
    reason:
      "the Python tool writes a byte array as Python's repr text, which a string can equal",
  },
  {
    from: "Time(10:00:00.000000000+01:00:30)",
    to: "Time(10:00:00.000000000+01:00)",
    reason: "offsets are written to the minute, floored",
  },
  {
    from: "Time(10:00:00.000000000-00:00:30)",
    to: "Time(10:00:00.000000000-00:01)",
    reason: "offsets are written to the minute, floored",
  },
  {
    from: "DateTime(2020-01-01T00:00:00.000000000+01:00:30)",
    to: "DateTime(2019-12-31T23:59:30.000000000+01:00)",
    reason:
      "offsets are written to the minute, floored; for a DateTime the Python driver keeps the instant and moves the local time",
  },
  {
    from: "Date(-0044-03-15)",
    to: renderValue("<BrokenHydrationObject>"),
    reason:
      "the Python driver reads no year outside 1..9999; the Python tool writes the text of the object it got instead (memory address masked here)",
  },
  {
    from: `List[${renderValue("$date('2020-01-01')")}, ${
      renderValue("$date('2021-01-01')")
    }]`,
    to: "List[Date(2020-01-01), Date(2021-01-01)]",
    reason:
      "list elements are never hashed: a list of strings that are all well-formed encoded values of one type reads as values of that type",
  },
  {
    from: `(:${JSON.stringify("x:y")} `,
    to: `(:${JSON.stringify("x")}:${JSON.stringify("y")} `,
    reason:
      "labels are written joined with ':'; a label containing ':' reads as several, unless a uniqueness constraint names it (Tag:Name)",
  },
];

/** The memory address in the Python tool's text of an object it could not encode, masked. */
function maskAddresses(snapshot: GraphSnapshot): GraphSnapshot {
  const mask = (s: string): string =>
    s.replace(
      /String\("<neo4j\._codec\.hydration\._common\.BrokenHydrationObject object at 0x[0-9a-f]+>"\)/g,
      renderValue("<BrokenHydrationObject>"),
    );
  return {
    nodes: snapshot.nodes.map(mask).sort(),
    relationships: snapshot.relationships.map(mask).sort(),
  };
}

/**
 * Further differences when the source is Neo4j 4.x: there the Python tool reads constraints with
 * `CALL db.constraints` and keeps those whose description contains "unique", but 4.4 writes
 * "IS UNIQUE", so its backups hold no constraint at all.
 */
const EXPECTED_ON_4: { from: string; to: string; reason: string }[] = [
  {
    from: `(:${JSON.stringify("Tag:Name")} `,
    to: `(:${JSON.stringify("Name")}:${JSON.stringify("Tag")} `,
    reason:
      "without the uniqueness constraint that names it, the label Tag:Name reads as two labels",
  },
];

/** The snapshot the restored graph must equal: the source with the expected differences. */
function expectedSnapshot(
  source: GraphSnapshot,
  sourceMajor: number,
): GraphSnapshot {
  const differences = sourceMajor < 5
    ? [...EXPECTED_DIFFERENCES, ...EXPECTED_ON_4]
    : EXPECTED_DIFFERENCES;
  const all = [...source.nodes, ...source.relationships].join("\n");
  for (const { from } of differences) {
    ok(all.includes(from), `the source does not hold ${from}`);
  }
  const apply = (s: string): string =>
    differences.reduce(
      (text, { from, to }) => text.replaceAll(from, to),
      s,
    );
  return {
    nodes: source.nodes.map(apply).sort(),
    relationships: source.relationships.map(apply).sort(),
  };
}

async function compareRestored(
  driver: Driver,
  database: string | undefined,
  source: GraphSnapshot,
  sourceMajor: number,
): Promise<void> {
  const restored = maskAddresses(await snapshotGraph(driver, database));
  deepEqual(diffSnapshots(expectedSnapshot(source, sourceMajor), restored), []);
}

Deno.test({
  name:
    "a backup of the Python neo4j-backup 1.0.0 restores value for value, type for type",
  ignore: "skip" in setup,
  async fn(t): Promise<void> {
    if (setup instanceof Error) throw setup;
    const { python, versions } = setup as PythonTool;
    await using driver = await openDriver();
    const { database } = await testTarget();
    await wipe(driver, database);
    const { major } = await readServerInfo(driver, database);
    const created = await createDataset(driver, database);
    const source = await snapshotGraph(driver, database);
    const sourceSchema = await snapshotSchema(driver, database);
    equal(source.nodes.length, created.nodes);
    equal(source.relationships.length, created.relationships);
    const dir = await Deno.makeTempDir({ prefix: "python-compat-" });
    const gz = join(dir, "gz");
    const plain = join(dir, "plain");
    try {
      // Its defaults (gzip, no indent, its file size), and plain files indented by 4, cut
      // every few records.
      const ran = await pythonExtract(python, driver, gz, {
        compress: true,
        indent: 0,
        jsonFileSize: 0xffff,
      });
      await pythonExtract(python, driver, plain, {
        compress: false,
        indent: 4,
        jsonFileSize: 60,
      });
      console.log(
        `Python tool: ${JSON.stringify(ran)} (venv ${
          JSON.stringify(versions)
        })`,
      );
      const temporaryKey = JSON.parse(
        await Deno.readTextFile(join(gz, "unique_prop_key.json")),
      ) as string;

      await t.step("the backups open as the Python format", async () => {
        const backup = await openBackup(gz);
        equal(backup.format, "python");
        equal(backup.manifest, null);
        deepEqual(backup.files.map((f) => f.kind), [
          "nodes",
          "relationships",
        ]);
        ok(backup.files.every((f) => f.compressed));
        deepEqual(
          backup.schema.constraints.map((c) => [
            c.name,
            c.labelsOrTypes,
            c.properties,
          ]),
          major < 5 ? [] : [
            ["movie_a_b", ["Movie"], ["a", "b"]],
            ["my constraint", ["My Label"], ["key with space"]],
            ["person_name", ["Person"], ["name"]],
            ["tag_id", ["Tag:Name"], ["id"]],
          ],
        );
        const split = await openBackup(plain);
        ok(split.files.length >= 10, `${split.files.length} files`);
        ok(split.files.every((f) => !f.compressed));
        const counts = await verifyBackup(plain);
        equal(counts.nodes, created.nodes);
        equal(counts.relationships, created.relationships);
      });

      await t.step("import restores the graph and the schema", async () => {
        await wipe(driver, database);
        const journals = journalNames();
        const counts = await new Importer({ projectDir: gz, driver, database })
          .importData();
        equal(counts.nodes, created.nodes);
        equal(counts.relationships, created.relationships);
        equal(counts.constraints, major < 5 ? 0 : 4);
        deepEqual(counts.skipped, []);
        await compareRestored(driver, database, source, major);
        const restoredSchema = await snapshotSchema(driver, database);
        if (major < 5) {
          deepEqual(
            [...restoredSchema.constraints, ...restoredSchema.indexes],
            [],
          );
        } else {
          deepEqual(diffSnapshots(sourceSchema, restoredSchema), []);
        }
        const tokens = await tokenSnapshot(driver, database);
        ok(!tokens.propertyKeys.includes(temporaryKey));
        deepEqual(journalNames(), journals, "no journal left");
      });

      await t.step(
        "an interrupted import resumes to the same graph",
        async () => {
          await wipe(driver, database);
          const controller = new AbortController();
          await rejects(
            new Importer({
              projectDir: plain,
              driver,
              database,
              batchSize: 2,
              signal: controller.signal,
              onProgress: (p) => {
                if (p.phase === "relationships" && p.done >= 2) {
                  controller.abort();
                }
              },
            }).importData(),
            (e: Error) =>
              e instanceof BackupError ||
              (e as DOMException).name === "AbortError",
          );
          const counts = await new Importer({
            projectDir: plain,
            driver,
            database,
            batchSize: 2,
            resume: true,
          }).importData();
          equal(counts.resumed, true);
          await compareRestored(driver, database, source, major);
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
