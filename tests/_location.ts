/**
 * Helpers of the location tests: deterministic bytes, and a write through `writable()` in
 * chunks.
 *
 * @module
 */
import type { Location } from "../lib/location/location.ts";

/** `size` pseudo-random bytes, the same for the same seed. */
export function bytesOf(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** Writes `bytes` to `path` through `writable()` in chunks of `chunk` bytes. */
export async function writeChunks(
  location: Location,
  path: string,
  bytes: Uint8Array,
  chunk = 1000,
): Promise<void> {
  const writer = (await location.writable(path)).getWriter();
  for (let i = 0; i < bytes.length; i += chunk) {
    await writer.write(bytes.subarray(i, i + chunk));
  }
  await writer.close();
}
