import { deepEqual, equal, match, rejects, throws } from "node:assert/strict";
import { listBackup } from "./_cli.ts";
import type { BackupError } from "../lib/errors.ts";
import {
  nodeQueries,
  relationshipQueries,
} from "../lib/extract/_selected_queries.ts";
import { readManifest, writeManifest } from "../lib/format/manifest.ts";
import { Selector } from "../lib/format/selection.ts";
import { Renames } from "../lib/import/_renames.ts";
import { checkBackup } from "../lib/verify/_check_backup.ts";
import { openBackup } from "../lib/format/backup_reader.ts";
import { verifyBackup } from "../lib/verify/verify_backup.ts";

const SMALL = new URL("./testdata/small_backup", import.meta.url).pathname;

Deno.test("Selector selects nodes by labels, relationships by type", async (t) => {
  const cases: [string, ConstructorParameters<typeof Selector>[0], {
    nodes: [string[], boolean][];
    types?: [string, boolean][];
  }][] = [
    ["everything", {}, {
      nodes: [[[], true], [["A"], true]],
      types: [["T", true]],
    }],
    ["a label", { labels: ["A"] }, {
      nodes: [[[], false], [["A"], true], [["B", "A"], true], [["B"], false]],
    }],
    ["an excluded label", { excludeLabels: ["X"] }, {
      nodes: [[[], true], [["A", "X"], false], [["A"], true]],
    }],
    ["both", { labels: ["A", "B"], excludeLabels: ["X"] }, {
      nodes: [[["B"], true], [["B", "X"], false], [["C"], false]],
    }],
    ["types", { types: ["T"], excludeTypes: ["U"] }, {
      nodes: [[["Z"], true]],
      types: [["T", true], ["U", false], ["V", false]],
    }],
    ["an excluded type", { excludeTypes: ["U"] }, {
      nodes: [],
      types: [["T", true], ["U", false]],
    }],
    ["the schema only", { data: false }, {
      nodes: [[[], false], [["A"], false]],
      types: [["T", false]],
    }],
  ];
  for (const [name, selection, expected] of cases) {
    await t.step(name, () => {
      const selector = new Selector(selection);
      for (const [labels, selected] of expected.nodes) {
        equal(selector.node(labels), selected, JSON.stringify(labels));
      }
      for (const [type, selected] of expected.types ?? []) {
        equal(selector.type(type), selected, type);
      }
    });
  }
});

Deno.test("Selector rejects bad selections with a TypeError naming them", async (t) => {
  for (
    const [selection, message] of [
      [{ labels: ["A"], excludeLabels: ["A"] }, /label "A" is both/],
      [{ types: ["T"], excludeTypes: ["T"] }, /type "T" is both/],
      [{ labels: [""] }, /labels must hold non-empty strings/],
      [{ labels: "A" }, /labels must be an array/],
      [{ schema: false, data: false }, /cannot both be left out/],
    ] as const
  ) {
    await t.step(String(message), () => {
      throws(
        () => new Selector(selection as never),
        (error: unknown) =>
          error instanceof TypeError && message.test(error.message),
      );
    });
  }
});

Deno.test("Selector keeps the schema whose labels or types are all selected", async () => {
  const { schema } = await readManifest(SMALL);
  const names = (s: typeof schema): string[] =>
    [...s.constraints, ...s.indexes].map((x) => x.name).sort();
  const all = names(schema);
  deepEqual(names(new Selector().selectSchema(schema)), all);
  deepEqual(names(new Selector({ schema: false }).selectSchema(schema)), []);
  const people = new Selector({ labels: ["Person"] }).selectSchema(schema);
  // The lookup indexes stay; Person's constraint goes with its index; Movie's index goes.
  deepEqual(
    names(people),
    all.filter((name) => name !== "movie_title"),
  );
  const noPeople = new Selector({ excludeLabels: ["Person"] }).selectSchema(
    schema,
  );
  equal(noPeople.constraints.length, 0);
  equal(noPeople.indexes.some((i) => i.name === "person_uid"), false);
});

Deno.test("Selector reports the names that match nothing", () => {
  const selector = new Selector({
    labels: ["A", "Typo"],
    excludeLabels: ["B"],
    types: ["T", "Nope"],
  });
  deepEqual(
    selector.unmatched({ labels: ["A", "B"], types: ["T"] }),
    { labels: ["Typo"], types: ["Nope"] },
  );
});

Deno.test("nodeQueries() and relationshipQueries() escape every name and pass values as parameters", () => {
  const selector = new Selector({
    labels: ["A`b", "C"],
    excludeLabels: ["X"],
    types: ["T`1"],
    excludeTypes: ["U"],
  });
  deepEqual(nodeQueries(selector).map((q) => q.text), [
    "MATCH (n:`A``b`) WHERE NOT (n:`X`) WITH n, properties(n) AS p RETURN id(n) AS id, labels(n) AS labels, keys(p) AS keys, [k IN keys(p) | p[k]] AS values",
    "MATCH (n:`C`) WHERE NOT (n:`A``b`) AND NOT (n:`X`) WITH n, properties(n) AS p RETURN id(n) AS id, labels(n) AS labels, keys(p) AS keys, [k IN keys(p) | p[k]] AS values",
  ]);
  const [first] = relationshipQueries(selector);
  equal(
    first!.text,
    "MATCH (a:`A``b`)-[r:`T``1`]->(b) WHERE NOT (a:`X`) AND (b:`A``b` OR b:`C`) AND NOT (b:`X`) AND NOT type(r) IN $excludeTypes WITH a, r, b, properties(r) AS p RETURN id(r) AS id, type(r) AS type, id(a) AS start, id(b) AS end, keys(p) AS keys, [k IN keys(p) | p[k]] AS values",
  );
  deepEqual(first!.parameters, { excludeTypes: ["U"] });
  deepEqual(nodeQueries(new Selector()).map((q) => q.text), [
    "MATCH (n) WITH n, properties(n) AS p RETURN id(n) AS id, labels(n) AS labels, keys(p) AS keys, [k IN keys(p) | p[k]] AS values",
  ]);
  deepEqual(nodeQueries(new Selector({ data: false })), []);
  deepEqual(relationshipQueries(new Selector({ data: false })), []);
});

Deno.test("Renames renames labels once, merges label sets, and renames the schema", async () => {
  const renames = new Renames({ A: "B", B: "C" }, { T: "U" });
  deepEqual(renames.labels(["A", "B"]), ["B", "C"]);
  deepEqual(renames.labels(["A", "X"]), ["B", "X"]);
  equal(renames.type("T"), "U");
  const merged = new Renames({ A: "B" }, {}).counts({
    labelSets: new Map([['["A"]', 2], ['["B"]', 3], ['["A","B"]', 1]]),
    relationshipTypes: new Map([["T", 4]]),
  });
  deepEqual([...merged.labelSets], [['["B"]', 6]]);
  const { schema } = await readManifest(SMALL);
  const renamed = new Renames({ Person: "Human" }, {}).schema(schema);
  const uid = renamed.constraints.find((c) => c.name === "person_uid")!;
  deepEqual(uid.labelsOrTypes, ["Human"]);
  throws(() => new Renames({ A: "" }, {}), TypeError);
});

Deno.test("checkBackup() counts what a selection takes of a backup", async (t) => {
  const backup = await openBackup(SMALL);
  for (
    const [name, selection, nodes, relationships] of [
      ["everything", {}, 24, 36],
      ["people", { labels: ["Person"] }, 16, 10],
      ["no knowing", { excludeTypes: ["KNOWS"] }, 24, 26],
      ["the schema", { data: false }, 0, 0],
    ] as const
  ) {
    await t.step(name, async () => {
      const checked = await checkBackup(backup, {
        context: "Test",
        selector: new Selector(selection),
      });
      const taken = checked.selected ??
        {
          nodes: checked.counts.nodes,
          relationships: checked.counts.relationships,
        };
      equal(taken.nodes, nodes);
      equal(taken.relationships, relationships);
    });
  }
  const people = await checkBackup(backup, {
    context: "Test",
    selector: new Selector({ labels: ["Person"] }),
  });
  // Every ACTED_IN goes from a Person to a Movie: all left out with the Movies.
  equal(people.selected!.relationshipsLeftOut, 26);
});

Deno.test("verifyBackup() rejects a backup that holds what its manifest's selection leaves out", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/data`);
    for (const name of listBackup(SMALL)) {
      await Deno.copyFile(`${SMALL}/${name}`, `${dir}/${name}`);
    }
    const manifest = await readManifest(dir);
    await writeManifest(dir, {
      ...manifest,
      selection: new Selector({ labels: ["Person"] }).toRecord(0),
    });
    await rejects(
      verifyBackup(dir),
      (error: BackupError) => {
        match(
          error.message,
          /holds 8 nodes labelled \["Film","Movie"\]; the manifest's selection leaves them out/,
        );
        return error.code === "INVALID_BACKUP";
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
