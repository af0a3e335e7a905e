// deno-lint-ignore-file no-console
import { deepEqual, equal, notDeepEqual, ok } from "node:assert/strict";
import { createFullTypeDataset, type DatasetInfo } from "./_dataset.ts";
import {
  diffSnapshots,
  type GraphSnapshot,
  quote,
  snapshotGraph,
  snapshotSchema,
  tokenSnapshot,
} from "./_graph.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

/** The one node string that starts with `prefix`. */
function nodeStartingWith(snapshot: GraphSnapshot, prefix: string): string {
  const found = snapshot.nodes.filter((n) => n.startsWith(prefix));
  equal(found.length, 1, `one node starting with ${prefix}`);
  return found[0]!;
}

function count(list: string[], item: string): number {
  return list.filter((x) => x === item).length;
}

function includesAll(haystack: string, needles: string[]): void {
  for (const needle of needles) {
    ok(haystack.includes(needle), `${needle} in ${haystack.slice(0, 500)}`);
  }
}

Deno.test("createFullTypeDataset writes every property type, and snapshotGraph reads each back with its type", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  const info: DatasetInfo = await createFullTypeDataset(driver, database);
  console.log(
    `Neo4j ${info.serverVersion}: ${info.nodes} nodes, ${info.relationships} relationships, ` +
      `features ${JSON.stringify(info.features)}, left out: ${
        info.omitted.map((o) => o.what.split(" (")[0]).join("; ")
      }`,
  );

  const started = performance.now();
  const snapshot = await snapshotGraph(driver, database);
  console.log(
    `snapshotGraph read the dataset in ${
      Math.round(performance.now() - started)
    } ms`,
  );

  equal(snapshot.nodes.length, info.nodes);
  equal(snapshot.relationships.length, info.relationships);
  const { records: [counts] } = await driver.executeQuery(
    "MATCH (n) WITH count(n) AS nodes " +
      "OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS relationships",
    {},
    { database },
  );
  equal(counts!.get("nodes"), BigInt(info.nodes));
  equal(counts!.get("relationships"), BigInt(info.relationships));
  deepEqual(snapshot.nodes, [...snapshot.nodes].sort());

  // Integer and Float stay apart; -0.0 keeps its sign; NaN and the infinities survive.
  includesAll(nodeStartingWith(snapshot, '(:"Float":"Values" '), [
    '"one": Float(1.0)',
    '"oneInteger": Integer(1)',
    '"negativeZero": Float(-0.0)',
    '"zero": Float(0.0)',
    '"nan": Float(NaN)',
    '"infinity": Float(Infinity)',
    '"negativeInfinity": Float(-Infinity)',
    '"max": Float(1.7976931348623157e+308)',
    '"minSubnormal": Float(5e-324)',
    '"tenth": Float(0.1)',
    '"twoTo53": Float(9007199254740992.0)',
    '"list": List[Float(1.0), Float(-0.0), Float(NaN), Float(Infinity), ' +
    "Float(-Infinity), Float(5e-324), Float(0.1)]",
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"Integer":"Values" '), [
    '"min": Integer(-9223372036854775808)',
    '"max": Integer(9223372036854775807)',
    '"twoTo53Plus1": Integer(9007199254740993)',
    '"zero": Integer(0)',
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"String":"Values" '), [
    '"empty": String("")',
    '"astral": String("\\ud83d\\ude00")',
    '"combining": String("e\\u0301")',
    '"precomposed": String("\\u00e9")',
    '"cypherInjection": String("\\"}) DETACH DELETE n //")',
    '"typeTagJson": String("{\\"$type\\":\\"Date\\",\\"value\\":\\"2020-01-01\\"}")',
    '"nul": String("a\\u0000b")',
    '"newlines": String("line1\\nline2\\r\\nline3\\r")',
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"ByteArray":"Values" '), [
    '"empty": ByteArray()',
    '"small": ByteArray(00ff7f8001)',
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"Date":"Values" '), [
    "Date(-999999999-01-01)",
    "Date(+999999999-12-31)",
    "Date(0000-01-01)",
    "Date(-0001-12-31)",
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"Time":"Values" '), [
    "Time(12:00:00.123456789-03:30)",
    "Time(23:59:59.999999999+05:45)",
    "Time(00:00:00.000000001+14:00)",
    "Time(12:00:00.000000000-18:00)",
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"LocalDateTime":"Values" '), [
    "LocalDateTime(-999999999-01-01T00:00:00.000000000)",
    "LocalDateTime(+999999999-12-31T23:59:59.999999999)",
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"DateTime":"Values" '), [
    "DateTime(-999999999-01-01T00:00:00.000000001-18:00)",
    "DateTime(+999999999-12-31T23:59:59.999999999+18:00)",
  ]);
  // The zone id is kept, and both offsets of an ambiguous local time.
  includesAll(nodeStartingWith(snapshot, '(:"Values":"ZonedDateTime" '), [
    "DateTime(2015-06-24T12:50:35.556000000+01:00[Europe/London])",
    "DateTime(2022-10-30T02:30:00.000000000+02:00[Europe/Berlin])",
    "DateTime(2022-10-30T02:30:00.000000000+01:00[Europe/Berlin])",
    "DateTime(2022-01-15T09:00:00.000000000-03:30[America/St_Johns])",
    "DateTime(2022-07-01T12:00:00.000000001+05:45[Asia/Kathmandu])",
    "DateTime(2022-12-01T23:59:59.999999999+13:45[Pacific/Chatham])",
    "DateTime(1800-01-01T00:00:00.000000000-00:01:15[Europe/London])",
    "DateTime(+275760-09-12T00:00:00.000000000+01:00[Europe/London])",
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"Duration":"Values" '), [
    "Duration(1,-2,3,4)",
    "Duration(0,0,9223372036854775807,999999999)",
    "Duration(0,0,-9223372036854775808,0)",
    "Duration(0,0,0,1)",
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"Point":"Values" '), [
    '"cartesian": Point(7203,1.5,-2.0)',
    '"cartesian3d": Point(9157,1.0,2.0,3.0)',
    '"wgs84": Point(4326,12.5,55.7)',
    '"wgs843d": Point(4979,180.0,90.0,-0.0)',
  ]);
  includesAll(nodeStartingWith(snapshot, '(:"EmptyList":"Values" '), [
    '"empty": List[]',
  ]);
  // One node and one relationship carry a value of every type.
  const typeNames = [
    "Integer(",
    "Float(",
    "String(",
    "Boolean(",
    "ByteArray(",
    "Date(",
    "LocalTime(",
    "Time(",
    "LocalDateTime(",
    "DateTime(",
    "Duration(",
    "Point(",
    "List[]",
  ];
  includesAll(
    nodeStartingWith(snapshot, '(:"Everything":"Values" '),
    typeNames,
  );
  const hasAll = snapshot.relationships.filter((r) =>
    r.includes('-[:"HAS_ALL" ')
  );
  equal(hasAll.length, 1);
  includesAll(hasAll[0]!.split('-[:"HAS_ALL" ')[1]!, typeNames);

  // Awkward names arrive as they are.
  for (const label of info.labels) {
    ok(
      snapshot.nodes.some((n) => n.includes(":" + quote(label))),
      `label ${JSON.stringify(label)}`,
    );
  }
  const tokens = await tokenSnapshot(driver, database);
  for (const label of info.labels) ok(tokens.labels.includes(label), label);
  for (const type of info.relationshipTypes) {
    ok(tokens.relationshipTypes.includes(type), type);
  }
  for (const key of info.propertyKeys) {
    ok(tokens.propertyKeys.includes(key), key);
  }

  // Duplicates are kept: identical nodes, identical parallel relationships.
  equal(count(snapshot.nodes, "({})"), 2);
  equal(
    count(
      snapshot.nodes,
      '(:"Duplicate" {"f": Float(1.0), "n": Integer(1), "same": String("twin")})',
    ),
    2,
  );
  equal(count(snapshot.relationships, '({})-[:"a`b" {}]->({})'), 2);
  const twins = snapshot.relationships.filter((r) =>
    r.includes('{"note": String("identical twin"), "w": Integer(3)}')
  );
  equal(twins.length, 2);
  equal(twins[0], twins[1]);
  // A self-loop has the same node at both ends.
  const loop = snapshot.relationships.find((r) =>
    r.includes('String("self-loop")')
  )!;
  const boolNode = nodeStartingWith(snapshot, '(:"Boolean":"Values" ');
  ok(loop.startsWith(boolNode) && loop.endsWith(boolNode));
});

Deno.test("snapshotGraph, snapshotSchema and tokenSnapshot give equal snapshots when read twice, so diffSnapshots reports nothing", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await createFullTypeDataset(driver, database);

  const first = await snapshotGraph(driver, database);
  const second = await snapshotGraph(driver, database);
  deepEqual(diffSnapshots(first, second), []);
  deepEqual(first, second);

  const schemaFirst = await snapshotSchema(driver, database);
  const schemaSecond = await snapshotSchema(driver, database);
  deepEqual(diffSnapshots(schemaFirst, schemaSecond), []);
  deepEqual(schemaFirst, schemaSecond);

  const tokensFirst = await tokenSnapshot(driver, database);
  deepEqual(
    diffSnapshots(tokensFirst, await tokenSnapshot(driver, database)),
    [],
  );
});

Deno.test("diffSnapshots reports a property whose type changed, a sign lost on -0.0 and a missing duplicate relationship", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await createFullTypeDataset(driver, database);
  const before = await snapshotGraph(driver, database);

  // Float 1.0 becomes Integer 1: equal in Cypher, different in type.
  await driver.executeQuery(
    "MATCH (n:Values:Float) SET n.one = $one",
    { one: 1n },
    { database },
  );
  const retyped = await snapshotGraph(driver, database);
  notDeepEqual(retyped, before);
  const typeDiff = diffSnapshots(before, retyped);
  ok(typeDiff.length > 0);
  const text = typeDiff.join("\n");
  ok(/nodes: \d+ in a, \d+ in b; 1 only in a, 1 only in b/.test(text), text);
  ok(text.includes('"one": Float(1.0)'), text);
  ok(text.includes('"one": Integer(1)'), text);
  // The node's relationships carry its canonical string, so they differ too.
  ok(
    /relationships: \d+ in a, \d+ in b; 1 only in a, 1 only in b/.test(text),
    text,
  );

  // -0.0 becomes 0.0: equal in Cypher, different in sign. (4.4 and 5.x skip a SET of a value
  // equal to the stored one, and -0.0 = 0.0, so the property is removed first.)
  await driver.executeQuery(
    "MATCH (n:Values:Float) REMOVE n.negativeZero SET n.negativeZero = $zero",
    { zero: 0 },
    { database },
  );
  const signLost = diffSnapshots(
    retyped,
    await snapshotGraph(driver, database),
  ).join("\n");
  ok(signLost.includes('"negativeZero": Float(-0.0)'), signLost);
  ok(signLost.includes('"negativeZero": Float(0.0)'), signLost);

  // One of two identical parallel relationships goes: the multisets differ.
  const beforeDelete = await snapshotGraph(driver, database);
  await driver.executeQuery(
    "MATCH ()-[r:KNOWS {note: $note}]->() WITH r LIMIT 1 DELETE r",
    { note: "identical twin" },
    { database },
  );
  const missingTwin = diffSnapshots(
    beforeDelete,
    await snapshotGraph(driver, database),
  );
  deepEqual(missingTwin.filter((l) => !l.startsWith(" ")), [
    `relationships: ${beforeDelete.relationships.length} in a, ${
      beforeDelete.relationships.length - 1
    } in b; 1 only in a, 0 only in b`,
  ]);
});

Deno.test("snapshotSchema lists every constraint and index createFullTypeDataset made, with their options", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  const info = await createFullTypeDataset(driver, database);
  const schema = await snapshotSchema(driver, database);

  deepEqual(schema.constraints.map((c) => c.name), info.constraints);
  deepEqual(
    schema.indexes.filter((i) => i.owningConstraint === null).map((i) =>
      i.name
    ),
    info.indexes,
  );
  // Each constraint's own index points back to it, by name, on every version.
  for (const c of schema.constraints) {
    ok(c.ownedIndex !== null, c.name);
    equal(
      schema.indexes.find((i) => i.name === c.ownedIndex)?.owningConstraint,
      c.name,
    );
  }
  const constraint = schema.constraints.find((c) =>
    c.name === "uniq person`s id"
  )!;
  equal(constraint.type, "UNIQUENESS");
  equal(constraint.entityType, "NODE");
  deepEqual(constraint.labelsOrTypes, ["Per son"]);
  deepEqual(constraint.properties, ["id key"]);
  deepEqual(
    schema.constraints.find((c) => c.name === "uniq person name")?.properties,
    ["first", "last"],
  );
  if (info.features.relationshipUniquenessConstraints) {
    const rel = schema.constraints.find((c) => c.name === "uniq owns`rid")!;
    equal(rel.type, "RELATIONSHIP_UNIQUENESS");
    equal(rel.entityType, "RELATIONSHIP");
  }

  const index = (name: string): NonNullable<typeof schema.indexes[number]> => {
    const found = schema.indexes.find((i) => i.name === name);
    ok(found, `index ${name}`);
    return found;
  };
  const config = (name: string): { [key: string]: unknown } =>
    (index(name).options?.indexConfig ?? {}) as { [key: string]: unknown };
  deepEqual(
    [
      index("range place lat lon").type,
      index("range place lat lon").properties,
    ],
    ["RANGE", ["lat", "lon"]],
  );
  equal(index("range knows since").entityType, "RELATIONSHIP");
  equal(index("text place description").type, "TEXT");
  equal(index("text knows note").entityType, "RELATIONSHIP");
  ok(index("text place description").indexProvider?.startsWith("text-"));
  deepEqual(config("point place location")["spatial.cartesian.min"], [
    -1000,
    -1000,
  ]);
  deepEqual(config("point place location")["spatial.cartesian.max"], [
    1000,
    1000,
  ]);
  const fulltext = index("fulltext `docs` & places");
  deepEqual(fulltext.labelsOrTypes, ["Doc", "Place`s"]);
  equal(config(fulltext.name)["fulltext.analyzer"], "english");
  equal(config(fulltext.name)["fulltext.eventually_consistent"], true);
  deepEqual(index("fulltext rel notes").labelsOrTypes, ["KNOWS", "REL TYPE"]);
  if (info.features.vectorIndexes) {
    equal(config("vector doc embedding")["vector.dimensions"], 3n);
    equal(
      config("vector doc embedding")["vector.similarity_function"],
      "COSINE",
    );
  }
  if (info.features.relationshipVectorIndexes) {
    equal(config("vector similar embedding")["vector.dimensions"], 4n);
  }
  if (info.features.btreeIndexes) equal(index("btree doc title").type, "BTREE");

  // Token lookup indexes only when asked for.
  ok(schema.indexes.every((i) => i.type !== "LOOKUP"));
  const withLookup = await snapshotSchema(driver, database, {
    includeLookupIndexes: true,
  });
  equal(withLookup.indexes.filter((i) => i.type === "LOOKUP").length, 2);

  // A dropped index shows in the diff.
  await driver.executeQuery("DROP INDEX `text knows note`", {}, { database });
  const diff = diffSnapshots(schema, await snapshotSchema(driver, database));
  ok(
    diff[0]?.includes("indexes:") && diff[0].includes("1 only in a"),
    diff.join("\n"),
  );
  ok(
    diff.some((l) => l.includes('"name": String("text knows note")')),
    diff.join("\n"),
  );
});
