import { BackupError } from "../errors.ts";
import type { BackupReader } from "../format/backup_reader.ts";
import { type FileCheck, verifyFile } from "./_verify_file.ts";
import type { VerifyFileMessage, VerifyFileRequest } from "./_verify_worker.ts";

/** Backups of at least this many bytes on disk are read by several workers at once. */
export const PARALLEL_BYTES = 8 * 1024 * 1024;

/** How {@linkcode checkFiles} reads, and reports. */
export interface CheckFilesOptions {
  context: string;
  signal: AbortSignal | undefined;
  /** How many workers to use (0 or 1 file: none). */
  workers: number;
  /** Records read since the last call. */
  onRecords: (delta: number) => void;
  /** A file's result, as each completes. */
  onResult: (index: number, check: FileCheck) => void;
  /** Every node file has been read (before any relationship result is final). */
  onNodesDone: () => void;
}

/**
 * Reads every data file's records, node files first, in a pool of workers (one per core, at
 * most 8) or, where workers cannot start, here. Relationship files start once a worker is free,
 * but no more of them than there are workers before the node files are done, so that the
 * results waiting for the endpoint check stay few.
 */
export async function checkFiles(
  backup: BackupReader,
  options: CheckFilesOptions,
): Promise<void> {
  const order = backup.files.map((_, i) => i);
  const nodes = order.filter((i) => backup.files[i]!.kind === "nodes");
  const relationships = order.filter((i) => backup.files[i]!.kind !== "nodes");
  const workers = options.workers > 0 && backup.files.length > 1
    ? startWorkers(Math.min(options.workers, backup.files.length))
    : [];
  const run = async (
    index: number,
    worker: Worker | undefined,
  ): Promise<void> => {
    options.signal?.throwIfAborted();
    let last = 0;
    const onRecords = (records: number): void => {
      options.onRecords(records - last);
      last = records;
    };
    const check = worker
      ? await askWorker(
        worker,
        { dir: backup.dir, file: index, context: options.context },
        onRecords,
        options.signal,
      )
      : await verifyFile(
        backup,
        index,
        options.context,
        onRecords,
        options.signal,
      );
    options.onResult(index, check);
  };
  if (workers.length === 0) {
    for (const index of nodes) await run(index, undefined);
    options.onNodesDone();
    for (const index of relationships) await run(index, undefined);
    return;
  }
  try {
    await runPool(workers, nodes, relationships, run, options.onNodesDone);
  } finally {
    for (const worker of workers) worker.terminate();
  }
}

/**
 * Runs every file on the pool of workers, node files first; relationship files start once a
 * worker is free, but no more of them than there are workers before the node files are done.
 */
async function runPool(
  workers: Worker[],
  nodes: number[],
  relationships: number[],
  run: (index: number, worker: Worker) => Promise<void>,
  onNodesDone: () => void,
): Promise<void> {
  let nodesLeft = nodes.length;
  const nodesDone = Promise.withResolvers<void>();
  if (nodesLeft === 0) nodesDone.resolve();
  const isNodes = new Set(nodes);
  const queue = [...nodes, ...relationships];
  let early = 0;
  await Promise.all([
    nodesDone.promise.then(onNodesDone),
    ...workers.map(async (worker) => {
      for (
        let index = queue.shift();
        index !== undefined;
        index = queue.shift()
      ) {
        const nodeFile = isNodes.has(index);
        if (!nodeFile && nodesLeft > 0 && ++early > workers.length) {
          await nodesDone.promise;
        }
        await run(index, worker);
        if (nodeFile && --nodesLeft === 0) nodesDone.resolve();
      }
    }),
  ]);
}

function startWorkers(count: number): Worker[] {
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < count; i++) {
      workers.push(
        new Worker(new URL("./_verify_worker.ts", import.meta.url).href, {
          type: "module",
        }),
      );
    }
  } catch {
    // No workers here: read on this thread.
    for (const worker of workers) worker.terminate();
    return [];
  }
  return workers;
}

function askWorker(
  worker: Worker,
  request: VerifyFileRequest,
  onRecords: (records: number) => void,
  signal: AbortSignal | undefined,
): Promise<FileCheck> {
  const { promise, resolve, reject } = Promise.withResolvers<FileCheck>();
  const onAbort = (): void => reject(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  worker.onmessage = (event: MessageEvent<VerifyFileMessage>) => {
    const message = event.data;
    if (message.kind === "progress") onRecords(message.records);
    else if (message.kind === "done") {
      onRecords(message.records);
      resolve(message);
    } else {
      reject(
        new BackupError(message.message, {
          code: message.code as BackupError["code"],
          ...(message.file === undefined ? {} : { file: message.file }),
          ...(message.record === undefined ? {} : { record: message.record }),
        }),
      );
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    reject(new Error(`The file checker stopped: ${event.message}`));
  };
  worker.postMessage(request);
  return promise.finally(() => signal?.removeEventListener("abort", onAbort));
}
