import type { Record as Neo4jRecord, Result } from "../_driver.ts";

/** The driver's stream handle behind a result (what its own async iterator uses). */
interface Streaming {
  pause(): void;
  resume(): void;
  cancel(): void;
  /**
   * Records asked for by each PULL after the first (neo4j-driver's `ResultStreamObserver`;
   * the first goes out with the query, at the session's fetch size). -1: all at once.
   */
  _fetchSize?: number;
}

/** `Result` with the method neo4j-driver's async iterator is built on. */
interface SubscribableResult {
  _subscribe(
    observer: {
      onNext(record: Neo4jRecord): void;
      onCompleted(): void;
      onError(error: unknown): void;
    },
    paused: boolean,
  ): Promise<Streaming>;
}

/** Options of {@linkcode rowBatches}. */
export interface RowBatchOptions {
  /**
   * Pause the driver once the rows waiting here are estimated at this many bytes (their size
   * as JSON, roughly: see {@linkcode estimateBytes}), whatever their number; and size the
   * driver's pulls so that one brings about a quarter of this. A caller that runs several
   * readers at once gives each its share of one budget.
   * @default {DEFAULT_BATCH_BYTES} (2 MiB)
   */
  bytes?: number;
  /**
   * End the batches with a record estimated at this many bytes or more (the rest of the
   * result is discarded, and rows that arrive after it are dropped), calling `onHuge`: Neo4j
   * serves every record after a huge one in the same query slowly (measured: ~14 ms a record
   * after a 5 MB string), so a caller that can start a new query where this one stopped gets
   * its speed back (see {@linkcode setFirstPull} to keep that query's first pull small).
   * @default {Infinity}
   */
  hugeBytes?: number;
  /** Called when the batches end early for a huge record (see `hugeBytes`). */
  onHuge?: () => void;
}

/**
 * The default of {@linkcode RowBatchOptions.bytes}: 2 MiB of estimated JSON. Measured (extract
 * of a graph of wide records, bench/extract_memory.ts): peak RSS 438 MiB with 2 MiB, 555 MiB
 * with 8 MiB, 783 MiB with the row limit alone; narrow rows never reach it before the row limit.
 */
export const DEFAULT_BATCH_BYTES = 2 * 2 ** 20;

/**
 * The rows of a result in batches, as they arrive, with flow control: at most about `limit`
 * rows, and at most about `options.bytes` bytes of them (estimated as JSON text), wait here
 * (the driver stops pulling until the consumer takes them), so a slow consumer holds the
 * server back and memory stays bounded however wide the records.
 *
 * The bound holds for what is asked after the first fetch: the driver's pulls after the first
 * are sized from the records seen so far (the driver's internal `_fetchSize` of the stream), so
 * that a pull brings about a quarter of `bytes`, from one record up to the larger of the
 * session's fetch size and half of `limit`. The first fetch goes out with the query, at the
 * session's fetch size, before this sees the result: a session that may meet wide records
 * first should start with a small fetch size (the pulls grow from there).
 *
 * neo4j-driver's `for await` over a result does the same record by record, with a promise per
 * record; this takes whole batches. Measured with bench/row_reader.ts (100k nodes, 200k
 * relationships, fetch size 2000, neo4j-driver 6.3.0, two runs of 5 interleaved rounds,
 * medians): with `for await`, reading the extract's two queries took 1.17-1.21x the CPU time
 * and a whole extract 1.12-1.14x the CPU time (1.10-1.12x the wall time). It uses the
 * driver's internal `Result._subscribe(observer, paused)` (the method its async iterator is
 * built on) and falls back to the async iterator where that is missing;
 * tests/driver_hooks_test.ts fails if the driver's method is gone or changed, or if this no
 * longer reads through it with flow control.
 *
 * When the consumer stops early, the stream is discarded and this waits until the driver has
 * finished with it, so that the connection goes back to the pool clean.
 */
export async function* rowBatches(
  result: Result,
  limit: number,
  options: RowBatchOptions = {},
): AsyncGenerator<Neo4jRecord[]> {
  const maxBytes = options.bytes ?? DEFAULT_BATCH_BYTES;
  if (!(maxBytes > 0)) {
    throw new RangeError(`bytes must be positive, got ${options.bytes}`);
  }
  const subscribable = result as unknown as Partial<SubscribableResult>;
  if (typeof subscribable._subscribe !== "function") {
    yield* iteratorBatches(result, limit, maxBytes);
    return;
  }
  let buffer: Neo4jRecord[] = [];
  let bufferBytes = 0;
  let done = false;
  let failure: { error: unknown } | undefined;
  let paused = false;
  let cancelled = false;
  let wake: (() => void) | undefined;
  const signal = (): void => {
    wake?.();
    wake = undefined;
  };
  // Wake the consumer once a worthwhile batch waits, never later than the pause point.
  const wakeAt = Math.max(1, Math.min(1000, limit));
  const wakeBytes = maxBytes / 4;
  // The pulls: about a quarter of the bytes each, from what the records so far weighed.
  const pullBytes = maxBytes / 4;
  let maxPull = 0;
  let recentBytes = 0;
  const hugeBytes = options.hugeBytes ?? Infinity;
  let huge = false;
  let streaming: Streaming | undefined;
  const subscribed = subscribable._subscribe({
    onNext(record): void {
      // After a huge record the batches end with it: what the pull in flight still brings is
      // dropped at once (the caller reads it again), not held beside the huge one.
      if (cancelled || huge) return;
      buffer.push(record);
      const bytes = recordBytes(record);
      bufferBytes += bytes;
      if (bytes >= hugeBytes) {
        huge = true;
        if (!paused) {
          paused = true;
          streaming?.pause();
        }
        signal();
        return;
      }
      // The largest record lately, forgotten slowly (by half in about 700 records): in a
      // graph where wide records come in runs among small ones, a pull sized on the small
      // ones would bring a whole fetch of wide ones.
      // A record over an eighth of a pull counts as an eighth: a pull asks for 8 at least, so
      // that one huge record does not leave a long run of one-record pulls behind it.
      recentBytes = Math.max(
        Math.min(bytes, pullBytes / 8),
        recentBytes * 0.999,
      );
      if (maxPull > 0) {
        streaming!._fetchSize = Math.max(
          1,
          Math.min(maxPull, Math.floor(pullBytes / recentBytes)),
        );
      }
      if (!paused && (buffer.length >= limit || bufferBytes >= maxBytes)) {
        paused = true;
        streaming?.pause();
      }
      if (buffer.length >= wakeAt || bufferBytes >= wakeBytes) signal();
    },
    onCompleted(): void {
      done = true;
      signal();
    },
    onError(error): void {
      failure = { error };
      done = true;
      signal();
    },
  }, true);
  try {
    streaming = await subscribed;
  } catch (error) {
    throw failure?.error ?? error;
  }
  const fetchSize = streaming._fetchSize;
  if (typeof fetchSize === "number" && fetchSize > 0) {
    maxPull = Math.max(fetchSize, Math.floor(limit / 2));
  }
  streaming.resume();
  try {
    for (;;) {
      if (buffer.length > 0) {
        const batch = buffer;
        buffer = [];
        bufferBytes = 0;
        if (huge) {
          yield batch;
          options.onHuge?.();
          return;
        }
        if (paused) {
          paused = false;
          streaming.resume();
        }
        yield batch;
        continue;
      }
      if (failure) throw failure.error;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!done) {
      // Stopped early: discard the rest and wait until the driver is through with it. The
      // driver sends the discard only when not paused, and records already on their way must
      // not pause it again.
      cancelled = true;
      streaming.cancel();
      streaming.resume();
      buffer = [];
      while (!done) {
        await new Promise<void>((resolve) => (wake = resolve));
        buffer = [];
      }
    }
  }
}

async function* iteratorBatches(
  result: Result,
  size: number,
  maxBytes: number,
): AsyncGenerator<Neo4jRecord[]> {
  let batch: Neo4jRecord[] = [];
  let bytes = 0;
  for await (const record of result) {
    batch.push(record);
    bytes += recordBytes(record);
    if (batch.length >= size || bytes >= maxBytes) {
      yield batch;
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/** {@linkcode estimateBytes} of a record's values. */
function recordBytes(record: Neo4jRecord): number {
  let total = 16;
  for (let i = 0; i < record.length; i++) total += estimateBytes(record.get(i));
  return total;
}

/** Lists longer than this are estimated from this many of their items. */
const SAMPLED_ITEMS = 32;

/**
 * A cheap estimate of the bytes of a value as JSON text: strings by length, numbers 16, maps
 * by their entries, lists by their items (a long list from a sample of its items), the
 * driver's other values (temporal, spatial, graph values) 48.
 */
export function estimateBytes(value: unknown): number {
  switch (typeof value) {
    case "string":
      return value.length + 3;
    case "number":
      return 16;
    case "bigint":
      return 12;
    case "boolean":
      return 6;
    case "object":
      break;
    default:
      return 5;
  }
  if (value === null) return 5;
  if (Array.isArray(value)) {
    const length = value.length;
    if (length <= SAMPLED_ITEMS) {
      let total = 2;
      for (const item of value) total += estimateBytes(item) + 1;
      return total;
    }
    let sample = 0;
    const step = length / SAMPLED_ITEMS;
    for (let i = 0; i < SAMPLED_ITEMS; i++) {
      sample += estimateBytes(value[Math.floor(i * step)]) + 1;
    }
    return 2 + Math.ceil(sample / SAMPLED_ITEMS * length);
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return 48;
  let total = 2;
  for (const key in value) {
    total += key.length + 4 +
      estimateBytes((value as Record<string, unknown>)[key]);
  }
  return total;
}

/** A transaction with the field neo4j-driver reads as the first pull of each query it runs. */
interface FetchSizedTransaction {
  _fetchSize?: number;
}

/**
 * Sets how many records the next queries of a transaction ask for with the query itself (the
 * first pull, which goes out before any row is weighed; later pulls are sized by
 * {@linkcode rowBatches}). neo4j-driver takes it from the session's fetch size, per
 * transaction, and has no public way to change it for one query: after a huge record, the
 * query that goes on from the next id asks for one record first, since the records after a
 * huge one are often huge too (with a first pull of 100, six records of 200,000 integers were
 * held at once, and each huge record was read again by every later query).
 *
 * `transaction` is what `session.beginTransaction()` returns, not what it resolves to: that is
 * a copy whose methods are bound to the first, where the driver reads the field. Returns
 * whether the field was there (tests/driver_hooks_test.ts checks that it takes effect).
 */
export function setFirstPull(transaction: object, records: number): boolean {
  const tx = transaction as FetchSizedTransaction;
  if (typeof tx._fetchSize !== "number") return false;
  tx._fetchSize = records;
  return true;
}
