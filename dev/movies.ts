/**
 * A small movies graph for the demo: 40 well-known films, the people who made them and a few
 * (made-up) critics who review them and follow each other, with properties of every Neo4j
 * property type spread over it, names that need escaping, and a schema of every kind Community
 * supports. The data is written out here; it is loaded with batched `UNWIND $rows` queries and
 * parameters only. Temporal values, durations and points are built server-side by the Cypher
 * functions (`date($s)`, `datetime($s)`, `duration($m)`, `point($m)`...) from string or map
 * parameters; Integers are sent as `bigint` and Floats as `number`.
 *
 * @module
 */
import type { Driver } from "neo4j-driver";

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

interface Movie {
  title: string;
  released: number;
  tagline: string;
  /** Minutes. */
  runtime: number;
  /** Out of 10. */
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

const MOVIES: Movie[] = [
  {
    title: "The Godfather",
    released: 1972,
    tagline: "A family business, an offer, and a price nobody can refuse.",
    runtime: 175,
    rating: 9.2,
    budget: 6_000_000,
    genres: ["Crime", "Drama"],
    releasedOn: "1972-03-24",
    boxOffice: 250_000_000,
    premiere: "1972-03-14T20:00:00[America/New_York]",
    filmingLocation: { longitude: -73.9857, latitude: 40.7484 },
    directors: ["Francis Ford Coppola"],
    writers: ["Mario Puzo", "Francis Ford Coppola"],
    producers: [],
    cast: [
      ["Marlon Brando", ["Don Vito Corleone"]],
      ["Al Pacino", ["Michael Corleone"]],
      ["Diane Keaton", ["Kay Adams"]],
    ],
  },
  {
    title: "Casablanca",
    released: 1942,
    tagline: "A caf\u00e9 owner must choose between an old love and a cause.",
    runtime: 102,
    rating: 8.5,
    budget: 1_000_000,
    genres: ["Drama", "Romance", "War"],
    releasedOn: "1942-11-26",
    boxOffice: 3_700_000,
    inColor: false,
    restoration: "P1Y2M10DT2H30M",
    rereleased: [1992, 2012],
    directors: ["Michael Curtiz"],
    writers: ["Julius J. Epstein"],
    producers: ["Hal B. Wallis"],
    cast: [
      ["Humphrey Bogart", ["Rick Blaine"]],
      ["Ingrid Bergman", ["Ilsa Lund"]],
      ["Claude Rains", ["Captain Louis Renault"]],
    ],
  },
  {
    title: "Jaws",
    released: 1975,
    tagline: "A summer town, a quiet beach, and something under the water.",
    runtime: 124,
    rating: 8.0,
    budget: 9_000_000,
    genres: ["Thriller", "Adventure"],
    releasedOn: "1975-06-20",
    filmingLocation: { longitude: -70.6128, latitude: 41.3888 },
    directors: ["Steven Spielberg"],
    writers: ["Peter Benchley"],
    producers: [],
    cast: [
      ["Roy Scheider", ["Chief Martin Brody"]],
      ["Robert Shaw", ["Quint"]],
      ["Richard Dreyfuss", ["Matt Hooper"]],
    ],
  },
  {
    title: "Star Wars",
    released: 1977,
    tagline: "A farm boy, a princess in need, and a galaxy in revolt.",
    runtime: 121,
    rating: 8.6,
    budget: 11_000_000,
    genres: ["Sci-Fi", "Adventure"],
    releasedOn: "1977-05-25",
    premiere: "1977-05-25T10:00:00[America/Los_Angeles]",
    filmingLocation: { longitude: 9.9682, latitude: 33.5446 },
    rereleased: [1978, 1979, 1981, 1982, 1997],
    directors: ["George Lucas"],
    writers: ["George Lucas"],
    producers: [],
    cast: [
      ["Mark Hamill", ["Luke Skywalker"]],
      ["Harrison Ford", ["Han Solo"]],
      ["Carrie Fisher", ["Princess Leia Organa"]],
    ],
  },
  {
    title: "Alien",
    released: 1979,
    tagline:
      "Seven crew members, one distress signal, and no way to call for help.",
    runtime: 117,
    rating: 8.5,
    budget: 11_000_000,
    genres: ["Horror", "Sci-Fi"],
    releasedOn: "1979-05-25",
    cameraRig: { x: 1.5, y: -2.25, z: 0.75 },
    directors: ["Ridley Scott"],
    writers: ["Dan O'Bannon"],
    producers: [],
    cast: [
      ["Sigourney Weaver", ["Ellen Ripley"]],
      ["John Hurt", ["Kane"]],
    ],
  },
  {
    title: "Blade Runner",
    released: 1982,
    tagline: "A hunter of artificial people starts to wonder what is human.",
    runtime: 117,
    rating: 8.1,
    budget: 28_000_000,
    genres: ["Sci-Fi", "Noir"],
    releasedOn: "1982-06-25",
    filmingLocation: { longitude: -118.2468, latitude: 34.0505 },
    directors: ["Ridley Scott"],
    writers: [],
    producers: [],
    cast: [
      ["Harrison Ford", ["Rick Deckard"]],
      ["Rutger Hauer", ["Roy Batty"]],
    ],
  },
  {
    title: "E.T. the Extra-Terrestrial",
    released: 1982,
    tagline: "A lost visitor, a boy on a bicycle, and a long way home.",
    runtime: 115,
    rating: 7.9,
    budget: 10_500_000,
    genres: ["Family", "Sci-Fi"],
    releasedOn: "1982-06-11",
    posterFocus: { x: 0.62, y: 0.25 },
    directors: ["Steven Spielberg"],
    writers: ["Melissa Mathison"],
    producers: ["Kathleen Kennedy", "Steven Spielberg"],
    cast: [
      ["Henry Thomas", ["Elliott"]],
      ["Drew Barrymore", ["Gertie"]],
    ],
  },
  {
    title: "Raiders of the Lost Ark",
    released: 1981,
    tagline:
      "An archaeologist races rivals for a relic that should stay buried.",
    runtime: 115,
    rating: 8.4,
    budget: 18_000_000,
    genres: ["Adventure", "Action"],
    releasedOn: "1981-06-12",
    filmingLocation: { longitude: 8.1338, latitude: 33.9197 },
    directors: ["Steven Spielberg"],
    writers: ["George Lucas"],
    producers: ["George Lucas"],
    cast: [
      ["Harrison Ford", ["Indiana Jones"]],
      ["Karen Allen", ["Marion Ravenwood"]],
    ],
  },
  {
    title: "Back to the Future",
    released: 1985,
    tagline: "A teenager, a time machine, and one week to fix thirty years.",
    runtime: 116,
    rating: 8.5,
    budget: 19_000_000,
    genres: ["Sci-Fi", "Comedy"],
    releasedOn: "1985-07-03",
    firstScreening: "10:04:00-08:00",
    filmingLocation: { longitude: -118.3531, latitude: 34.1381 },
    directors: ["Robert Zemeckis"],
    writers: ["Robert Zemeckis", "Bob Gale"],
    producers: ["Bob Gale", "Steven Spielberg"],
    cast: [
      ["Michael J. Fox", ["Marty McFly"]],
      ["Christopher Lloyd", ["Dr. Emmett Brown"]],
    ],
  },
  {
    title: "Aliens",
    released: 1986,
    tagline: "This time the marines come along.",
    runtime: 137,
    rating: 8.4,
    budget: 18_500_000,
    genres: ["Action", "Sci-Fi"],
    releasedOn: "1986-07-18",
    cameraRig: { x: -4.0, y: 0.0, z: 2.5 },
    directors: ["James Cameron"],
    writers: ["James Cameron"],
    producers: [],
    cast: [
      ["Sigourney Weaver", ["Ellen Ripley"]],
      ["Michael Biehn", ["Corporal Dwayne Hicks"]],
      ["Bill Paxton", ["Private Hudson"]],
    ],
  },
  {
    title: "Goodfellas",
    released: 1990,
    tagline: "Three decades in the life of the mob, told from the inside.",
    runtime: 145,
    rating: 8.7,
    budget: 25_000_000,
    genres: ["Crime", "Drama"],
    releasedOn: "1990-09-21",
    directors: ["Martin Scorsese"],
    writers: ["Martin Scorsese"],
    producers: [],
    cast: [
      ["Ray Liotta", ["Henry Hill"]],
      ["Robert De Niro", ["Jimmy Conway"]],
      ["Joe Pesci", ["Tommy DeVito"]],
    ],
  },
  {
    title: "The Silence of the Lambs",
    released: 1991,
    tagline: "A trainee agent asks a brilliant killer to help catch another.",
    runtime: 118,
    rating: 8.6,
    budget: 19_000_000,
    genres: ["Thriller", "Crime"],
    releasedOn: "1991-02-14",
    boxOffice: 272_700_000,
    directors: ["Jonathan Demme"],
    writers: [],
    producers: [],
    cast: [
      ["Jodie Foster", ["Clarice Starling"]],
      ["Anthony Hopkins", ["Dr. Hannibal Lecter"]],
    ],
  },
  {
    title: "Terminator 2: Judgment Day",
    released: 1991,
    tagline: "The machine sent back this time is on our side.",
    runtime: 137,
    rating: 8.6,
    budget: 102_000_000,
    genres: ["Action", "Sci-Fi"],
    releasedOn: "1991-07-03",
    cameraRig: { x: 12.0, y: 3.5, z: -1.25 },
    directors: ["James Cameron"],
    writers: ["James Cameron"],
    producers: ["James Cameron"],
    cast: [
      ["Arnold Schwarzenegger", ["The Terminator"]],
      ["Linda Hamilton", ["Sarah Connor"]],
    ],
  },
  {
    title: "Jurassic Park",
    released: 1993,
    tagline:
      "An island park brings dinosaurs back, and the fences are not enough.",
    runtime: 127,
    rating: 8.2,
    budget: 63_000_000,
    genres: ["Adventure", "Sci-Fi"],
    releasedOn: "1993-06-11",
    filmingLocation: { longitude: -159.5261, latitude: 22.0964 },
    rereleased: [2013, 2023],
    directors: ["Steven Spielberg"],
    writers: ["Michael Crichton"],
    producers: ["Kathleen Kennedy", "Gerald R. Molen"],
    cast: [
      ["Sam Neill", ["Dr. Alan Grant"]],
      ["Laura Dern", ["Dr. Ellie Sattler"]],
      ["Jeff Goldblum", ["Dr. Ian Malcolm"]],
    ],
  },
  {
    title: "Schindler's List",
    released: 1993,
    tagline: "One man's list, more than a thousand lives.",
    runtime: 195,
    rating: 9.0,
    budget: 22_000_000,
    genres: ["Drama", "History"],
    releasedOn: "1993-12-15",
    boxOffice: 322_200_000,
    inColor: false,
    filmingLocation: { longitude: 19.9614, latitude: 50.0475 },
    directors: ["Steven Spielberg"],
    writers: ["Steven Zaillian"],
    producers: ["Steven Spielberg", "Gerald R. Molen"],
    cast: [
      ["Liam Neeson", ["Oskar Schindler"]],
      ["Ben Kingsley", ["Itzhak Stern"]],
      ["Ralph Fiennes", ["Amon G\u00f6th"]],
    ],
  },
  {
    title: "Pulp Fiction",
    released: 1994,
    tagline: "Hitmen, a boxer and a briefcase, told out of order.",
    runtime: 154,
    rating: 8.9,
    budget: 8_000_000,
    genres: ["Crime"],
    releasedOn: "1994-10-14",
    firstScreening: "23:59:59.999999999+02:00",
    directors: ["Quentin Tarantino"],
    writers: ["Quentin Tarantino"],
    producers: [],
    cast: [
      ["John Travolta", ["Vincent Vega"]],
      ["Samuel L. Jackson", ["Jules Winnfield"]],
      ["Uma Thurman", ["Mia Wallace"]],
      ["Bruce Willis", ["Butch Coolidge"]],
    ],
  },
  {
    title: "The Shawshank Redemption",
    released: 1994,
    tagline: "Patience, a rock hammer, and twenty years of hope.",
    runtime: 142,
    rating: 9.3,
    budget: 25_000_000,
    genres: ["Drama"],
    releasedOn: "1994-09-23",
    filmingLocation: { longitude: -82.5154, latitude: 40.7834 },
    directors: ["Frank Darabont"],
    writers: ["Frank Darabont"],
    producers: [],
    cast: [
      ["Tim Robbins", ["Andy Dufresne"]],
      ["Morgan Freeman", ["Ellis Boyd 'Red' Redding"]],
    ],
  },
  {
    title: "Forrest Gump",
    released: 1994,
    tagline: "A kind man runs through three decades of American history.",
    runtime: 142,
    rating: 8.8,
    budget: 55_000_000,
    genres: ["Drama", "Romance"],
    releasedOn: "1994-07-06",
    boxOffice: 678_200_000,
    filmingLocation: { longitude: -81.0998, latitude: 32.0809 },
    directors: ["Robert Zemeckis"],
    writers: [],
    producers: [],
    cast: [
      ["Tom Hanks", ["Forrest Gump"]],
      ["Robin Wright", ["Jenny Curran"]],
      ["Gary Sinise", ["Lieutenant Dan Taylor"]],
    ],
  },
  {
    title: "Toy Story",
    released: 1995,
    tagline: "The toys come alive when nobody is in the room.",
    runtime: 81,
    rating: 8.3,
    budget: 30_000_000,
    genres: ["Animation", "Family"],
    releasedOn: "1995-11-22",
    posterFocus: { x: -0.5, y: 1.0 },
    directors: ["John Lasseter"],
    writers: ["Andrew Stanton"],
    producers: [],
    cast: [
      ["Tom Hanks", ["Woody"]],
      ["Tim Allen", ["Buzz Lightyear"]],
    ],
  },
  {
    title: "Apollo 13",
    released: 1995,
    tagline: "Three astronauts, a broken spacecraft, and a long way back.",
    runtime: 140,
    rating: 7.7,
    budget: 52_000_000,
    genres: ["Drama", "History"],
    releasedOn: "1995-06-30",
    filmingLocation: { longitude: -95.0930, latitude: 29.5593, height: 12.0 },
    directors: ["Ron Howard"],
    writers: [],
    producers: [],
    cast: [
      ["Tom Hanks", ["Jim Lovell"]],
      ["Kevin Bacon", ["Jack Swigert"]],
      ["Bill Paxton", ["Fred Haise"]],
      ["Gary Sinise", ["Ken Mattingly"]],
      ["Ed Harris", ["Gene Kranz"]],
    ],
  },
  {
    title: "Heat",
    released: 1995,
    tagline: "A master thief and a relentless detective, face to face.",
    runtime: 170,
    rating: 8.3,
    budget: 60_000_000,
    genres: ["Crime", "Thriller"],
    releasedOn: "1995-12-15",
    filmingLocation: { longitude: -118.2551, latitude: 34.0522 },
    directors: ["Michael Mann"],
    writers: ["Michael Mann"],
    producers: ["Michael Mann"],
    cast: [
      ["Al Pacino", ["Lt. Vincent Hanna"]],
      ["Robert De Niro", ["Neil McCauley"]],
      ["Val Kilmer", ["Chris Shiherlis"]],
    ],
  },
  {
    title: "Se7en",
    released: 1995,
    tagline: "Two detectives follow a killer who preaches with his crimes.",
    runtime: 127,
    rating: 8.6,
    budget: 33_000_000,
    genres: ["Crime", "Thriller"],
    releasedOn: "1995-09-22",
    directors: ["David Fincher"],
    writers: [],
    producers: [],
    cast: [
      ["Brad Pitt", ["Detective David Mills"]],
      ["Morgan Freeman", ["Detective William Somerset"]],
      ["Gwyneth Paltrow", ["Tracy Mills"]],
    ],
  },
  {
    title: "Fargo",
    released: 1996,
    tagline: "A bad plan in the snow, and a patient police chief.",
    runtime: 98,
    rating: 8.1,
    budget: 7_000_000,
    genres: ["Crime", "Comedy"],
    releasedOn: "1996-03-08",
    filmingLocation: { longitude: -96.7898, latitude: 46.8772 },
    directors: ["Joel Coen"],
    writers: ["Joel Coen", "Ethan Coen"],
    producers: ["Ethan Coen"],
    cast: [
      ["Frances McDormand", ["Marge Gunderson"]],
      ["William H. Macy", ["Jerry Lundegaard"]],
      ["Steve Buscemi", ["Carl Showalter"]],
    ],
  },
  {
    title: "Titanic",
    released: 1997,
    tagline: "A ship that could not sink, and two people from different decks.",
    runtime: 194,
    rating: 7.9,
    budget: 200_000_000,
    genres: ["Romance", "Drama"],
    releasedOn: "1997-12-19",
    boxOffice: 2_257_000_000,
    premiere: "1997-11-01T19:00:00[Asia/Tokyo]",
    firstScreening: "20:00:00+09:00",
    filmingLocation: { longitude: -117.0543, latitude: 32.3426 },
    cameraRig: { x: 0.5, y: 12.0, z: 3.75 },
    rereleased: [2012, 2017, 2023],
    directors: ["James Cameron"],
    writers: ["James Cameron"],
    producers: ["James Cameron"],
    cast: [
      ["Leonardo DiCaprio", ["Jack Dawson"]],
      ["Kate Winslet", ["Rose DeWitt Bukater"]],
      ["Kathy Bates", ["Molly Brown"]],
    ],
  },
  {
    title: "The Big Lebowski",
    released: 1998,
    tagline: "A mistaken identity, a ruined rug, and a lot of bowling.",
    runtime: 117,
    rating: 8.1,
    budget: 15_000_000,
    genres: ["Comedy", "Crime"],
    releasedOn: "1998-03-06",
    directors: ["Joel Coen"],
    writers: ["Joel Coen", "Ethan Coen"],
    producers: ["Ethan Coen"],
    cast: [
      ["Jeff Bridges", ["Jeffrey 'The Dude' Lebowski"]],
      ["John Goodman", ["Walter Sobchak"]],
      ["Steve Buscemi", ["Donny"]],
    ],
  },
  {
    title: "Saving Private Ryan",
    released: 1998,
    tagline: "Eight soldiers cross a war to bring one man home.",
    runtime: 169,
    rating: 8.6,
    budget: 70_000_000,
    genres: ["War", "Drama"],
    releasedOn: "1998-07-24",
    filmingLocation: { longitude: -6.3322, latitude: 52.3369 },
    directors: ["Steven Spielberg"],
    writers: [],
    producers: ["Steven Spielberg"],
    cast: [
      ["Tom Hanks", ["Captain John Miller"]],
      ["Matt Damon", ["Private James Francis Ryan"]],
    ],
  },
  {
    title: "The Matrix",
    released: 1999,
    tagline: "The world you see is a program, and someone wants you out.",
    runtime: 136,
    rating: 8.7,
    budget: 63_000_000,
    genres: ["Sci-Fi", "Action"],
    releasedOn: "1999-03-31",
    premiere: "1999-03-24T19:30:00[America/Los_Angeles]",
    firstScreening: "19:30:00+10:00",
    filmingLocation: { longitude: 151.2093, latitude: -33.8688 },
    directors: ["Lana Wachowski", "Lilly Wachowski"],
    writers: ["Lana Wachowski", "Lilly Wachowski"],
    producers: [],
    cast: [
      ["Keanu Reeves", ["Neo", "Thomas A. Anderson"]],
      ["Laurence Fishburne", ["Morpheus"]],
      ["Carrie-Anne Moss", ["Trinity"]],
      ["Hugo Weaving", ["Agent Smith"]],
    ],
  },
  {
    title: "Fight Club",
    released: 1999,
    tagline: "An insomniac and a soap salesman start a club with rules.",
    runtime: 139,
    rating: 8.8,
    budget: 63_000_000,
    genres: ["Drama"],
    releasedOn: "1999-10-15",
    directors: ["David Fincher"],
    writers: [],
    producers: [],
    cast: [
      ["Brad Pitt", ["Tyler Durden"]],
      ["Edward Norton", ["The Narrator"]],
      ["Helena Bonham Carter", ["Marla Singer"]],
    ],
  },
  {
    title: "Gladiator",
    released: 2000,
    tagline: "A general made a slave fights his way back to Rome.",
    runtime: 155,
    rating: 8.5,
    budget: 103_000_000,
    genres: ["Action", "History"],
    releasedOn: "2000-05-05",
    boxOffice: 465_500_000,
    filmingLocation: { longitude: -6.8936, latitude: 30.9189 },
    directors: ["Ridley Scott"],
    writers: [],
    producers: [],
    cast: [
      ["Russell Crowe", ["Maximus"]],
      ["Joaquin Phoenix", ["Commodus"]],
    ],
  },
  {
    title: "Memento",
    released: 2000,
    tagline:
      "A man with no short-term memory hunts a killer, one note at a time.",
    runtime: 113,
    rating: 8.4,
    budget: 9_000_000,
    genres: ["Mystery", "Thriller"],
    releasedOn: "2000-09-05",
    directors: ["Christopher Nolan"],
    writers: ["Christopher Nolan", "Jonathan Nolan"],
    producers: [],
    cast: [
      ["Guy Pearce", ["Leonard Shelby"]],
      ["Carrie-Anne Moss", ["Natalie"]],
    ],
  },
  {
    title: "Am\u00e9lie",
    released: 2001,
    tagline:
      "A shy waitress in Montmartre secretly improves the lives around her.",
    runtime: 122,
    rating: 8.3,
    budget: 10_000_000,
    genres: ["Comedy", "Romance"],
    releasedOn: "2001-04-25",
    originalTitle: "Le Fabuleux Destin d'Am\u00e9lie Poulain",
    premiere: "2001-04-25T20:30:00[Europe/Paris]",
    filmingLocation: { longitude: 2.3364, latitude: 48.8846 },
    directors: ["Jean-Pierre Jeunet"],
    writers: ["Jean-Pierre Jeunet"],
    producers: [],
    cast: [
      ["Audrey Tautou", ["Am\u00e9lie Poulain"]],
    ],
  },
  {
    title: "Spirited Away",
    released: 2001,
    tagline: "A girl works in a bathhouse of spirits to save her parents.",
    runtime: 125,
    rating: 8.6,
    budget: 19_000_000,
    genres: ["Animation", "Fantasy"],
    releasedOn: "2001-07-20",
    originalTitle: "\u5343\u3068\u5343\u5c0b\u306e\u795e\u96a0\u3057",
    premiere: "2001-07-20T09:00:00[Asia/Tokyo]",
    directors: ["Hayao Miyazaki"],
    writers: ["Hayao Miyazaki"],
    producers: [],
    cast: [
      ["Rumi Hiiragi", ["Chihiro Ogino", "Sen"]],
    ],
  },
  {
    title: "No Country for Old Men",
    released: 2007,
    tagline: "A found fortune, a relentless pursuer, and an old sheriff.",
    runtime: 122,
    rating: 8.2,
    budget: 25_000_000,
    genres: ["Crime", "Thriller"],
    releasedOn: "2007-11-09",
    boxOffice: 171_600_000,
    filmingLocation: { longitude: -106.6504, latitude: 35.0844 },
    directors: ["Joel Coen", "Ethan Coen"],
    writers: ["Joel Coen", "Ethan Coen"],
    producers: ["Joel Coen", "Ethan Coen"],
    cast: [
      ["Tommy Lee Jones", ["Sheriff Ed Tom Bell"]],
      ["Javier Bardem", ["Anton Chigurh"]],
    ],
  },
  {
    title: "The Dark Knight",
    released: 2008,
    tagline: "A city's protector meets an enemy who just wants chaos.",
    runtime: 152,
    rating: 9.0,
    budget: 185_000_000,
    genres: ["Action", "Crime"],
    releasedOn: "2008-07-18",
    filmingLocation: { longitude: -87.6298, latitude: 41.8781 },
    directors: ["Christopher Nolan"],
    writers: ["Jonathan Nolan", "Christopher Nolan"],
    producers: ["Emma Thomas", "Christopher Nolan"],
    cast: [
      ["Christian Bale", ["Bruce Wayne", "Batman"]],
      ["Heath Ledger", ["The Joker"]],
      ["Michael Caine", ["Alfred Pennyworth"]],
      ["Morgan Freeman", ["Lucius Fox"]],
    ],
  },
  {
    title: "WALL-E",
    released: 2008,
    tagline: "A lonely robot cleans up the Earth, then falls in love.",
    runtime: 98,
    rating: 8.4,
    budget: 180_000_000,
    genres: ["Animation", "Sci-Fi"],
    releasedOn: "2008-06-27",
    posterFocus: { x: 0.0, y: 0.0 },
    directors: ["Andrew Stanton"],
    writers: ["Andrew Stanton", "Pete Docter"],
    producers: [],
    cast: [
      ["Ben Burtt", ["WALL-E", "M-O"]],
      ["Sigourney Weaver", ["Ship's Computer"]],
    ],
  },
  {
    title: "Up",
    released: 2009,
    tagline: "An old man ties balloons to his house and finally sets off.",
    runtime: 96,
    rating: 8.3,
    budget: 175_000_000,
    genres: ["Animation", "Adventure"],
    releasedOn: "2009-05-29",
    filmingLocation: { longitude: -62.8333, latitude: 5.9701, height: 979.0 },
    directors: ["Pete Docter"],
    writers: ["Pete Docter"],
    producers: [],
    cast: [
      ["Ed Asner", ["Carl Fredricksen"]],
    ],
  },
  {
    title: "Inception",
    released: 2010,
    tagline: "A thief who steals ideas is asked to plant one.",
    runtime: 148,
    rating: 8.8,
    budget: 160_000_000,
    genres: ["Sci-Fi", "Thriller"],
    releasedOn: "2010-07-16",
    premiere: "2010-07-08T19:00:00+01:00",
    filmingLocation: { longitude: 2.2877, latitude: 48.8554 },
    directors: ["Christopher Nolan"],
    writers: ["Christopher Nolan"],
    producers: ["Emma Thomas", "Christopher Nolan"],
    cast: [
      ["Leonardo DiCaprio", ["Dom Cobb"]],
      ["Joseph Gordon-Levitt", ["Arthur"]],
      ["Elliot Page", ["Ariadne"]],
      ["Tom Hardy", ["Eames"]],
      ["Michael Caine", ["Professor Stephen Miles"]],
    ],
  },
  {
    title: "Interstellar",
    released: 2014,
    tagline: "Farmers become astronauts to find humanity a new home.",
    runtime: 169,
    rating: 8.7,
    budget: 165_000_000,
    genres: ["Sci-Fi", "Drama"],
    releasedOn: "2014-11-07",
    filmingLocation: { longitude: -16.8667, latitude: 64.0167 },
    directors: ["Christopher Nolan"],
    writers: ["Jonathan Nolan", "Christopher Nolan"],
    producers: ["Emma Thomas", "Christopher Nolan"],
    cast: [
      ["Matthew McConaughey", ["Cooper"]],
      ["Anne Hathaway", ["Dr. Amelia Brand"]],
      ["Michael Caine", ["Professor John Brand"]],
    ],
  },
  {
    title: "Mad Max: Fury Road",
    released: 2015,
    tagline: "One long desert chase, a war rig, and a tyrant's escaped wives.",
    runtime: 120,
    rating: 8.1,
    budget: 150_000_000,
    genres: ["Action", "Adventure"],
    releasedOn: "2015-05-15",
    filmingLocation: { longitude: 14.5272, latitude: -22.9576, height: 120.5 },
    directors: ["George Miller"],
    writers: ["George Miller"],
    producers: ["George Miller"],
    cast: [
      ["Tom Hardy", ["Max Rockatansky"]],
      ["Charlize Theron", ["Imperator Furiosa"]],
    ],
  },
  {
    title: "Parasite",
    released: 2019,
    tagline: "A poor family moves in on a rich one, one job at a time.",
    runtime: 132,
    rating: 8.5,
    budget: 11_400_000,
    genres: ["Thriller", "Drama"],
    releasedOn: "2019-05-30",
    boxOffice: 262_000_000,
    originalTitle: "\uae30\uc0dd\ucda9",
    premiere: "2019-05-21T22:00:00+02:00",
    filmingLocation: { longitude: 126.9780, latitude: 37.5665 },
    directors: ["Bong Joon-ho"],
    writers: ["Bong Joon-ho"],
    producers: ["Bong Joon-ho"],
    cast: [
      ["Song Kang-ho", ["Kim Ki-taek"]],
      ["Choi Woo-shik", ["Kim Ki-woo"]],
      ["Cho Yeo-jeong", ["Park Yeon-kyo"]],
    ],
  },
];

interface Person {
  name: string;
  born: number;
  nicknames?: string[];
  critic?: true;
}

/** Everybody credited above, and the critics. */
const PEOPLE: Person[] = [
  { name: "Francis Ford Coppola", born: 1939 },
  { name: "Mario Puzo", born: 1920 },
  { name: "Marlon Brando", born: 1924, nicknames: ["Bud"] },
  { name: "Al Pacino", born: 1940, nicknames: ["Sonny"] },
  { name: "Diane Keaton", born: 1946 },
  { name: "Michael Curtiz", born: 1886 },
  { name: "Julius J. Epstein", born: 1909 },
  { name: "Hal B. Wallis", born: 1898 },
  { name: "Humphrey Bogart", born: 1899, nicknames: ["Bogie"] },
  { name: "Ingrid Bergman", born: 1915 },
  { name: "Claude Rains", born: 1889 },
  { name: "Steven Spielberg", born: 1946 },
  { name: "Peter Benchley", born: 1940 },
  { name: "Roy Scheider", born: 1932 },
  { name: "Robert Shaw", born: 1927 },
  { name: "Richard Dreyfuss", born: 1947 },
  { name: "George Lucas", born: 1944 },
  { name: "Mark Hamill", born: 1951 },
  { name: "Harrison Ford", born: 1942, nicknames: [] },
  { name: "Carrie Fisher", born: 1956 },
  { name: "Ridley Scott", born: 1937 },
  { name: "Dan O'Bannon", born: 1946 },
  { name: "Sigourney Weaver", born: 1949 },
  { name: "John Hurt", born: 1940 },
  { name: "Rutger Hauer", born: 1944 },
  { name: "Melissa Mathison", born: 1950 },
  { name: "Kathleen Kennedy", born: 1953 },
  { name: "Henry Thomas", born: 1971 },
  { name: "Drew Barrymore", born: 1975 },
  { name: "Karen Allen", born: 1951 },
  { name: "Robert Zemeckis", born: 1951 },
  { name: "Bob Gale", born: 1951 },
  { name: "Michael J. Fox", born: 1961 },
  { name: "Christopher Lloyd", born: 1938, nicknames: ["Doc"] },
  { name: "James Cameron", born: 1954 },
  { name: "Michael Biehn", born: 1956 },
  { name: "Bill Paxton", born: 1955 },
  { name: "Martin Scorsese", born: 1942, nicknames: ["Marty"] },
  { name: "Ray Liotta", born: 1954 },
  { name: "Robert De Niro", born: 1943, nicknames: ["Bobby"] },
  { name: "Joe Pesci", born: 1943 },
  { name: "Jonathan Demme", born: 1944 },
  { name: "Jodie Foster", born: 1962 },
  { name: "Anthony Hopkins", born: 1937 },
  {
    name: "Arnold Schwarzenegger",
    born: 1947,
    nicknames: ["Arnie", "The Austrian Oak"],
  },
  { name: "Linda Hamilton", born: 1956 },
  { name: "Michael Crichton", born: 1942 },
  { name: "Gerald R. Molen", born: 1935 },
  { name: "Sam Neill", born: 1947 },
  { name: "Laura Dern", born: 1967 },
  { name: "Jeff Goldblum", born: 1952 },
  { name: "Steven Zaillian", born: 1953 },
  { name: "Liam Neeson", born: 1952 },
  { name: "Ben Kingsley", born: 1943 },
  { name: "Ralph Fiennes", born: 1962 },
  { name: "Quentin Tarantino", born: 1963, nicknames: ["QT"] },
  { name: "John Travolta", born: 1954 },
  { name: "Samuel L. Jackson", born: 1948 },
  { name: "Uma Thurman", born: 1970 },
  { name: "Bruce Willis", born: 1955 },
  { name: "Frank Darabont", born: 1959 },
  { name: "Tim Robbins", born: 1958 },
  { name: "Morgan Freeman", born: 1937 },
  { name: "Tom Hanks", born: 1956, nicknames: [] },
  { name: "Robin Wright", born: 1966 },
  { name: "Gary Sinise", born: 1955 },
  { name: "John Lasseter", born: 1957 },
  { name: "Andrew Stanton", born: 1965 },
  { name: "Tim Allen", born: 1953 },
  { name: "Ron Howard", born: 1954 },
  { name: "Kevin Bacon", born: 1958 },
  { name: "Ed Harris", born: 1950 },
  { name: "Michael Mann", born: 1943 },
  { name: "Val Kilmer", born: 1959 },
  { name: "David Fincher", born: 1962 },
  { name: "Brad Pitt", born: 1963 },
  { name: "Gwyneth Paltrow", born: 1972 },
  {
    name: "Joel Coen",
    born: 1954,
    nicknames: ["The Two-Headed Director"],
  },
  {
    name: "Ethan Coen",
    born: 1957,
    nicknames: ["The Two-Headed Director"],
  },
  { name: "Frances McDormand", born: 1957 },
  { name: "William H. Macy", born: 1950 },
  { name: "Steve Buscemi", born: 1957 },
  { name: "Leonardo DiCaprio", born: 1974, nicknames: ["Leo"] },
  { name: "Kate Winslet", born: 1975 },
  { name: "Kathy Bates", born: 1948 },
  { name: "Jeff Bridges", born: 1949, nicknames: ["The Dude"] },
  { name: "John Goodman", born: 1952 },
  { name: "Matt Damon", born: 1970 },
  { name: "Lana Wachowski", born: 1965 },
  { name: "Lilly Wachowski", born: 1967 },
  { name: "Keanu Reeves", born: 1964 },
  { name: "Laurence Fishburne", born: 1961 },
  { name: "Carrie-Anne Moss", born: 1967 },
  { name: "Hugo Weaving", born: 1960 },
  { name: "Edward Norton", born: 1969 },
  { name: "Helena Bonham Carter", born: 1966 },
  { name: "Russell Crowe", born: 1964 },
  { name: "Joaquin Phoenix", born: 1974 },
  { name: "Christopher Nolan", born: 1970 },
  { name: "Jonathan Nolan", born: 1976 },
  { name: "Guy Pearce", born: 1967 },
  { name: "Jean-Pierre Jeunet", born: 1953 },
  { name: "Audrey Tautou", born: 1976 },
  { name: "Hayao Miyazaki", born: 1941 },
  { name: "Rumi Hiiragi", born: 1987 },
  { name: "Tommy Lee Jones", born: 1946 },
  { name: "Javier Bardem", born: 1969 },
  { name: "Emma Thomas", born: 1971 },
  { name: "Christian Bale", born: 1974 },
  { name: "Heath Ledger", born: 1979 },
  { name: "Michael Caine", born: 1933 },
  { name: "Ben Burtt", born: 1948 },
  { name: "Pete Docter", born: 1968 },
  { name: "Ed Asner", born: 1929 },
  { name: "Joseph Gordon-Levitt", born: 1981 },
  { name: "Elliot Page", born: 1987 },
  { name: "Tom Hardy", born: 1977 },
  { name: "Matthew McConaughey", born: 1969 },
  { name: "Anne Hathaway", born: 1982 },
  { name: "George Miller", born: 1945 },
  { name: "Charlize Theron", born: 1975 },
  { name: "Bong Joon-ho", born: 1969 },
  { name: "Song Kang-ho", born: 1967 },
  { name: "Choi Woo-shik", born: 1990 },
  { name: "Cho Yeo-jeong", born: 1981 },
  // The critics are made up.
  { name: "Vera Lumen", born: 1968, nicknames: ["V.L."], critic: true },
  { name: "Otto Reel", born: 1975, critic: true },
  { name: "Priya Marquee", born: 1983, nicknames: [], critic: true },
  { name: "In\u00e8s Fondu", born: 1979, critic: true },
  { name: "Jonas Splice", born: 1990, nicknames: ["J.S."], critic: true },
];

/** Critic, film, summary, rating out of 100, when (UTC). */
const REVIEWS: [string, string, string, number, string][] = [
  [
    "Vera Lumen",
    "The Matrix",
    "Cool leather, bullet time, and a real idea.",
    95,
    "1999-04-02T08:15:00Z",
  ],
  [
    "Otto Reel",
    "The Matrix",
    "Dazzling, if it explains itself twice.",
    80,
    "1999-04-05T12:00:00Z",
  ],
  [
    "Vera Lumen",
    "Casablanca",
    "Every line is a quotation now, and it still plays fresh.",
    100,
    "2012-03-01T19:45:00Z",
  ],
  [
    "Priya Marquee",
    "Parasite",
    "A comedy that turns into a thriller without a seam.",
    98,
    "2019-10-12T10:30:00Z",
  ],
  [
    "In\u00e8s Fondu",
    "Am\u00e9lie",
    "Sugar, but sharp sugar.",
    85,
    "2001-05-03T17:00:00Z",
  ],
  [
    "Jonas Splice",
    "Inception",
    "A heist inside a puzzle inside a heist.",
    90,
    "2010-07-20T21:10:30.5Z",
  ],
  [
    "Jonas Splice",
    "Interstellar",
    "The science is big, the feelings bigger.",
    76,
    "2014-11-09T09:00:00Z",
  ],
  [
    "Otto Reel",
    "Heat",
    "Two great actors, one great coffee shop scene.",
    88,
    "1995-12-20T14:00:00Z",
  ],
  [
    "Priya Marquee",
    "Spirited Away",
    "Endlessly inventive; every frame is alive.",
    99,
    "2002-09-21T11:00:00Z",
  ],
  [
    "Vera Lumen",
    "Jaws",
    "The shark barely shows up and owns the summer.",
    92,
    "1975-06-25T16:00:00Z",
  ],
  [
    "In\u00e8s Fondu",
    "Pulp Fiction",
    "Talky, violent, funny, and rearranged with glee.",
    91,
    "1994-10-26T20:00:00Z",
  ],
  [
    "Otto Reel",
    "Titanic",
    "Overlong, and it does not matter.",
    70,
    "1997-12-22T18:30:00Z",
  ],
  [
    "Jonas Splice",
    "Mad Max: Fury Road",
    "Two hours of pure forward motion.",
    97,
    "2015-05-16T23:59:59Z",
  ],
  [
    "Priya Marquee",
    "WALL-E",
    "Its first forty minutes barely need words.",
    94,
    "2008-06-30T07:30:00Z",
  ],
  [
    "Vera Lumen",
    "The Godfather",
    "A crime saga that plays like a family album.",
    100,
    "1972-03-28T09:00:00Z",
  ],
  [
    "In\u00e8s Fondu",
    "Fight Club",
    "Clever until it admires itself.",
    64,
    "1999-10-18T13:00:00Z",
  ],
  [
    "Otto Reel",
    "The Big Lebowski",
    "Shaggy, aimless and quotable forever.",
    83,
    "1998-03-10T15:00:00Z",
  ],
  [
    "Jonas Splice",
    "Blade Runner",
    "Rain, neon and a question that outlasts the plot.",
    89,
    "2007-10-05T22:00:00Z",
  ],
  [
    "Priya Marquee",
    "Toy Story",
    "The first of its kind, and still one of the best.",
    96,
    "1995-11-24T10:00:00Z",
  ],
  [
    "Vera Lumen",
    "Memento",
    "Told backwards, and it works forwards too.",
    87,
    "2001-03-20T12:00:00Z",
  ],
];

/** Follower, followed, since. */
const FOLLOWS: [string, string, string][] = [
  ["Otto Reel", "Vera Lumen", "2005-01-10"],
  ["Priya Marquee", "Vera Lumen", "2011-06-02"],
  ["Jonas Splice", "Priya Marquee", "2016-09-15"],
  ["Jonas Splice", "Otto Reel", "2016-09-15"],
  ["In\u00e8s Fondu", "Vera Lumen", "2003-04-01"],
  ["Vera Lumen", "In\u00e8s Fondu", "2003-04-02"],
  ["Priya Marquee", "Bong Joon-ho", "2019-05-26"],
  ["Jonas Splice", "Christopher Nolan", "2010-07-21"],
  ["Otto Reel", "Michael Mann", "1996-01-01"],
];

/** Rows per query. */
const BATCH_SIZE = 50;

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
  const run = async (
    query: string,
    rows: Record<string, unknown>[],
    expect: "nodes" | "relationships",
  ): Promise<void> => {
    for (let i = 0; i < rows.length; i += BATCH_SIZE) {
      const batch = rows.slice(i, i + BATCH_SIZE);
      const { summary } = await driver.executeQuery(query, { rows: batch }, {
        ...(database ? { database } : {}),
      });
      const updates = summary.counters.updates();
      const created = expect === "nodes"
        ? updates.nodesCreated
        : updates.relationshipsCreated;
      if (created !== batch.length) {
        throw new Error(
          `Expected ${batch.length} ${expect} from a batch, created ${created}`,
        );
      }
      counts.nodes += updates.nodesCreated;
      counts.relationships += updates.relationshipsCreated;
    }
  };

  for (const { statement } of MOVIES_SCHEMA) {
    await driver.executeQuery(statement, {}, {
      ...(database ? { database } : {}),
    });
  }

  await run(
    `UNWIND $rows AS row
     CREATE (p:Person)
     SET p.name = row.name, p.born = row.born, p.nicknames = row.nicknames
     FOREACH (_ IN CASE WHEN row.critic THEN [1] ELSE [] END | SET p:Critic)`,
    PEOPLE.map((p) => ({
      name: p.name,
      born: BigInt(p.born),
      nicknames: p.nicknames ?? null,
      critic: p.critic === true,
    })),
    "nodes",
  );

  await run(
    `UNWIND $rows AS row
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
       SET m:${escapeName(AWARD_WINNER_LABEL)})`,
    MOVIES.map((m, i) => movieRow(m, i)),
    "nodes",
  );

  const credits = (
    type: string,
    pick: (m: Movie) => string[],
  ): Promise<void> =>
    run(
      `UNWIND $rows AS row
       MATCH (p:Person {name: row.person}), (m:Movie {title: row.movie})
       CREATE (p)-[:${escapeName(type)}]->(m)`,
      MOVIES.flatMap((m) =>
        pick(m).map((person) => ({ person, movie: m.title }))
      ),
      "relationships",
    );
  await run(
    `UNWIND $rows AS row
     MATCH (p:Person {name: row.person}), (m:Movie {title: row.movie})
     CREATE (p)-[r:ACTED_IN]->(m)
     SET r.roles = row.roles`,
    MOVIES.flatMap((m) =>
      m.cast.map(([person, roles]) => ({ person, movie: m.title, roles }))
    ),
    "relationships",
  );
  await credits("DIRECTED", (m) => m.directors);
  await credits("WROTE", (m) => m.writers);
  await credits("PRODUCED", (m) => m.producers);
  await run(
    `UNWIND $rows AS row
     MATCH (p:Person {name: row.person}), (m:Movie {title: row.movie})
     CREATE (p)-[r:REVIEWED]->(m)
     SET r.summary = row.summary, r.rating = row.rating,
       r.reviewed_at = datetime(row.reviewed_at)`,
    REVIEWS.map(([person, movie, summary, rating, at]) => ({
      person,
      movie,
      summary,
      rating: BigInt(rating),
      reviewed_at: at,
    })),
    "relationships",
  );
  await run(
    `UNWIND $rows AS row
     MATCH (a:Person {name: row.follower}), (b:Person {name: row.followed})
     CREATE (a)-[r:FOLLOWS]->(b)
     SET r.since = date(row.since)`,
    FOLLOWS.map(([follower, followed, since]) => ({
      follower,
      followed,
      since,
    })),
    "relationships",
  );
  return counts;
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

/** Escapes a label, type or property key for Cypher: in backticks, backticks doubled. */
function escapeName(name: string): string {
  return "`" + name.replaceAll("`", "``") + "`";
}
