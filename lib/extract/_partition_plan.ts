import neo4j, { type Driver } from "../_driver.ts";
import type { RecordKind } from "../format/layout.ts";
import type { Selector } from "../format/selection.ts";
import {
  nodePartitionQuery,
  nodeQueries,
  type Query,
  relationshipPartitionQuery,
  relationshipQueries,
} from "./_selected_queries.ts";

/** A range of internal ids, `[lo, hi)`. */
export type IdRange = [lo: number, hi: number];

/**
 * How one kind of record is read: in ranges of internal ids (each read by a seek per id, never a
 * scan), or, with a selection of labels, one label scan per label (`null`).
 */
export type KindPlan = IdRange[] | null;

/** The partitions of an extract, as the checkpoint records them. */
export interface PartitionPlan {
  nodes: KindPlan;
  relationships: KindPlan;
}

/** One unit of reading and resuming: a query whose records go into files of their own. */
export interface Partition {
  /** Its name: its folder under `.partitions/` and its key in the checkpoint. */
  key: string;
  kind: RecordKind;
  /** Its number among the partitions of its kind, from 1 (in its files' names). */
  index: number;
  /** The ids it covers (null: a label scan). */
  range: IdRange | null;
  query: Query;
}

/** Options for {@linkcode planPartitions}. */
export interface PlanOptions {
  database: string | undefined;
  /** Records per partition wanted (undefined: a default from the counts). */
  partitionSize: number | undefined;
  /** The count store's counts (no scan). */
  counts: { nodes: number; relationships: number };
}

/** The fewest and most records a partition gets by default, and partitions per graph. */
const MIN_PARTITION = 10_000;
const MAX_PARTITION = 500_000;
const PARTITIONS = 64;
/** Probes of the id density when ids are sparse: regions, and ids per region. */
const REGIONS = 64;
const PROBES = 64;

/**
 * The default records per partition for `count` records: about 64 partitions (so that a
 * resume repeats little), from 10,000 to 500,000 records each.
 */
export function defaultPartitionSize(count: number): number {
  return Math.min(
    MAX_PARTITION,
    Math.max(MIN_PARTITION, Math.ceil(count / PARTITIONS)),
  );
}

/**
 * Plans the partitions of an extract. Id ranges run from 0 to the highest id in use (found with
 * `max(id(...))`, one pass over the store's records without their properties); where ids are
 * dense (the highest below twice the count) each range spans `size` ids, and where they are
 * sparse the density is probed with seeks in 64 regions and each range is cut to hold about
 * `size` records (a region whose probes found nothing is spanned as if 1 in 64 ids were used,
 * so that a range never grows without bound).
 */
export async function planPartitions(
  driver: Driver,
  selector: Selector,
  options: PlanOptions,
): Promise<PartitionPlan> {
  if (!selector.data) return { nodes: [], relationships: [] };
  const byLabel = selector.labels.length > 0;
  const plan = async (kind: RecordKind): Promise<IdRange[]> => {
    const count = options.counts[kind];
    const size = options.partitionSize ?? defaultPartitionSize(count);
    const maxId = await highestId(driver, options.database, kind);
    if (maxId < 0) return [];
    if (maxId + 1 <= 2 * count) return cutRanges(maxId, [1], size);
    return cutRanges(
      maxId,
      await probeDensity(driver, options.database, kind, maxId),
      size,
    );
  };
  return {
    nodes: byLabel ? null : await plan("nodes"),
    relationships: byLabel ? null : await plan("relationships"),
  };
}

/** The partitions of a plan, in order: the nodes', then the relationships'. */
export function partitionsOf(
  plan: PartitionPlan,
  selector: Selector,
): Partition[] {
  const partitions: Partition[] = [];
  const add = (
    kind: RecordKind,
    ranges: KindPlan,
    byId: (lo: number, hi: number) => Query,
    byLabel: Query[],
  ): void => {
    if (ranges === null) {
      byLabel.forEach((query, i) =>
        partitions.push({
          key: key(kind, i),
          kind,
          index: i + 1,
          range: null,
          query,
        })
      );
      return;
    }
    ranges.forEach(([lo, hi], i) =>
      partitions.push({
        key: key(kind, i),
        kind,
        index: i + 1,
        range: [lo, hi],
        query: byId(lo, hi),
      })
    );
  };
  add(
    "nodes",
    plan.nodes,
    (lo, hi) => nodePartitionQuery(selector, lo, hi),
    plan.nodes === null ? nodeQueries(selector) : [],
  );
  add(
    "relationships",
    plan.relationships,
    (lo, hi) => relationshipPartitionQuery(selector, lo, hi),
    plan.relationships === null ? relationshipQueries(selector) : [],
  );
  return partitions;
}

/**
 * Cuts `[0, maxId]` into ranges of about `size` records, given the density (records per id) of
 * equal regions of it, in order (one region: uniform).
 */
export function cutRanges(
  maxId: number,
  densities: readonly number[],
  size: number,
): IdRange[] {
  if (!Number.isSafeInteger(maxId) || maxId < 0) return [];
  const end = maxId + 1;
  const regions = densities.length;
  const ranges: IdRange[] = [];
  let lo = 0;
  while (lo < end) {
    // Walk the regions from lo, spending the records wanted at each one's density.
    let want = size;
    let at = lo;
    while (at < end && want > 0) {
      const region = Math.min(regions - 1, Math.floor(at / end * regions));
      const regionEnd = Math.min(
        end,
        Math.ceil((region + 1) * end / regions),
      );
      const density = Math.max(densities[region]!, 1 / PROBES);
      const span = Math.ceil(want / density);
      if (at + span <= regionEnd) {
        at += span;
        want = 0;
      } else {
        want -= (regionEnd - at) * density;
        at = regionEnd;
      }
    }
    const hi = Math.min(end, Math.max(at, lo + 1));
    ranges.push([lo, hi]);
    lo = hi;
  }
  return ranges;
}

/** The highest internal id of a node or relationship in use, -1 for none. */
async function highestId(
  driver: Driver,
  database: string | undefined,
  kind: RecordKind,
): Promise<number> {
  const { records } = await driver.executeQuery(
    kind === "nodes"
      ? "MATCH (n) RETURN max(id(n)) AS max"
      : "MATCH ()-[r]->() RETURN max(id(r)) AS max",
    {},
    { database, routing: neo4j.routing.READ },
  );
  const max = records[0]?.get("max");
  return max === null || max === undefined ? -1 : Number(max);
}

/** The share of ids in use in each of {@linkcode REGIONS} regions of `[0, maxId]`, by seeks. */
async function probeDensity(
  driver: Driver,
  database: string | undefined,
  kind: RecordKind,
  maxId: number,
): Promise<number[]> {
  const end = maxId + 1;
  const ids: bigint[] = [];
  let seed = 0x9e3779b9;
  for (let region = 0; region < REGIONS; region++) {
    const lo = Math.floor(region * end / REGIONS);
    const hi = Math.floor((region + 1) * end / REGIONS);
    for (let i = 0; i < PROBES && hi > lo; i++) {
      // xorshift: spread, repeatable probes (evenly spaced ones could alias with a pattern).
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      ids.push(BigInt(lo + (seed >>> 0) % (hi - lo)));
    }
  }
  const { records } = await driver.executeQuery(
    kind === "nodes"
      ? "UNWIND $ids AS i MATCH (n) WHERE id(n) = i RETURN i"
      : "UNWIND $ids AS i MATCH ()-[r]->() WHERE id(r) = i RETURN i",
    { ids },
    { database, routing: neo4j.routing.READ },
  );
  const hits = new Array<number>(REGIONS).fill(0);
  for (const record of records) {
    const id = Number(record.get("i"));
    hits[Math.min(REGIONS - 1, Math.floor(id / end * REGIONS))]!++;
  }
  return hits.map((h) => h / PROBES);
}

function key(kind: RecordKind, index: number): string {
  return `${kind}-${String(index + 1).padStart(6, "0")}`;
}
