import type { AuthToken, Config } from "../_driver.ts";
import type { DonePartition } from "./_checkpoint.ts";
import type { Partition } from "./_partition_plan.ts";
import type { WritePartitionOptions } from "./_partition_writer.ts";
import type { ReaderMessage, ReaderRequest } from "./_reader_worker.ts";
import { receiveError } from "./_worker_error.ts";

/**
 * How a partition reader's own driver connects: what `neo4j.driver(uri, auth, config)` takes,
 * as data (a worker gets a copy). `config` holds only values that can be copied (no logger, no
 * functions); the reader adds `useBigInt: true` and turns logging off.
 */
export interface DriverSettings {
  /** The server's address, e.g. `neo4j+s://xxxx.databases.neo4j.io`. */
  uri: string;
  /** The credentials, e.g. `neo4j.auth.basic(user, password)`. */
  auth: AuthToken;
  /** The driver's settings (encryption, trust, timeouts, user agent). */
  config?: Omit<Config, "logging" | "resolver" | "notificationFilter">;
}

/** How long a reader may take to close its driver before it is stopped. */
const CLOSE_MS = 5_000;

/**
 * Workers that each read one partition at a time with a driver of their own (started as they
 * are needed, kept for the next partition); {@linkcode PartitionReaders.close} closes them.
 */
export class PartitionReaders {
  readonly #settings: DriverSettings;
  readonly #idle: Worker[] = [];
  readonly #all = new Set<Worker>();

  /** Readers whose drivers connect with `settings`. */
  constructor(settings: DriverSettings) {
    this.#settings = settings;
  }

  /**
   * Reads `partition` into its files as `writePartition` does, in a worker; rejects with the
   * error the worker met (its code and fields kept), or with the signal's reason once the
   * worker has stopped and cleaned up.
   */
  async write(
    partition: Partition,
    options: WritePartitionOptions,
  ): Promise<DonePartition> {
    const worker = this.#idle.pop() ?? this.#start();
    let healthy = true;
    try {
      return await this.#ask(worker, partition, options, () => healthy = false);
    } finally {
      if (healthy) this.#idle.push(worker);
      else this.#stop(worker);
    }
  }

  /** Closes every reader's driver, then the readers. */
  async close(): Promise<void> {
    const workers = [...this.#all];
    this.#idle.length = 0;
    await Promise.all(workers.map(async (worker) => {
      const closed = Promise.withResolvers<void>();
      worker.onmessage = (event: MessageEvent<ReaderMessage>) => {
        if (event.data.kind === "closed") closed.resolve();
      };
      worker.onerror = (event) => {
        event.preventDefault();
        closed.resolve();
      };
      const timer = setTimeout(closed.resolve, CLOSE_MS);
      post(worker, { kind: "close" });
      await closed.promise;
      clearTimeout(timer);
      this.#stop(worker);
    }));
  }

  #start(): Worker {
    const worker = new Worker(
      new URL("./_reader_worker.ts", import.meta.url).href,
      { type: "module" },
    );
    this.#all.add(worker);
    return worker;
  }

  #stop(worker: Worker): void {
    this.#all.delete(worker);
    worker.terminate();
  }

  #ask(
    worker: Worker,
    partition: Partition,
    options: WritePartitionOptions,
    onBroken: () => void,
  ): Promise<DonePartition> {
    const { signal, onBatch, ...copied } = options;
    const { promise, resolve, reject } = Promise.withResolvers<
      DonePartition
    >();
    const onAbort = (): void => post(worker, { kind: "abort" });
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.onmessage = (event: MessageEvent<ReaderMessage>) => {
      const message = event.data;
      switch (message.kind) {
        case "batch":
          onBatch(message.records);
          break;
        case "done":
          resolve(message.partition);
          break;
        case "failed":
          reject(
            signal?.aborted ? signal.reason : receiveError(message.error),
          );
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      onBroken();
      reject(new Error(`The partition reader stopped: ${event.message}`));
    };
    post(worker, {
      kind: "write",
      settings: this.#settings,
      partition,
      options: copied,
    });
    if (signal?.aborted) onAbort();
    return promise.finally(() => signal?.removeEventListener("abort", onAbort));
  }
}

function post(worker: Worker, request: ReaderRequest): void {
  worker.postMessage(request);
}
