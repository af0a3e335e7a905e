import { deepEqual, equal, ok } from "node:assert/strict";
import neo4j from "neo4j-driver";
import {
  AWARD_WINNER_LABEL,
  BOX_OFFICE_KEY,
  loadMoviesGraph,
  MOVIES_SCHEMA,
} from "../dev/movies.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

const NODES = 170;
const RELATIONSHIPS = 245;

Deno.test("the demo's movies graph: counts, every property type, schema", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  const query = async (text: string, params: Record<string, unknown> = {}) =>
    (await driver.executeQuery(text, params, { database })).records;
  try {
    const counts = await loadMoviesGraph(driver, database);
    deepEqual(counts, { nodes: NODES, relationships: RELATIONSHIPS });

    const [total] = await query(
      "MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS rels",
    );
    equal(total!.get("nodes"), BigInt(NODES));
    equal(total!.get("rels"), BigInt(RELATIONSHIPS));
    const labels = await query(
      "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label",
    );
    deepEqual(
      Object.fromEntries(labels.map((r) => [r.get("label"), r.get("n")])),
      { [AWARD_WINNER_LABEL]: 9n, Critic: 5n, Movie: 40n, Person: 130n },
    );
    const types = await query(
      "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type",
    );
    deepEqual(
      types.map((r) => r.get("type")),
      ["ACTED_IN", "DIRECTED", "FOLLOWS", "PRODUCED", "REVIEWED", "WROTE"],
    );
    equal(
      (await query("MATCH (n) WHERE NOT (n)--() RETURN count(n) AS n"))[0]!
        .get("n"),
      0n,
      "every node is connected",
    );

    const movie = async (title: string): Promise<Record<string, unknown>> => {
      const [r] = await query(
        "MATCH (m:Movie {title: $title}) RETURN m",
        { title },
      );
      ok(r, title);
      return r.get("m").properties;
    };

    // Integers come back as bigint, Floats as number (the driver has useBigInt).
    const titanic = await movie("Titanic");
    equal(titanic.title, "Titanic");
    equal(titanic.released, 1997n);
    equal(titanic.runtime, 194n);
    equal(titanic.rating, 7.9);
    equal(titanic.budget, 200_000_000n);
    equal(titanic[BOX_OFFICE_KEY], 2_257_000_000n);
    equal(titanic.in_color, true);
    ok(titanic.poster instanceof Int8Array);
    equal((titanic.poster as Int8Array).length, 12);
    deepEqual(titanic.genres, ["Romance", "Drama"]);
    deepEqual(titanic.rereleased, [2012n, 2017n, 2023n]);
    ok((titanic.scores as unknown[]).every((s) => typeof s === "number"));
    ok(neo4j.isDate(titanic.released_on));
    equal(String(titanic.released_on), "1997-12-19");
    ok(neo4j.isDateTime(titanic.premiere));
    equal(titanic.premiere.timeZoneId, "Asia/Tokyo");
    ok(neo4j.isLocalTime(titanic.showtime));
    ok(neo4j.isTime(titanic.first_screening));
    equal(titanic.first_screening.timeZoneOffsetSeconds, 9n * 3600n);
    ok(neo4j.isLocalDateTime(titanic.added));
    ok(neo4j.isDuration(titanic.runtime_duration));
    equal(titanic.runtime_duration.seconds, 194n * 60n);
    ok(neo4j.isPoint(titanic.filming_location));
    equal(titanic.filming_location.srid, 4326n);
    ok(neo4j.isPoint(titanic.camera_rig));
    equal(titanic.camera_rig.srid, 9157n);

    const labelsOf = await query(
      "MATCH (m:Movie {title: 'Titanic'}) RETURN labels(m) AS labels",
    );
    deepEqual(
      [...labelsOf[0]!.get("labels")].sort(),
      [AWARD_WINNER_LABEL, "Movie"],
    );

    // An integral Float stays a Float; an Integer beyond 2^53 stays exact.
    const jaws = await movie("Jaws");
    equal(typeof jaws.rating, "number");
    equal(jaws.rating, 8);
    const [big] = await query(
      "MATCH (m:Movie) WHERE abs(m.fingerprint) > 9007199254740993 RETURN count(m) AS n",
    );
    ok(big!.get("n") > 0n);

    const casablanca = await movie("Casablanca");
    equal(casablanca.in_color, false);
    ok(neo4j.isDuration(casablanca.restoration));
    equal(casablanca.restoration.months, 14n);
    equal(casablanca.restoration.days, 10n);

    const parasite = await movie("Parasite");
    equal(parasite.original_title, "\uae30\uc0dd\ucda9");
    ok(neo4j.isDateTime(parasite.premiere));
    equal(parasite.premiere.timeZoneOffsetSeconds, 7200n);
    equal(parasite.premiere.timeZoneId, null);

    const apollo = (await movie("Apollo 13")).filming_location;
    ok(neo4j.isPoint(apollo));
    equal(apollo.srid, 4979n);
    const toyStory = (await movie("Toy Story")).poster_focus;
    ok(neo4j.isPoint(toyStory));
    equal(toyStory.srid, 7203n);
    const godfather = (await movie("The Godfather")).showtime;
    ok(neo4j.isLocalTime(godfather));
    equal(godfather.nanosecond, 1n, "nanosecond precision");

    const people = await query(
      "MATCH (p:Person) WHERE p.name IN $names RETURN p.name AS name, p.nicknames AS nicknames, p.born AS born",
      { names: ["Harrison Ford", "Arnold Schwarzenegger"] },
    );
    const nicknames = Object.fromEntries(
      people.map((r) => [r.get("name"), r.get("nicknames")]),
    );
    deepEqual(nicknames, {
      "Harrison Ford": [],
      "Arnold Schwarzenegger": ["Arnie", "The Austrian Oak"],
    });
    ok(people.every((r) => typeof r.get("born") === "bigint"));

    const [rels] = await query(
      `MATCH (:Person {name: 'Keanu Reeves'})-[a:ACTED_IN]->(:Movie {title: 'The Matrix'})
       MATCH (:Person {name: 'Vera Lumen'})-[r:REVIEWED]->(:Movie {title: 'The Matrix'})
       MATCH (:Person {name: 'Otto Reel'})-[f:FOLLOWS]->(:Person {name: 'Vera Lumen'})
       RETURN a.roles AS roles, r.rating AS rating, r.reviewed_at AS at, r.summary AS summary,
         f.since AS since`,
    );
    ok(rels);
    deepEqual(rels.get("roles"), ["Neo", "Thomas A. Anderson"]);
    equal(rels.get("rating"), 95n);
    ok(neo4j.isDateTime(rels.get("at")));
    equal(typeof rels.get("summary"), "string");
    ok(neo4j.isDate(rels.get("since")));

    const constraints = await query(
      "SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name",
    );
    deepEqual(constraints.map((r) => r.get("name")), [
      "movie_title",
      "person_name",
    ]);
    const indexes = await query(
      "SHOW INDEXES YIELD name, type, options WHERE type <> 'LOOKUP' RETURN name, type, options",
    );
    const byName = new Map(indexes.map((r) => [r.get("name"), r]));
    for (const { name } of MOVIES_SCHEMA) ok(byName.has(name), name);
    equal(byName.get("movie_fulltext")!.get("type"), "FULLTEXT");
    equal(
      byName.get("movie_fulltext")!.get("options").indexConfig[
        "fulltext.analyzer"
      ],
      "english",
    );
    equal(byName.get("movie_location")!.get("type"), "POINT");
    equal(byName.get("person_name_text")!.get("type"), "TEXT");
    equal(byName.get("award_box_office")!.get("type"), "RANGE");
  } finally {
    await wipe(driver, database);
  }
});
