import { SinkWorker } from "./_file_sink.ts";

/** Takes an idle worker from `pool`, or starts one (for {@linkcode DataFileWriter}). */
export let takeSinkWorker: (pool: SinkWorkerPool) => SinkWorker | undefined;
/** Gives a worker back to `pool` (for {@linkcode DataFileWriter}). */
export let giveSinkWorker: (pool: SinkWorkerPool, worker: SinkWorker) => void;

/**
 * The workers that compress, hash and write data files, kept for the next
 * {@linkcode DataFileWriter} once one is done with them: starting a worker takes about 65 ms of
 * CPU (measured: 64 writers of a small file, each with a worker of its own, took 4.1 s), and an
 * extract writes each partition's files with a writer of its own. A writer that fails ends its
 * worker instead of giving it back. The workers end with {@linkcode SinkWorkerPool.close}; until
 * then they keep the process alive.
 *
 * @example Two writers, one after the other, with one worker
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { DataFileWriter } from "./data_file_writer.ts";
 * import { SinkWorkerPool } from "./sink_worker_pool.ts";
 *
 * const dir = await Deno.makeTempDir();
 * using workers = new SinkWorkerPool();
 * for (const recordsBefore of [0, 1]) {
 *   const writer = new DataFileWriter(dir, "nodes", { recordsBefore, workers });
 *   await ReadableStream.from([['{"node_id":0,"node_labels":[],"node_props":{}}']])
 *     .pipeTo(writer);
 * }
 * equal(workers.started, 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SinkWorkerPool implements Disposable {
  #idle: SinkWorker[] = [];
  #closed = false;
  #started = 0;

  static {
    takeSinkWorker = (pool) => pool.#take();
    giveSinkWorker = (pool, worker) => pool.#give(worker);
  }

  /** Workers started so far. */
  get started(): number {
    return this.#started;
  }

  /** Ends the idle workers, and those given back from now on. */
  close(): void {
    this.#closed = true;
    for (const worker of this.#idle.splice(0)) worker.terminate();
  }

  /** {@linkcode SinkWorkerPool.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #take(): SinkWorker | undefined {
    const idle = this.#idle.pop();
    if (idle) return idle;
    const worker = SinkWorker.start();
    if (worker) this.#started++;
    return worker;
  }

  #give(worker: SinkWorker): void {
    if (this.#closed || !worker.reusable) worker.terminate();
    else this.#idle.push(worker);
  }
}
