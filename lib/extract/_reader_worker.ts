/**
 * A worker that reads partitions of an extract (see `writePartition`) with a driver of its own,
 * so that decoding the driver's records and encoding them as JSON, the extract's main costs,
 * run on as many threads as partitions are read at once.
 *
 * @module
 */
import neo4j, { type Driver } from "../_driver.ts";
import type { DonePartition } from "./_checkpoint.ts";
import type { Partition } from "./_partition_plan.ts";
import type { DriverSettings } from "./_partition_readers.ts";
import {
  writePartition,
  type WritePartitionOptions,
} from "./_partition_writer.ts";
import { type PostedError, postError } from "./_worker_error.ts";

/** What the calling thread asks: read a partition, stop the one under way, or close. */
export type ReaderRequest =
  | {
    kind: "write";
    settings: DriverSettings;
    partition: Partition;
    options: Omit<WritePartitionOptions, "signal" | "onBatch">;
  }
  | { kind: "abort" }
  | { kind: "close" };

/** What the worker answers: batches read, then the partition written or the error. */
export type ReaderMessage =
  | { kind: "batch"; records: number }
  | { kind: "done"; partition: DonePartition }
  | { kind: "failed"; error: PostedError }
  | { kind: "closed" };

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<ReaderRequest>) => void) | null;
  postMessage(message: ReaderMessage): void;
};

let driver: Driver | undefined;
let abort: AbortController | undefined;

scope.onmessage = async (event) => {
  const request = event.data;
  switch (request.kind) {
    case "abort":
      abort?.abort();
      return;
    case "close":
      await driver?.close().catch(() => {});
      scope.postMessage({ kind: "closed" });
      return;
    case "write": {
      const { uri, auth, config } = request.settings;
      driver ??= neo4j.driver(uri, auth, {
        ...config,
        useBigInt: true,
        logging: { level: "error", logger: () => {} },
      });
      abort = new AbortController();
      try {
        const partition = await writePartition(driver, request.partition, {
          ...request.options,
          signal: abort.signal,
          // Measured: a sink worker inside this worker made reading 3.4 times slower (messages
          // between nested workers); this worker is off the calling thread already.
          sinkWorker: false,
          onBatch: (records) => scope.postMessage({ kind: "batch", records }),
        });
        scope.postMessage({ kind: "done", partition });
      } catch (error) {
        scope.postMessage({ kind: "failed", error: postError(error) });
      } finally {
        abort = undefined;
      }
    }
  }
};
