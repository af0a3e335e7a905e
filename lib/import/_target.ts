import neo4j, { type Driver, type QueryResult } from "../_driver.ts";
import { withRetry } from "../_retry.ts";
import { labelSetKey } from "../format/_label_set_key.ts";

/** Nodes per label set (keyed by {@linkcode labelSetKey}) and relationships per type. */
export interface GraphCounts {
  labelSets: Map<string, number>;
  relationshipTypes: Map<string, number>;
}

/** Counts of an empty graph. */
export function noCounts(): GraphCounts {
  return { labelSets: new Map(), relationshipTypes: new Map() };
}

/**
 * The database an import writes into: its driver, its name and the import's signal, with the
 * queries every step of the import asks of it.
 */
export class Target {
  /** The driver (not closed here). */
  readonly driver: Driver;
  /** The database; undefined for the user's home database. */
  readonly database: string | undefined;
  /** The import's stop signal. */
  readonly signal: AbortSignal | undefined;

  /** A target reached through `driver`. */
  constructor(
    driver: Driver,
    database: string | undefined,
    signal: AbortSignal | undefined,
  ) {
    this.driver = driver;
    this.database = database;
    this.signal = signal;
  }

  /** Runs a query that is safe to repeat, retrying what may succeed on a second try. */
  query(
    cypher: string,
    params: Record<string, unknown> = {},
    write = false,
  ): Promise<QueryResult> {
    return withRetry(
      () =>
        this.driver.executeQuery(cypher, params, {
          database: this.database,
          routing: write ? neo4j.routing.WRITE : neo4j.routing.READ,
        }),
      { signal: this.signal },
    );
  }

  /** Nodes per label set and relationships per type, as the database holds them now. */
  async counts(): Promise<GraphCounts> {
    const { records: sets } = await this.query(
      "MATCH (n) RETURN labels(n) AS labels, count(*) AS count",
    );
    const labelSets = new Map<string, number>();
    for (const record of sets) {
      const key = labelSetKey(record.get("labels") as string[]);
      labelSets.set(
        key,
        (labelSets.get(key) ?? 0) + Number(record.get("count")),
      );
    }
    const { records: types } = await this.query(
      "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count",
    );
    return {
      labelSets,
      relationshipTypes: new Map(
        types.map((r) => [String(r.get("type")), Number(r.get("count"))]),
      ),
    };
  }
}
