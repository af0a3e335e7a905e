import { createHash, type Hash } from "node:crypto";

/** Passes bytes through unchanged while counting them and computing their SHA-256. */
export class DigestStream extends TransformStream<Uint8Array, Uint8Array> {
  #hash: Hash;
  #bytes = 0;

  constructor() {
    const hash = createHash("sha256");
    super({
      transform: (chunk, controller) => {
        hash.update(chunk);
        this.#bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    this.#hash = hash;
  }

  /** Bytes that went through so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The hex SHA-256 of all bytes; call once, after the stream has closed. */
  digest(): string {
    return this.#hash.digest("hex");
  }
}
