import { indexOfSorted } from "../_sorted_search.ts";

/** Ids below this always go into the bitmap (1 MiB of it), whatever the count. */
const BITMAP_FLOOR = 8 * 1024 * 1024;
/** The bitmap is kept while it costs at most this many bits per id held (8 bytes, as a list). */
const BITS_PER_ID = 64;

/**
 * The node ids a backup holds, for the extract's check of relationship endpoints: a bitmap while
 * ids are dense (one bit per id up to the highest, the usual case), a sorted list of doubles
 * once they are too sparse for one (8 bytes per id). Ids are added in any order, then `freeze()`
 * readies `has()`.
 */
export class NodeIdSet {
  #bits: Uint8Array | null = new Uint8Array(1024);
  #list: Float64Array = new Float64Array(0);
  /** Ids added (the bitmap's density is judged by it). */
  #count = 0;
  /** Ids in the list. */
  #length = 0;
  #max = -1;
  #frozen = false;

  /** Adds a node id (an integer from 0 to 2^53). */
  add(id: number): void {
    if (this.#frozen) throw new Error("NodeIdSet is frozen");
    if (!(Number.isSafeInteger(id) && id >= 0)) {
      throw new RangeError(`Node id ${id} is out of the supported range`);
    }
    this.#count++;
    if (id > this.#max) this.#max = id;
    if (this.#bits !== null) {
      if (id < BITMAP_FLOOR || id <= BITS_PER_ID * this.#count) {
        this.#setBit(id);
        return;
      }
      this.#toList();
    }
    this.#push(id);
  }

  /** Ids added. */
  get size(): number {
    return this.#count;
  }

  /** Ends `add()`. */
  freeze(): void {
    if (this.#frozen) return;
    if (this.#bits === null) {
      this.#list = this.#list.subarray(0, this.#length).sort();
    }
    this.#frozen = true;
  }

  /** Whether the id was added (after `freeze()`). */
  has(id: number): boolean {
    if (!this.#frozen) throw new Error("NodeIdSet is not frozen");
    if (id < 0 || id > this.#max || !Number.isInteger(id)) return false;
    if (this.#bits !== null) {
      return (this.#bits[Math.floor(id / 8)]! & (1 << (id % 8))) !== 0;
    }
    return indexOfSorted(this.#list, id) >= 0;
  }

  #setBit(id: number): void {
    let bits = this.#bits!;
    const byte = Math.floor(id / 8);
    if (byte >= bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, bits.length * 2));
      grown.set(bits);
      this.#bits = bits = grown;
    }
    bits[byte] = bits[byte]! | (1 << (id % 8));
  }

  /** Moves the ids of the bitmap into the list (the ids have become too sparse). */
  #toList(): void {
    const bits = this.#bits!;
    this.#bits = null;
    this.#list = new Float64Array(Math.max(1024, 2 * this.#count));
    for (let byte = 0; byte < bits.length; byte++) {
      const value = bits[byte]!;
      if (value === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if (value & (1 << bit)) this.#push(byte * 8 + bit);
      }
    }
  }

  #push(id: number): void {
    if (this.#length >= this.#list.length) {
      const grown = new Float64Array(Math.max(1024, this.#list.length * 2));
      grown.set(this.#list);
      this.#list = grown;
    }
    this.#list[this.#length++] = id;
  }
}
