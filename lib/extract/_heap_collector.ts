import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Heap in use (bytes) under which no collection is asked for. Measured on two cores
 * (BENCHMARKS.md, "Where the extract's memory goes on wide records"): the extract's live data is
 * under 30 MiB, while V8 lets garbage reach 100 MiB of old space and more before it collects on
 * its own, which put the peak RSS over 300 MiB on graphs of embeddings.
 */
const FLOOR_BYTES = 96 * 2 ** 20;

/** At most this share of the time goes to collections asked for after batches. */
const MAX_SHARE = 0.02;

/**
 * Full collections of this isolate's heap at the points where the extract knows a lot of
 * garbage is waiting: after a huge record (its values and text are dead once written), and after
 * a batch that leaves the heap in use past twice what the last collection kept (at least
 * {@linkcode FLOOR_BYTES}), no more often than {@linkcode MAX_SHARE} of the time.
 *
 * V8 sizes its heap from the rate of allocation, not from what is live: reading records that
 * die young but not young enough (they wait in a batch across a scavenge, are promoted, and die
 * in the old generation) grows the old generation to several times the live data before V8
 * marks it. A program cannot set V8's heap flags for its own isolate once it runs (measured:
 * `setFlagsFromString` changes nothing, even for a worker started after it), but it can ask for
 * a collection: `--expose-gc` set at run time gives the `gc` function to contexts made after
 * it. That changes a flag of the whole process, which a library must not do to the program it
 * runs in: the CLI asks for it (ExtractorOptions `collectGarbage`).
 */
export class HeapCollector {
  static #shared: HeapCollector | null | undefined;

  /** The collector of this isolate, or undefined when the runtime gives no `gc`. */
  static get(): HeapCollector | undefined {
    if (HeapCollector.#shared === undefined) {
      HeapCollector.#shared = null;
      try {
        setFlagsFromString("--expose-gc");
        const gc = runInNewContext("gc") as unknown;
        if (typeof gc === "function") {
          HeapCollector.#shared = new HeapCollector(gc as () => void);
        }
      } catch {
        // No gc here: the extract runs as without it.
      }
    }
    return HeapCollector.#shared ?? undefined;
  }

  #gc: () => void;
  #threshold = FLOOR_BYTES;
  #lastEnd = 0;
  #lastCost = 0;
  #collections = 0;

  private constructor(gc: () => void) {
    this.#gc = gc;
  }

  /** Collections made so far. */
  get collections(): number {
    return this.#collections;
  }

  /** After a huge record: its garbage is worth a collection at once. */
  afterHuge(): void {
    this.#collect();
  }

  /** After a batch: a collection if the heap in use has grown past the threshold. */
  afterBatch(): void {
    if (getHeapStatistics().used_heap_size < this.#threshold) return;
    if (performance.now() - this.#lastEnd < this.#lastCost / MAX_SHARE) return;
    this.#collect();
  }

  #collect(): void {
    const start = performance.now();
    this.#gc();
    this.#lastEnd = performance.now();
    this.#lastCost = this.#lastEnd - start;
    this.#collections++;
    this.#threshold = Math.max(
      FLOOR_BYTES,
      2 * getHeapStatistics().used_heap_size,
    );
  }
}
