/**
 * A small movies graph for the demo: 40 well-known films, the people who made them and a few
 * (made-up) critics who review them and follow each other, with properties of every Neo4j
 * property type spread over it, names that need escaping, and a schema of every kind Community
 * supports. The data is in `movies.json`; it is loaded with batched `UNWIND $rows` queries and
 * parameters only.
 *
 * `movies.json` holds plain JSON values only; what each becomes in the graph is fixed by its field
 * here (see {@linkcode Movie}, {@linkcode Person}, {@linkcode Review}, {@linkcode Follow}), not
 * by how it is written:
 *
 * - counts, years, minutes, dollars and review ratings are JSON numbers that become Integers:
 *   they are sent as `bigint` ({@linkcode movieRow});
 * - a film's `rating` and the coordinates of its points are JSON numbers that stay Floats (sent
 *   as `number`, so that `8.0` is the Float 8.0; the file writes integral Floats with `.0` for
 *   the reader's sake);
 * - temporal values, durations and points are strings or maps that the Cypher functions build
 *   server-side (`date($s)`, `datetime($s)`, `duration($m)`, `point($m)`...);
 * - the Integers beyond 2^53 (`fingerprint`), the byte arrays (`poster`), the showtimes, the
 *   `added` times, the scores and the runtime durations are not in the file: they are derived
 *   from each film here.
 *
 * @module
 */
import type { Driver } from "neo4j-driver";
import { escapeName } from "../lib/_cypher.ts";
import data from "./movies.json" with { type: "json" };

/** A label that needs escaping in Cypher: the films that won the Academy Award for Best Picture. */
export const AWARD_WINNER_LABEL = "Award Winner";

/** A property key that needs escaping in Cypher: worldwide gross of an award winner, in dollars. */
export const BOX_OFFICE_KEY = "box office ($)";

/** The constraints and indexes {@linkcode loadMoviesGraph} creates, by name. */
export const MOVIES_SCHEMA: readonly { name: string; statement: string }[] = [
  {
    name: "movie_title",
    statement:
      "CREATE CONSTRAINT movie_title IF NOT EXISTS FOR (m:Movie) REQUIRE m.title IS UNIQUE",
  },
  {
    name: "person_name",
    statement:
      "CREATE CONSTRAINT person_name IF NOT EXISTS FOR (p:Person) REQUIRE p.name IS UNIQUE",
  },
  {
    name: "movie_released",
    statement:
      "CREATE RANGE INDEX movie_released IF NOT EXISTS FOR (m:Movie) ON (m.released)",
  },
  {
    name: "award_box_office",
    statement: `CREATE RANGE INDEX award_box_office IF NOT EXISTS FOR (m:${
      escapeName(AWARD_WINNER_LABEL)
    }) ON (m.${escapeName(BOX_OFFICE_KEY)})`,
  },
  {
    name: "reviewed_rating",
    statement:
      "CREATE RANGE INDEX reviewed_rating IF NOT EXISTS FOR ()-[r:REVIEWED]-() ON (r.rating)",
  },
  {
    name: "person_name_text",
    statement:
      "CREATE TEXT INDEX person_name_text IF NOT EXISTS FOR (p:Person) ON (p.name)",
  },
  {
    name: "movie_fulltext",
    statement:
      "CREATE FULLTEXT INDEX movie_fulltext IF NOT EXISTS FOR (m:Movie) ON EACH [m.title, m.tagline] " +
      "OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}",
  },
  {
    name: "movie_location",
    statement:
      "CREATE POINT INDEX movie_location IF NOT EXISTS FOR (m:Movie) ON (m.filming_location)",
  },
];

/** What {@linkcode loadMoviesGraph} created. */
export interface MoviesGraphCounts {
  /** Nodes created. */
  nodes: number;
  /** Relationships created. */
  relationships: number;
}

/** A point as `point()` takes it. */
type PointMap =
  | { longitude: number; latitude: number; height?: number }
  | { x: number; y: number; z?: number };

/** A film of `movies.json`: a `Movie` node and the credits that point at it. */
interface Movie {
  title: string;
  released: number;
  tagline: string;
  /** Minutes. */
  runtime: number;
  /** Out of 10: a Float. */
  rating: number;
  /** US dollars, roughly. */
  budget: number;
  genres: string[];
  /** First release date, ISO. */
  releasedOn: string;
  /** Best Picture winner: gets the `Award Winner` label and the box office gross. */
  boxOffice?: number;
  inColor?: false;
  originalTitle?: string;
  /** A premiere, with a named zone or an offset. */
  premiere?: string;
  /** A first screening time with an offset. */
  firstScreening?: string;
  /** A duration in ISO 8601, e.g. for a restoration. */
  restoration?: string;
  filmingLocation?: PointMap;
  cameraRig?: PointMap;
  posterFocus?: PointMap;
  rereleased?: number[];
  directors: string[];
  writers: string[];
  producers: string[];
  /** Actor and their roles. */
  cast: [string, string[]][];
}

/** A person of `movies.json`: everybody credited, and the critics. */
interface Person {
  name: string;
  born: number;
  nicknames?: string[];
  critic?: true;
}

/** Critic, film, summary, rating out of 100 (an Integer), when (UTC). */
type Review = [string, string, string, number, string];

/** Follower, followed, since (a date). */
type Follow = [string, string, string];

/** The content of `movies.json`. */
interface MoviesData {
  movies: Movie[];
  people: Person[];
  reviews: Review[];
  follows: Follow[];
}

const {
  movies: MOVIES,
  people: PEOPLE,
  reviews: REVIEWS,
  follows: FOLLOWS,
} = data as MoviesData;

/** Rows per query. */
const BATCH_SIZE = 50;

/** One step of the load: a query run over its rows in batches, and what each row creates. */
interface LoadStep {
  query: string;
  rows: Record<string, unknown>[];
  creates: "nodes" | "relationships";
}

/**
 * Loads the movies graph into a database: its constraints and indexes first, then the people,
 * the films and their relationships. It adds to what the database holds; on a database that
 * already holds the graph it fails on the uniqueness constraints.
 *
 * @param driver A driver for the server (any configuration).
 * @param database The database; the user's home database when left out.
 * @returns The nodes and relationships created.
 *
 * @example
 * ```ts ignore
 * import neo4j from "neo4j-driver";
 * import { loadMoviesGraph } from "./movies.ts";
 *
 * const driver = neo4j.driver("bolt://localhost:7687", neo4j.auth.basic("neo4j", "secret"));
 * const { nodes, relationships } = await loadMoviesGraph(driver);
 * ```
 */
export async function loadMoviesGraph(
  driver: Driver,
  database?: string,
): Promise<MoviesGraphCounts> {
  checkReferences();
  const counts: MoviesGraphCounts = { nodes: 0, relationships: 0 };
  for (const { statement } of MOVIES_SCHEMA) {
    await driver.executeQuery(statement, {}, {
      ...(database ? { database } : {}),
    });
  }
  for (const step of loadSteps()) {
    await runStep(driver, database, step, counts);
  }
  return counts;
}

/** Runs a step in batches of {@linkcode BATCH_SIZE}, checking that every row created one. */
async function runStep(
  driver: Driver,
  database: string | undefined,
  { query, rows, creates }: LoadStep,
  counts: MoviesGraphCounts,
): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH_SIZE) {
    const batch = rows.slice(i, i + BATCH_SIZE);
    const { summary } = await driver.executeQuery(query, { rows: batch }, {
      ...(database ? { database } : {}),
    });
    const updates = summary.counters.updates();
    const created = creates === "nodes"
      ? updates.nodesCreated
      : updates.relationshipsCreated;
    if (created !== batch.length) {
      throw new Error(
        `Expected ${batch.length} ${creates} from a batch, created ${created}`,
      );
    }
    counts.nodes += updates.nodesCreated;
    counts.relationships += updates.relationshipsCreated;
  }
}

const PEOPLE_QUERY = `UNWIND $rows AS row
     CREATE (p:Person)
     SET p.name = row.name, p.born = row.born, p.nicknames = row.nicknames
     FOREACH (_ IN CASE WHEN row.critic THEN [1] ELSE [] END | SET p:Critic)`;

const MOVIES_QUERY = `UNWIND $rows AS row
     CREATE (m:Movie)
     SET m.title = row.title, m.released = row.released, m.tagline = row.tagline,
       m.runtime = row.runtime, m.runtime_duration = duration({minutes: row.runtime}),
       m.rating = row.rating, m.scores = row.scores, m.budget = row.budget,
       m.fingerprint = row.fingerprint, m.poster = row.poster, m.genres = row.genres,
       m.in_color = row.in_color, m.original_title = row.original_title,
       m.rereleased = row.rereleased,
       m.released_on = date(row.released_on), m.premiere = datetime(row.premiere),
       m.showtime = localtime(row.showtime), m.first_screening = time(row.first_screening),
       m.added = localdatetime(row.added), m.restoration = duration(row.restoration),
       m.filming_location = point(row.filming_location), m.camera_rig = point(row.camera_rig),
       m.poster_focus = point(row.poster_focus),
       m.${escapeName(BOX_OFFICE_KEY)} = row.box_office
     FOREACH (_ IN CASE WHEN row.box_office IS NULL THEN [] ELSE [1] END |
       SET m:${escapeName(AWARD_WINNER_LABEL)})`;

const ACTED_IN_QUERY = `UNWIND $rows AS row
     MATCH (p:Person {name: row.person}), (m:Movie {title: row.movie})
     CREATE (p)-[r:ACTED_IN]->(m)
     SET r.roles = row.roles`;

/** The query of a credit without properties: `DIRECTED`, `WROTE`, `PRODUCED`. */
const creditQuery = (type: string): string =>
  `UNWIND $rows AS row
       MATCH (p:Person {name: row.person}), (m:Movie {title: row.movie})
       CREATE (p)-[:${escapeName(type)}]->(m)`;

const REVIEWED_QUERY = `UNWIND $rows AS row
     MATCH (p:Person {name: row.person}), (m:Movie {title: row.movie})
     CREATE (p)-[r:REVIEWED]->(m)
     SET r.summary = row.summary, r.rating = row.rating,
       r.reviewed_at = datetime(row.reviewed_at)`;

const FOLLOWS_QUERY = `UNWIND $rows AS row
     MATCH (a:Person {name: row.follower}), (b:Person {name: row.followed})
     CREATE (a)-[r:FOLLOWS]->(b)
     SET r.since = date(row.since)`;

/** The steps of the load, in order: people, films, then each kind of relationship. */
function loadSteps(): LoadStep[] {
  const credits = (type: string, pick: (m: Movie) => string[]): LoadStep => ({
    query: creditQuery(type),
    rows: MOVIES.flatMap((m) =>
      pick(m).map((person) => ({ person, movie: m.title }))
    ),
    creates: "relationships",
  });
  return [
    { query: PEOPLE_QUERY, rows: PEOPLE.map(personRow), creates: "nodes" },
    { query: MOVIES_QUERY, rows: MOVIES.map(movieRow), creates: "nodes" },
    {
      query: ACTED_IN_QUERY,
      rows: MOVIES.flatMap((m) =>
        m.cast.map(([person, roles]) => ({ person, movie: m.title, roles }))
      ),
      creates: "relationships",
    },
    credits("DIRECTED", (m) => m.directors),
    credits("WROTE", (m) => m.writers),
    credits("PRODUCED", (m) => m.producers),
    {
      query: REVIEWED_QUERY,
      rows: REVIEWS.map(([person, movie, summary, rating, at]) => ({
        person,
        movie,
        summary,
        rating: BigInt(rating),
        reviewed_at: at,
      })),
      creates: "relationships",
    },
    {
      query: FOLLOWS_QUERY,
      rows: FOLLOWS.map(([follower, followed, since]) => ({
        follower,
        followed,
        since,
      })),
      creates: "relationships",
    },
  ];
}

/** The parameters of one person. */
function personRow(p: Person): Record<string, unknown> {
  return {
    name: p.name,
    born: BigInt(p.born),
    nicknames: p.nicknames ?? null,
    critic: p.critic === true,
  };
}

/** The parameters of one film. */
function movieRow(m: Movie, index: number): Record<string, unknown> {
  const fingerprint = fnv1a64(m.title);
  // Three made-up critics' scores out of 10: floats, some of them integral.
  const scores = [m.rating, Math.min(10, m.rating + 0.5), 9.0];
  const showtimes = ["18:00", "19:30", "21:00", "22:15:30.5"];
  const month = String((index % 12) + 1).padStart(2, "0");
  const day = String((index % 28) + 1).padStart(2, "0");
  return {
    title: m.title,
    released: BigInt(m.released),
    tagline: m.tagline,
    runtime: BigInt(m.runtime),
    rating: m.rating,
    scores,
    budget: BigInt(m.budget),
    fingerprint,
    poster: posterBytes(fingerprint),
    genres: m.genres,
    in_color: m.inColor ?? true,
    original_title: m.originalTitle ?? null,
    rereleased: m.rereleased?.map(BigInt) ?? null,
    released_on: m.releasedOn,
    premiere: m.premiere ?? null,
    showtime: index === 0 ? "20:45:00.000000001" : showtimes[index % 4],
    first_screening: m.firstScreening ?? null,
    added: `2024-${month}-${day}T09:${String(index).padStart(2, "0")}:00`,
    restoration: m.restoration ?? null,
    filming_location: m.filmingLocation ?? null,
    camera_rig: m.cameraRig ?? null,
    poster_focus: m.posterFocus ?? null,
    box_office: m.boxOffice === undefined ? null : BigInt(m.boxOffice),
  };
}

/** The 64-bit FNV-1a hash of a text's UTF-8 bytes, as a signed Integer: often beyond 2^53. */
function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  }
  return BigInt.asIntN(64, hash);
}

/** A made-up 2x2 RGB "thumbnail": twelve signed bytes taken from a hash. */
function posterBytes(seed: bigint): Int8Array {
  const bytes = new Int8Array(12);
  let x = BigInt.asUintN(64, seed);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number(BigInt.asIntN(8, x));
    x = BigInt.asUintN(64, (x >> 8n) | (x << 56n)) ^ BigInt(i * 37);
  }
  return bytes;
}

/** Every credited name must be a person of the graph: a typo would silently drop a relationship. */
function checkReferences(): void {
  const names = new Set(PEOPLE.map((p) => p.name));
  const titles = new Set(MOVIES.map((m) => m.title));
  if (names.size !== PEOPLE.length || titles.size !== MOVIES.length) {
    throw new Error("The movies graph has a duplicate person or film");
  }
  const missing = [
    ...MOVIES.flatMap((m) => [
      ...m.directors,
      ...m.writers,
      ...m.producers,
      ...m.cast.map(([name]) => name),
    ]),
    ...REVIEWS.map(([name]) => name),
    ...FOLLOWS.flatMap(([a, b]) => [a, b]),
  ].filter((name) => !names.has(name));
  const missingTitles = REVIEWS.map(([, title]) => title).filter((t) =>
    !titles.has(t)
  );
  if (missing.length > 0 || missingTitles.length > 0) {
    throw new Error(
      `The movies graph names unknown people or films: ${
        [...missing, ...missingTitles].join(", ")
      }`,
    );
  }
}
