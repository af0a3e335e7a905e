/**
 * The end of a data file's byte pipeline: a stream that writes chunks to a file and then lets go
 * of their memory at once.
 *
 * @module
 */

/**
 * Frees the memory of a chunk nothing needs any more, now rather than at the next garbage
 * collection: a chunk that is its buffer's only view is detached (`ArrayBuffer.transfer(0)`).
 * A worker that receives chunks and allocates little else would otherwise hold hundreds of
 * megabytes of them between its collections (measured: 90 MiB of a 350 MiB peak).
 */
export function release(chunk: Uint8Array): void {
  const buffer = chunk.buffer as ArrayBuffer & {
    transfer?: (n: number) => unknown;
  };
  if (
    chunk.byteOffset === 0 && chunk.byteLength === buffer.byteLength &&
    typeof buffer.transfer === "function" &&
    !(buffer instanceof SharedArrayBuffer)
  ) {
    try {
      buffer.transfer(0);
    } catch {
      // Not detachable (e.g. a WebAssembly memory): left to the garbage collector.
    }
  }
}

/** Writes each chunk whole to `file`, then {@linkcode release}s it; closes the file at the end. */
export function fileWritable(file: Deno.FsFile): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    async write(chunk): Promise<void> {
      let offset = 0;
      while (offset < chunk.byteLength) {
        offset += await file.write(chunk.subarray(offset));
      }
      release(chunk);
    },
    close(): void {
      file.close();
    },
    abort(): void {
      try {
        file.close();
      } catch {
        // Already closed.
      }
    },
  });
}
