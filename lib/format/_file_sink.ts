import { DigestStream } from "./_digest_stream.ts";
import { fileWritable } from "./_file_writable.ts";
import { pipeError } from "./_pipe_error.ts";
import type { SinkRequest, SinkResponse } from "./_file_sink_worker.ts";

/** A file being written: bytes in, gzip (or not) and SHA-256 on the way to disk. */
export interface FileSink {
  /** Queues bytes; resolves when the sink can take more. */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes on disk so far (compressed, when compressing). */
  written(): number;
  /** Finishes the file; its size on disk and SHA-256. */
  close(): Promise<{ bytes: number; sha256: string }>;
  /** Gives up on the file (the caller deletes it). */
  abort(): Promise<void>;
}

/**
 * Why a file operation failed, in words for a message: `the disk is full (...)` for ENOSPC and
 * EDQUOT, else the error's own message.
 */
export function describeFileError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as Error)?.message ?? String(error);
  if (
    code === "ENOSPC" || code === "EDQUOT" ||
    /No space left on device|Disk quota exceeded|os error (28|122)\)/.test(
      message,
    )
  ) {
    return `the disk is full (${message})`;
  }
  return message;
}

/** Writes in flight to a worker before `write()` waits (whatever their bytes). */
const IN_FLIGHT = 4;

/** Bytes in flight to a worker before `write()` waits (one write goes whatever its size). */
const IN_FLIGHT_BYTES = 2 * 2 ** 20;

/**
 * Runs file sinks in a worker, so that compression and hashing use another core than the one
 * decoding what the server sends. One file at a time.
 */
export class SinkWorker {
  #worker: Worker;
  #pending: PromiseWithResolvers<SinkResponse>[] = [];
  #failure: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent<SinkResponse>) => {
      this.#pending.shift()?.resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.#failure = new Error(`The file writer stopped: ${event.message}`);
      for (const pending of this.#pending.splice(0)) {
        pending.reject(this.#failure);
      }
    };
  }

  /** Starts the worker; undefined where workers are not available. */
  static start(): SinkWorker | undefined {
    try {
      return new SinkWorker(
        new Worker(new URL("./_file_sink_worker.ts", import.meta.url).href, {
          type: "module",
        }),
      );
    } catch {
      return undefined;
    }
  }

  /** Ends the worker. */
  terminate(): void {
    this.#worker.terminate();
  }

  /** Whether the worker can write another file: it has not failed and nothing is in flight. */
  get reusable(): boolean {
    return this.#failure === undefined && this.#pending.length === 0;
  }

  /** Opens a file in the worker. */
  async open(path: string, compress: boolean): Promise<FileSink> {
    await this.#ask({ op: "open", path, compress });
    const inFlight: { response: Promise<SinkResponse>; bytes: number }[] = [];
    let inFlightBytes = 0;
    let written = 0;
    /** Waits until at most `count` writes, and at most `bytes` bytes, are in flight. */
    const settle = async (count: number, bytes = 0): Promise<void> => {
      while (
        inFlight.length > count ||
        (inFlight.length > 0 && inFlightBytes > bytes)
      ) {
        const first = inFlight.shift()!;
        inFlightBytes -= first.bytes;
        written = check(await first.response).bytes ?? written;
      }
    };
    return {
      write: async (chunk) => {
        const bytes = chunk.byteLength;
        inFlight.push({
          response: this.#send({ op: "write", chunk }, [
            chunk.buffer as ArrayBuffer,
          ]),
          bytes,
        });
        inFlightBytes += bytes;
        await settle(IN_FLIGHT - 1, IN_FLIGHT_BYTES);
      },
      written: () => written,
      close: async () => {
        await settle(0);
        const response = check(await this.#ask({ op: "close" }));
        return { bytes: response.bytes!, sha256: response.sha256! };
      },
      abort: async () => {
        await settle(0).catch(() => {});
        await this.#ask({ op: "abort" }).catch(() => {});
      },
    };
  }

  async #ask(request: SinkRequest): Promise<SinkResponse & { op: "done" }> {
    return check(await this.#send(request, []));
  }

  #send(request: SinkRequest, transfer: Transferable[]): Promise<SinkResponse> {
    if (this.#failure) return Promise.reject(this.#failure);
    const pending = Promise.withResolvers<SinkResponse>();
    this.#pending.push(pending);
    this.#worker.postMessage(request, transfer);
    return pending.promise;
  }
}

function check(response: SinkResponse): SinkResponse & { op: "done" } {
  if (response.op === "error") {
    const error = new Error(response.message);
    error.name = response.name;
    throw error;
  }
  return response;
}

/** The same sink on this thread, where no worker can run. */
export async function openLocalSink(
  path: string,
  compress: boolean,
): Promise<FileSink> {
  const handle = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  const digest = new DigestStream();
  const bytes = compress
    ? new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>
    : new TransformStream<Uint8Array, Uint8Array>();
  const done = bytes.readable.pipeThrough(digest).pipeTo(
    fileWritable(handle),
  );
  done.catch(() => {});
  const writer = bytes.writable.getWriter();
  return {
    write: (chunk) => pipeError(done, writer.write(chunk)),
    written: () => digest.bytes,
    close: async () => {
      await pipeError(done, writer.close());
      await done;
      return { bytes: digest.bytes, sha256: digest.digest() };
    },
    abort: async () => {
      await writer.abort().catch(() => {});
      await done.catch(() => {});
    },
  };
}
