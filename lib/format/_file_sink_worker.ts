/**
 * A worker that writes data files: gzip (CompressionStream), SHA-256 and the disk writes, off
 * the thread that decodes what the server sends. Messages: `open`, `write` (bytes, transferred),
 * `close`, `abort`; each is answered once (`done` or `error`), in order.
 *
 * @module
 */
import { DigestStream } from "./_digest_stream.ts";
import { fileWritable, release } from "./_file_writable.ts";
import { pipeError } from "./_pipe_error.ts";

/** The worker's global scope (typed here: JSR packages may not set `lib` globally). */
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<SinkRequest>) => void) | null;
  postMessage(message: SinkResponse): void;
};

/** A request to the worker. */
export type SinkRequest =
  | { op: "open"; path: string; compress: boolean }
  | { op: "write"; chunk: Uint8Array }
  | { op: "close" }
  | { op: "abort" };

/** The worker's answer to a request. */
export type SinkResponse =
  | { op: "done"; bytes?: number; sha256?: string }
  | { op: "error"; name: string; message: string };

interface Open {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Whether a chunk written is done with once the write resolves (compressed: copied). */
  consumed: boolean;
  digest: DigestStream;
  done: Promise<void>;
}

let file: Open | undefined;
let queue: Promise<void> = Promise.resolve();

async function handle(request: SinkRequest): Promise<SinkResponse> {
  switch (request.op) {
    case "open": {
      const handle = await Deno.open(request.path, {
        write: true,
        create: true,
        truncate: true,
      });
      const digest = new DigestStream();
      const bytes = request.compress
        ? new CompressionStream("gzip") as TransformStream<
          Uint8Array,
          Uint8Array
        >
        : new TransformStream<Uint8Array, Uint8Array>();
      const done = bytes.readable.pipeThrough(digest).pipeTo(
        fileWritable(handle),
      );
      done.catch(() => {});
      file = {
        writer: bytes.writable.getWriter(),
        consumed: request.compress,
        digest,
        done,
      };
      return { op: "done" };
    }
    case "write":
      await pipeError(file!.done, file!.writer.write(request.chunk));
      // Compressed, the chunk is behind us; else fileWritable() releases it once on disk.
      if (file!.consumed) release(request.chunk);
      return { op: "done", bytes: file!.digest.bytes };
    case "close": {
      const current = file!;
      file = undefined;
      await pipeError(current.done, current.writer.close());
      await current.done;
      return {
        op: "done",
        bytes: current.digest.bytes,
        sha256: current.digest.digest(),
      };
    }
    case "abort": {
      const current = file;
      file = undefined;
      if (current) {
        await current.writer.abort().catch(() => {});
        await current.done.catch(() => {});
      }
      return { op: "done" };
    }
  }
}

scope.onmessage = (event: MessageEvent<SinkRequest>) => {
  // One request at a time, in order.
  queue = queue.then(async () => {
    let response: SinkResponse;
    try {
      response = await handle(event.data);
    } catch (error) {
      // A failed write leaves the file unusable: later writes fail too.
      const e = error as Error;
      response = {
        op: "error",
        name: e?.name ?? "Error",
        message: e?.message ?? String(e),
      };
    }
    scope.postMessage(response);
  });
};
