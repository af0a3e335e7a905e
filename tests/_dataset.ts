/**
 * A test dataset that holds every Neo4j property type with its edge values, names that need
 * escaping, awkward graph shapes (self-loops, parallel and duplicate relationships, duplicate,
 * unlabelled and empty nodes) and every kind of schema the connected Community server supports.
 *
 * Everything is written with parameters: values are never put into Cypher text, and names
 * (labels, relationship types, property keys, schema names) are escaped by
 * {@linkcode escapeName}. Temporal values, durations and points are built server-side by the
 * Cypher functions (`date($s)`, `datetime($s)`, `duration($m)`, `point($m)`...) from string or
 * map parameters, so that their exact value does not depend on the driver's encoder.
 *
 * @module
 */
import neo4j, { type Driver, type ManagedTransaction } from "neo4j-driver";
import { tokenSnapshot } from "./_graph.ts";

/** Optional parts of the dataset, by what the server supports. */
export interface DatasetFeatures {
  /** Relationship uniqueness constraints (Neo4j 5.7+). */
  relationshipUniquenessConstraints: boolean;
  /** A vector index on nodes (5.13+, `CREATE VECTOR INDEX`). */
  vectorIndexes: boolean;
  /** A vector index on relationships (5.18+). */
  relationshipVectorIndexes: boolean;
  /** A BTREE index (4.4 only; removed in 5.0). */
  btreeIndexes: boolean;
  /** A node with VECTOR property values (needs Bolt 6 and a store that accepts them). */
  vectorProperties: boolean;
  /** Whether elementId() was used to address nodes (5+) rather than id() (4.4). */
  elementIds: boolean;
}

/** Something the dataset leaves out, and why. */
export interface Omission {
  what: string;
  reason: string;
}

/** What {@linkcode createFullTypeDataset} created. */
export interface DatasetInfo {
  /** The server's version, e.g. `5.26.30`. */
  serverVersion: string;
  /** Nodes created (the database holds exactly this many if it was empty). */
  nodes: number;
  /** Relationships created. */
  relationships: number;
  /** The labels used, sorted. */
  labels: string[];
  /** The relationship types used, sorted. */
  relationshipTypes: string[];
  /** The property keys used on nodes and relationships, sorted. */
  propertyKeys: string[];
  /** Names of the constraints created, sorted. */
  constraints: string[];
  /** Names of the indexes created explicitly, sorted (constraints' own indexes not included). */
  indexes: string[];
  /** Which optional features this server let the dataset use. */
  features: DatasetFeatures;
  /** What was left out, with the reason. */
  omitted: Omission[];
}

/**
 * Escapes a name (label, relationship type, property key, index or constraint name) for Cypher.
 *
 * Backticks are doubled. Cypher also decodes `\uXXXX` escapes anywhere in a query, inside
 * backticks too (on 4.4, 5 and 2025.x alike), so a name that contains a backslash followed by
 * `u` has every backslash written as `\u005C`, which decodes to a single backslash and cannot
 * start another escape.
 */
export function escapeName(name: string): string {
  const safe = name.includes("\\u") ? name.replaceAll("\\", "\\u005C") : name;
  return "`" + safe.replaceAll("`", "``") + "`";
}

/** Names that need escaping, used as labels, relationship types and property keys. */
export const AWKWARD_NAMES: readonly string[] = [
  "a b",
  "a`b",
  "a:b",
  "a-b",
  "a.b",
  "a'b\"c",
  "a\\b",
  "a\nb",
  "x\tz",
  "MATCH",
  "Order",
  "null",
  "\u00c9t\u00e9",
  "\u{1F600}",
  "\\u0041",
  "end\\",
];

/** A property value that the server builds: `fn(arg)`, or `[x IN list | fn(x)]`. */
type Built =
  | { fn: ServerFunction; arg: unknown }
  | { fn: ServerFunction; list: unknown[] };
type ServerFunction =
  | "date"
  | "localtime"
  | "time"
  | "localdatetime"
  | "datetime"
  | "duration"
  | "point";

interface Properties {
  /** Values sent as parameters as they are. */
  plain?: { [key: string]: unknown };
  /** Values built server-side. */
  built?: { [key: string]: Built };
}

interface NodeSpec extends Properties {
  labels: string[];
}

interface RelationshipSpec extends Properties {
  from: string;
  type: string;
  to: string;
}

interface SchemaSpec {
  kind: "constraint" | "index";
  name: string;
  statement: string;
  options?: { [key: string]: unknown };
}

const fn = (f: ServerFunction, arg: unknown): Built => ({ fn: f, arg });
const fnList = (f: ServerFunction, list: unknown[]): Built => ({ fn: f, list });

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** 256 KiB of bytes in a pattern that covers every byte value. */
function bigBytes(): Int8Array {
  const bytes = new Int8Array(256 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = ((i * 31 + 7) & 0xff) - 128;
  return bytes;
}

const STRINGS: { [key: string]: string } = {
  empty: "",
  astral: "\u{1F600}",
  emojiSequence: "a\u{1F468}\u200D\u{1F469}\u200D\u{1F467}b",
  cjk: "\u6f22\u5b57 \u304b\u306a \u30ab\u30ca \ud55c\uad6d\uc5b4",
  combining: "e\u0301",
  precomposed: "\u00e9",
  quotes: "'single' \"double\" `back`",
  backslashes: "C:\\path\\to \\u0041 \\n \\",
  newlines: "line1\nline2\r\nline3\r",
  tabs: "\tcol1\tcol2\t",
  cypherInjection: '"}) DETACH DELETE n //',
  cypherInjectionSingle: "'}) DETACH DELETE n //",
  dollarDate: "$date(2020-01-01)",
  dollarPoint: "$point({x: 1, y: 2})",
  typeTagJson: '{"$type":"Date","value":"2020-01-01"}',
  nul: "a\u0000b",
  controls: "\u0001\u001f\u007f",
  bom: "\ufeff",
  rtlOverride: "\u202eabc",
  nonCharacter: "\uffff",
  looksLikeNumber: "1.0",
  looksLikeNull: "null",
  long: "0123456789abcdef".repeat(6400),
};

const DATES = [
  "2024-02-29",
  "-999999999-01-01",
  "+999999999-12-31",
  "0000-01-01",
  "-0001-12-31",
  "1970-01-01",
];
const LOCAL_TIMES = ["00:00:00", "23:59:59.999999999", "12:34:56.000000001"];
const TIMES = [
  "12:00:00.123456789-03:30",
  "23:59:59.999999999+05:45",
  "00:00:00.000000001+14:00",
  "12:00:00-18:00",
  "12:00:00+18:00",
  "00:00:00Z",
];
const LOCAL_DATE_TIMES = [
  "-999999999-01-01T00:00:00",
  "+999999999-12-31T23:59:59.999999999",
  "1970-01-01T00:00:00",
  "2024-02-29T12:00:00.000000001",
];
const OFFSET_DATE_TIMES = [
  "-999999999-01-01T00:00:00.000000001-18:00",
  "+999999999-12-31T23:59:59.999999999+18:00",
  "1970-01-01T00:00:00Z",
  "2015-06-24T12:50:35.556+01:00",
];
/**
 * Zoned date-times. The extremes are the farthest the JavaScript driver can decode: it converts
 * the instant with Intl.DateTimeFormat, which only takes instants inside the range of a JS Date.
 */
const ZONED_DATE_TIMES = [
  "2015-06-24T12:50:35.556[Europe/London]",
  "2022-01-15T09:00:00[America/St_Johns]",
  "2022-07-01T12:00:00.000000001[Asia/Kathmandu]",
  "2022-12-01T23:59:59.999999999[Pacific/Chatham]",
  // The same wall-clock time twice in Berlin on the night DST ends: both offsets exist.
  "2022-10-30T02:30:00+02:00[Europe/Berlin]",
  "2022-10-30T02:30:00+01:00[Europe/Berlin]",
  // Local mean time, an offset with seconds (-00:01:15).
  "1800-01-01T00:00:00[Europe/London]",
  "+275760-09-12T00:00:00[Europe/London]",
  "-271821-04-21T00:00:00[Europe/London]",
  "2020-01-01T00:00:00[UTC]",
];
const DURATIONS: unknown[] = [
  "P-1Y2M-3DT4H-5M6.000000007S",
  "-P1Y2M3DT4H5M6.7S",
  "PT0.000000001S",
  "PT0S",
  { months: 1n, days: -2n, seconds: 3n, nanoseconds: 4n },
  { seconds: I64_MAX, nanoseconds: 999999999n },
  { seconds: I64_MIN },
  { months: 1000000000000n, days: -1000000000000n },
  "P999999999Y11M999999999DT999999999H59M59.999999999S",
];
const POINTS = {
  cartesian: { srid: 7203n, x: 1.5, y: -2.0 },
  cartesianExtreme: { srid: 7203n, x: -0.0, y: Number.MAX_VALUE },
  cartesian3d: { srid: 9157n, x: 1.0, y: 2.0, z: 3.0 },
  wgs84: { srid: 4326n, x: 12.5, y: 55.7 },
  wgs84Corner: { srid: 4326n, x: -180.0, y: -90.0 },
  wgs843d: { srid: 4979n, x: 180.0, y: 90.0, z: -0.0 },
};

/** The nodes, by a key used only to connect relationships. */
function nodeSpecs(): Map<string, NodeSpec> {
  const [a, backtick, colon, dash, dot, quotes, backslash, newline, tab] =
    AWKWARD_NAMES;
  const nodes = new Map<string, NodeSpec>();
  const add = (key: string, spec: NodeSpec): void => {
    nodes.set(key, spec);
  };
  add("integers", {
    labels: ["Values", "Integer"],
    plain: {
      min: I64_MIN,
      max: I64_MAX,
      twoTo53Plus1: 2n ** 53n + 1n,
      zero: 0n,
      minusOne: -1n,
      list: [I64_MIN, -1n, 0n, 1n, 2n ** 53n + 1n, I64_MAX],
    },
  });
  add("floats", {
    labels: ["Values", "Float"],
    plain: {
      one: 1.0,
      negativeZero: -0.0,
      zero: 0.0,
      nan: NaN,
      infinity: Infinity,
      negativeInfinity: -Infinity,
      max: Number.MAX_VALUE,
      negativeMax: -Number.MAX_VALUE,
      minSubnormal: 5e-324,
      tenth: 0.1,
      twoTo53: 2 ** 53,
      list: [1.0, -0.0, NaN, Infinity, -Infinity, 5e-324, 0.1],
      // An Integer and a Float of the same value side by side.
      oneInteger: 1n,
    },
  });
  add("strings", {
    labels: ["Values", "String"],
    plain: {
      ...STRINGS,
      list: ["", "a", "\u{1F600}", "e\u0301", "\u00e9", "\n"],
    },
  });
  add("booleans", {
    labels: ["Values", "Boolean"],
    plain: { yes: true, no: false, list: [true, false, true] },
  });
  add("bytes", {
    labels: ["Values", "ByteArray"],
    plain: {
      empty: new Int8Array(0),
      small: new Int8Array([0, -1, 127, -128, 1]),
      big: bigBytes(),
    },
  });
  const temporal = (
    name: string,
    f: ServerFunction,
    values: unknown[],
  ): NodeSpec => ({
    labels: ["Values", name],
    built: {
      ...Object.fromEntries(values.map((v, i) => [`v${i}`, fn(f, v)])),
      list: fnList(f, values),
    },
  });
  add("dates", temporal("Date", "date", DATES));
  add("localTimes", temporal("LocalTime", "localtime", LOCAL_TIMES));
  add("times", temporal("Time", "time", TIMES));
  add(
    "localDateTimes",
    temporal("LocalDateTime", "localdatetime", LOCAL_DATE_TIMES),
  );
  add(
    "offsetDateTimes",
    temporal("DateTime", "datetime", OFFSET_DATE_TIMES),
  );
  const zoned = temporal("ZonedDateTime", "datetime", ZONED_DATE_TIMES);
  zoned.built!["mixedList"] = fnList("datetime", [
    "2022-10-30T02:30:00+02:00[Europe/Berlin]",
    "2020-01-01T00:00:00Z",
    "2020-01-01T00:00:00+05:45",
    "2020-01-01T00:00:00[Asia/Kathmandu]",
  ]);
  add("zonedDateTimes", zoned);
  add("durations", temporal("Duration", "duration", DURATIONS));
  add("points", {
    labels: ["Values", "Point"],
    built: {
      ...Object.fromEntries(
        Object.entries(POINTS).map(([k, v]) => [k, fn("point", v)]),
      ),
      cartesianList: fnList("point", [
        POINTS.cartesian,
        POINTS.cartesianExtreme,
      ]),
      cartesian3dList: fnList("point", [POINTS.cartesian3d]),
      wgs84List: fnList("point", [POINTS.wgs84, POINTS.wgs84Corner]),
      wgs843dList: fnList("point", [POINTS.wgs843d, {
        srid: 4979n,
        x: 0.0,
        y: 0.0,
        z: 8848.86,
      }]),
    },
  });
  add("emptyLists", {
    labels: ["Values", "EmptyList"],
    plain: { empty: [], alsoEmpty: [] },
  });
  add("everything", {
    labels: ["Values", "Everything"],
    ...everyType(),
  });
  add("weird1", {
    labels: [a!, backtick!, colon!, dash!, dot!],
    plain: { kind: "awkward labels 1" },
  });
  add("weird2", {
    labels: [quotes!, backslash!, newline!, tab!],
    plain: { kind: "awkward labels 2" },
  });
  add("weird3", {
    labels: ["MATCH", "Order", "null"],
    plain: { kind: "reserved words" },
  });
  add("weird4", {
    labels: ["\u00c9t\u00e9", "\u{1F600}"],
    plain: { kind: "unicode labels" },
  });
  add("weird5", {
    labels: ["\\u0041", "end\\"],
    plain: { kind: "backslashes" },
  });
  add("weirdKeys", {
    labels: ["Keys"],
    plain: Object.fromEntries(
      AWKWARD_NAMES.map((name, i) => [name, BigInt(i)]),
    ),
    built: {
      "a`b date": fn("date", "2024-02-29"),
      "\\u0041 datetime": fn(
        "datetime",
        "2015-06-24T12:50:35.556[Europe/London]",
      ),
      "$type": fn("duration", "P1D"),
    },
  });
  add("unlabelled", { labels: [], plain: { kind: "unlabelled", n: 1n } });
  add("propertyless", { labels: ["Empty Props"] });
  add("bare1", { labels: [] });
  add("bare2", { labels: [] });
  add("duplicate1", {
    labels: ["Duplicate"],
    plain: { same: "twin", n: 1n, f: 1.0 },
  });
  add("duplicate2", {
    labels: ["Duplicate"],
    plain: { same: "twin", n: 1n, f: 1.0 },
  });
  // Data under the constraints and indexes.
  add("person1", {
    labels: ["Per son"],
    plain: { "id key": 1n, first: "Ada", last: "Lovelace" },
  });
  add("person2", {
    labels: ["Per son"],
    plain: { "id key": "1", first: "Ada", last: "Byron" },
  });
  add("person3", {
    labels: ["Per son", "Doc"],
    plain: { "id key": 1.5, first: "Alan", last: "Turing", title: "Computing" },
  });
  add("place1", {
    labels: ["Place`s"],
    plain: {
      "na me": "Z\u00fcrich",
      lat: 47.37,
      lon: 8.54,
      description: "A city on a lake",
    },
    built: { location: fn("point", { srid: 7203n, x: 10.5, y: -20.25 }) },
  });
  add("place2", {
    labels: ["Place`s", "Doc"],
    plain: {
      "na me": "\u6771\u4eac",
      lat: 35.68,
      lon: 139.69,
      title: "Tokyo",
      description: "A capital",
    },
    built: { location: fn("point", { srid: 4326n, x: 139.69, y: 35.68 }) },
  });
  add("doc1", {
    labels: ["Doc"],
    plain: {
      title: "Graphs",
      description: "Nodes and relationships",
      embedding: [0.1, 0.2, 0.3],
    },
  });
  add("doc2", {
    labels: ["Doc"],
    plain: {
      title: "Backups",
      description: "Copies of data",
      embedding: [-1.0, 0.5, 2.0],
    },
  });
  add("doc3", {
    labels: ["Doc"],
    plain: { title: "", description: "", embedding: [1.0, 0.0, 0.0] },
  });
  return nodes;
}

/** One property of every type, plain and built. */
function everyType(): Properties {
  return {
    plain: {
      integer: -42n,
      float: -0.0,
      string: '\u{1F600} "x" \\',
      boolean: false,
      bytes: new Int8Array([-128, 0, 127]),
      integers: [1n, 2n],
      floats: [NaN, 0.5],
      strings: ["", "b"],
      booleans: [false],
      empty: [],
    },
    built: {
      date: fn("date", "-999999999-01-01"),
      localTime: fn("localtime", "23:59:59.999999999"),
      time: fn("time", "12:00:00.000000001-03:30"),
      localDateTime: fn("localdatetime", "+999999999-12-31T23:59:59.999999999"),
      dateTime: fn("datetime", "+999999999-12-31T23:59:59.999999999+18:00"),
      zonedDateTime: fn("datetime", "2022-10-30T02:30:00+01:00[Europe/Berlin]"),
      duration: fn("duration", { months: -1n, days: 2n, seconds: -3n }),
      point: fn("point", POINTS.wgs843d),
      dates: fnList("date", ["2024-02-29", "0000-01-01"]),
      localTimes: fnList("localtime", LOCAL_TIMES),
      times: fnList("time", TIMES),
      localDateTimes: fnList("localdatetime", LOCAL_DATE_TIMES),
      dateTimes: fnList("datetime", ZONED_DATE_TIMES.slice(0, 3)),
      durations: fnList("duration", ["P1M", "-PT1S"]),
      points: fnList("point", [POINTS.cartesian3d]),
    },
  };
}

function relationshipSpecs(): RelationshipSpec[] {
  const knows = (
    from: string,
    to: string,
    props: Properties = {},
  ): RelationshipSpec => ({ from, type: "KNOWS", to, ...props });
  const since = fn("date", "2020-02-02");
  return [
    knows("integers", "floats"),
    { from: "everything", type: "HAS_ALL", to: "strings", ...everyType() },
    {
      from: "booleans",
      type: "REL TYPE",
      to: "booleans",
      built: { since },
      plain: { note: "self-loop" },
    },
    // Parallel, same type and endpoints, different properties.
    knows("dates", "times", {
      plain: { w: 1n, note: "first of parallel" },
      built: { since, where: fn("point", POINTS.cartesian) },
    }),
    knows("dates", "times", {
      plain: { w: 2n, note: "second of parallel" },
      built: { since: fn("date", "2021-01-01") },
    }),
    // Parallel and identical.
    knows("dates", "times", { plain: { w: 3n, note: "identical twin" } }),
    knows("dates", "times", { plain: { w: 3n, note: "identical twin" } }),
    { from: "bare1", type: "a`b", to: "bare2" },
    { from: "bare1", type: "a`b", to: "bare2" },
    { from: "weird1", type: "MATCH", to: "weird2" },
    { from: "weird3", type: "\u{1F600}", to: "weird4" },
    { from: "weird5", type: "with\nnewline", to: "weirdKeys" },
    { from: "weird4", type: "\\u0041", to: "weird5" },
    { from: "unlabelled", type: "x:y", to: "propertyless" },
    {
      from: "weirdKeys",
      type: "KNOWS",
      to: "unlabelled",
      plain: Object.fromEntries(AWKWARD_NAMES.map((name) => [name, name])),
    },
    {
      from: "duplicate1",
      type: "REL TYPE",
      to: "duplicate2",
      plain: { note: "between twins" },
    },
    {
      from: "person1",
      type: "OWNS",
      to: "place1",
      plain: { rid: 1n, a: "x", b: 1n },
    },
    {
      from: "person2",
      type: "OWNS",
      to: "place2",
      plain: { rid: 2n, a: "x", b: 2n },
    },
    {
      from: "person3",
      type: "OWNS",
      to: "doc1",
      plain: { rid: "2", a: "y", b: 1n },
    },
    {
      from: "doc1",
      type: "SIMILAR",
      to: "doc2",
      plain: { embedding: [1.0, 0.0, 0.5, -0.5] },
    },
    {
      from: "doc2",
      type: "SIMILAR",
      to: "doc3",
      plain: { embedding: [0.25, 0.25, 0.25, 0.25] },
    },
    { from: "doc3", type: "SIMILAR", to: "doc1" },
  ];
}

interface ServerVersion {
  text: string;
  major: number;
  minor: number;
}

async function serverVersion(
  driver: Driver,
  database: string | undefined,
): Promise<ServerVersion> {
  const { records } = await driver.executeQuery(
    "CALL dbms.components() YIELD name, versions " +
      "WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version",
    {},
    { database },
  );
  const text = String(records[0]?.get("version") ?? "");
  const [major, minor] = text.split(".").map((x) => parseInt(x, 10));
  if (!Number.isInteger(major) || !Number.isInteger(minor)) {
    throw new Error(`Cannot read the Neo4j version from "${text}"`);
  }
  return { text, major: major!, minor: minor! };
}

function atLeast(v: ServerVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

function schemaSpecs(features: DatasetFeatures): SchemaSpec[] {
  const e = escapeName;
  const person = e("Per son");
  const place = e("Place`s");
  const specs: SchemaSpec[] = [
    {
      kind: "constraint",
      name: "uniq person`s id",
      statement: `FOR (n:${person}) REQUIRE n.${e("id key")} IS UNIQUE`,
    },
    {
      kind: "constraint",
      name: "uniq person name",
      statement: `FOR (n:${person}) REQUIRE (n.${e("first")}, n.${
        e("last")
      }) IS UNIQUE`,
    },
    {
      kind: "index",
      name: "range place`s name",
      statement: `RANGE INDEX {name} FOR (n:${place}) ON (n.${e("na me")})`,
    },
    {
      kind: "index",
      name: "range place lat lon",
      statement: `RANGE INDEX {name} FOR (n:${place}) ON (n.${e("lat")}, n.${
        e("lon")
      })`,
    },
    {
      kind: "index",
      name: "range knows since",
      statement: `RANGE INDEX {name} FOR ()-[r:${e("KNOWS")}]-() ON (r.${
        e("since")
      })`,
    },
    {
      kind: "index",
      name: "text place description",
      statement: `TEXT INDEX {name} FOR (n:${place}) ON (n.${
        e("description")
      })`,
    },
    {
      kind: "index",
      name: "text knows note",
      statement: `TEXT INDEX {name} FOR ()-[r:${e("KNOWS")}]-() ON (r.${
        e("note")
      })`,
    },
    {
      kind: "index",
      name: "point place location",
      statement: `POINT INDEX {name} FOR (n:${place}) ON (n.${
        e("location")
      }) OPTIONS $options`,
      options: {
        indexConfig: {
          "spatial.cartesian.min": [-1000.0, -1000.0],
          "spatial.cartesian.max": [1000.0, 1000.0],
        },
      },
    },
    {
      kind: "index",
      name: "point knows where",
      statement: `POINT INDEX {name} FOR ()-[r:${e("KNOWS")}]-() ON (r.${
        e("where")
      })`,
    },
    {
      kind: "index",
      name: "fulltext `docs` & places",
      statement: `FULLTEXT INDEX {name} FOR (n:${
        e("Doc")
      }|${place}) ON EACH [n.${e("title")}, n.${
        e("description")
      }] OPTIONS $options`,
      options: {
        indexConfig: {
          "fulltext.analyzer": "english",
          "fulltext.eventually_consistent": true,
        },
      },
    },
    {
      kind: "index",
      name: "fulltext rel notes",
      statement: `FULLTEXT INDEX {name} FOR ()-[r:${e("KNOWS")}|${
        e("REL TYPE")
      }]-() ON EACH [r.${e("note")}]`,
    },
  ];
  if (features.relationshipUniquenessConstraints) {
    specs.push({
      kind: "constraint",
      name: "uniq owns`rid",
      statement: `FOR ()-[r:${e("OWNS")}]-() REQUIRE r.${e("rid")} IS UNIQUE`,
    }, {
      kind: "constraint",
      name: "uniq owns a b",
      statement: `FOR ()-[r:${e("OWNS")}]-() REQUIRE (r.${e("a")}, r.${
        e("b")
      }) IS UNIQUE`,
    });
  }
  if (features.vectorIndexes) {
    specs.push({
      kind: "index",
      name: "vector doc embedding",
      statement: `VECTOR INDEX {name} FOR (n:${e("Doc")}) ON (n.${
        e("embedding")
      }) OPTIONS $options`,
      options: {
        indexConfig: {
          "vector.dimensions": 3n,
          "vector.similarity_function": "cosine",
        },
      },
    });
  }
  if (features.relationshipVectorIndexes) {
    specs.push({
      kind: "index",
      name: "vector similar embedding",
      statement: `VECTOR INDEX {name} FOR ()-[r:${e("SIMILAR")}]-() ON (r.${
        e("embedding")
      }) OPTIONS $options`,
      options: {
        indexConfig: {
          "vector.dimensions": 4n,
          "vector.similarity_function": "euclidean",
        },
      },
    });
  }
  if (features.btreeIndexes) {
    specs.push({
      kind: "index",
      name: "btree doc title",
      statement: `BTREE INDEX {name} FOR (n:${e("Doc")}) ON (n.${e("title")})`,
    });
  }
  return specs;
}

/** Cypher that sets the properties of `variable`, with the parameters it needs. */
function setProperties(
  variable: string,
  props: Properties,
): { cypher: string; params: { [key: string]: unknown } } {
  const params: { [key: string]: unknown } = { plain: props.plain ?? {} };
  let cypher = `SET ${variable} = $plain`;
  const built = Object.entries(props.built ?? {});
  if (built.length > 0) {
    const entries = built.map(([key, value], i) => {
      params[`b${i}`] = "list" in value ? value.list : value.arg;
      const expression = "list" in value
        ? `[x IN $b${i} | ${value.fn}(x)]`
        : `${value.fn}($b${i})`;
      return `${escapeName(key)}: ${expression}`;
    });
    cypher += ` SET ${variable} += {${entries.join(", ")}}`;
  }
  return { cypher, params };
}

async function createData(
  tx: ManagedTransaction,
  nodes: Map<string, NodeSpec>,
  relationships: RelationshipSpec[],
  useElementId: boolean,
): Promise<{ nodes: number; relationships: number }> {
  const idOf = useElementId ? "elementId" : "id";
  const ids = new Map<string, unknown>();
  let nodesCreated = 0;
  let relationshipsCreated = 0;
  for (const [key, spec] of nodes) {
    const labels = spec.labels.map((l) => ":" + escapeName(l)).join("");
    const { cypher, params } = setProperties("n", spec);
    const result = await tx.run(
      `CREATE (n${labels}) ${cypher} RETURN ${idOf}(n) AS id`,
      params,
    );
    ids.set(key, result.records[0]!.get("id"));
    nodesCreated += result.summary.counters.updates().nodesCreated;
  }
  for (const spec of relationships) {
    const { cypher, params } = setProperties("r", spec);
    const result = await tx.run(
      `MATCH (a) WHERE ${idOf}(a) = $from MATCH (b) WHERE ${idOf}(b) = $to ` +
        `CREATE (a)-[r:${escapeName(spec.type)}]->(b) ${cypher}`,
      { ...params, from: ids.get(spec.from), to: ids.get(spec.to) },
    );
    const created = result.summary.counters.updates().relationshipsCreated;
    if (created !== 1) {
      throw new Error(
        `Relationship ${spec.from}-[:${spec.type}]->${spec.to} was not created`,
      );
    }
    relationshipsCreated += created;
  }
  return { nodes: nodesCreated, relationships: relationshipsCreated };
}

/**
 * Creates the full-type dataset in a database (meant to be empty): nodes and relationships with
 * properties of every type and edge value, awkward names, awkward shapes, and the constraints
 * and indexes this server's Community edition supports, then waits for the indexes to be online.
 *
 * @param driver A driver created with `{ useBigInt: true }`.
 * @param database The database; the server's default when undefined.
 * @returns What was created, which optional features were used and what was left out.
 */
export async function createFullTypeDataset(
  driver: Driver,
  database?: string,
): Promise<DatasetInfo> {
  const version = await serverVersion(driver, database);
  const { protocolVersion } = await driver.getServerInfo({ database });
  const features: DatasetFeatures = {
    relationshipUniquenessConstraints: atLeast(version, 5, 7),
    vectorIndexes: atLeast(version, 5, 13),
    relationshipVectorIndexes: atLeast(version, 5, 18),
    btreeIndexes: version.major === 4,
    vectorProperties: false,
    elementIds: version.major >= 5,
  };
  const omitted: Omission[] = [
    {
      what:
        "DateTime values with a named time zone whose instant lies outside the range " +
        "of a JavaScript Date (before -271821-04-20T00:00Z or after " +
        "+275760-09-13T00:00Z), e.g. +999999999-12-31T23:59:59.999999999[Europe/London]",
      reason:
        "neo4j-driver 6 decodes a zoned DateTime with Intl.DateTimeFormat on a JS " +
        "Date and throws RangeError 'Invalid time value' from inside its unpacker, where " +
        "no caller can catch it (the process dies); offset DateTimes and LocalDateTimes of " +
        "years -999999999 and +999999999 decode and are included",
    },
    {
      what: "Strings with unpaired UTF-16 surrogates (e.g. '\\ud800')",
      reason:
        "the driver encodes strings as UTF-8 and sends U+FFFD in their place, so " +
        "such a string cannot be stored through it",
    },
    {
      what:
        "Property existence, property type, node key and relationship key constraints",
      reason: "Enterprise Edition only",
    },
  ];
  if (!features.relationshipUniquenessConstraints) {
    omitted.push({
      what: "Relationship uniqueness constraints",
      reason: `need Neo4j 5.7+ (server is ${version.text})`,
    });
  }
  if (!features.vectorIndexes) {
    omitted.push({
      what: "Vector indexes",
      reason:
        `CREATE VECTOR INDEX needs Neo4j 5.13+ (server is ${version.text})`,
    });
  } else if (!features.relationshipVectorIndexes) {
    omitted.push({
      what: "Relationship vector indexes",
      reason: `need Neo4j 5.18+ (server is ${version.text})`,
    });
  }
  if (!features.btreeIndexes) {
    omitted.push({
      what: "BTREE indexes",
      reason: `removed in Neo4j 5.0 (server is ${version.text})`,
    });
  }

  const run = async (
    query: string,
    params: { [key: string]: unknown } = {},
  ): Promise<void> => {
    await driver.executeQuery(query, params, { database });
  };

  // Schema first, so the data is checked against the constraints as it is written.
  const schema = schemaSpecs(features);
  for (const spec of schema) {
    const statement = spec.kind === "constraint"
      ? `CREATE CONSTRAINT ${escapeName(spec.name)} ${spec.statement}`
      : `CREATE ${spec.statement.replace("{name}", escapeName(spec.name))}`;
    await run(statement, spec.options ? { options: spec.options } : {});
  }

  const nodes = nodeSpecs();
  const relationships = relationshipSpecs();
  const session = driver.session({ database });
  let created: { nodes: number; relationships: number };
  try {
    created = await session.executeWrite((tx) =>
      createData(tx, nodes, relationships, features.elementIds)
    );
  } finally {
    await session.close();
  }
  if (created.nodes !== nodes.size) {
    throw new Error(`Created ${created.nodes} nodes, expected ${nodes.size}`);
  }

  const labels = new Set<string>();
  const types = new Set<string>();
  const keys = new Set<string>();
  const addKeys = (p: Properties): void => {
    for (const k of Object.keys(p.plain ?? {})) keys.add(k);
    for (const k of Object.keys(p.built ?? {})) keys.add(k);
  };
  for (const spec of nodes.values()) {
    for (const l of spec.labels) labels.add(l);
    addKeys(spec);
  }
  for (const spec of relationships) {
    types.add(spec.type);
    addKeys(spec);
  }

  // VECTOR property values: only where the protocol and the store format allow them.
  if (protocolVersion !== undefined && protocolVersion.getMajor() >= 6) {
    try {
      await run(`CREATE (n:${escapeName("Vector")}) SET n = $plain`, {
        plain: {
          float32: neo4j.vector(new Float32Array([1.5, -0.0, 3.25])),
          float64: neo4j.vector(new Float64Array([Number.MAX_VALUE, 5e-324])),
          int8: neo4j.vector(new Int8Array([-128, 0, 127])),
          int64: neo4j.vector(new BigInt64Array([I64_MIN, I64_MAX])),
        },
      });
      features.vectorProperties = true;
      created.nodes++;
      labels.add("Vector");
      for (const k of ["float32", "float64", "int8", "int64"]) keys.add(k);
    } catch (error) {
      omitted.push({
        what: "VECTOR property values",
        reason: `the server refused them: ${(error as Error).message}`,
      });
    }
  } else {
    omitted.push({
      what: "VECTOR property values",
      reason:
        `need Neo4j 2025.10+ and Bolt 6 (server is ${version.text}, Bolt ${
          protocolVersion?.toString() ?? "?"
        })`,
    });
  }

  await run("CALL db.awaitIndexes(300)");
  await run("CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()");

  // Every name must have reached the server as it was meant (a check of the escaping).
  const tokens = await tokenSnapshot(driver, database);
  const missing = [
    ...[...labels].filter((l) => !tokens.labels.includes(l)).map((l) =>
      `label ${JSON.stringify(l)}`
    ),
    ...[...types].filter((t) => !tokens.relationshipTypes.includes(t)).map((
      t,
    ) => `relationship type ${JSON.stringify(t)}`),
    ...[...keys].filter((k) => !tokens.propertyKeys.includes(k)).map((k) =>
      `property key ${JSON.stringify(k)}`
    ),
  ];
  if (missing.length > 0) {
    throw new Error(`Not found in the database: ${missing.join(", ")}`);
  }

  const byName = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0;
  return {
    serverVersion: version.text,
    nodes: created.nodes,
    relationships: created.relationships,
    labels: [...labels].sort(byName),
    relationshipTypes: [...types].sort(byName),
    propertyKeys: [...keys].sort(byName),
    constraints: schema.filter((s) => s.kind === "constraint").map((s) =>
      s.name
    )
      .sort(byName),
    indexes: schema.filter((s) => s.kind === "index").map((s) => s.name).sort(
      byName,
    ),
    features,
    omitted,
  };
}
