import { indexOfSorted } from "../_sorted_search.ts";

/** Uint32 slot values: a backup id with no target id yet, and an id the backup lacks. */
const UNSET32 = 0xfffffffe;
const ABSENT32 = 0xffffffff;
/** Float64 slot values, likewise. */
const UNSET64 = -1;
const ABSENT64 = -2;

/**
 * Maps the node ids of a backup to the ids the nodes get in the target, in typed arrays (no Map
 * of strings, no object per node).
 *
 * Built in two steps: `add()` every backup node id (in file order), then `freeze()`, which checks
 * for duplicates and picks a layout. Dense ids (the usual case: the largest id is below twice the
 * count) are indexed directly, 4 bytes per id slot; sparse ids are kept sorted and searched, 12
 * bytes per node. New ids live in a Uint32Array until one does not fit, then in a Float64Array.
 */
export class IdMap {
  #keys: Float64Array = new Float64Array(1024);
  #count = 0;
  #sorted = true;
  #max = -1;
  /** After freeze: sorted old ids (sparse layout) or null (dense layout: index = old id). */
  #index: Float64Array | null = null;
  #values: Uint32Array | Float64Array = new Uint32Array(0);
  #frozen = false;
  #set = 0;

  /** Records a backup node id; ids must fit in 2^53. */
  add(id: bigint | number): void {
    if (this.#frozen) throw new Error("IdMap is frozen");
    const n = Number(id);
    if (n < 0 || n > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`Node id ${id} is out of the supported range`);
    }
    if (this.#count === this.#keys.length) {
      const grown = new Float64Array(this.#keys.length * 2);
      grown.set(this.#keys);
      this.#keys = grown;
    }
    if (n <= this.#max) this.#sorted = false;
    else this.#max = n;
    this.#keys[this.#count++] = n;
  }

  /** Records many backup node ids at once. */
  addAll(ids: Float64Array): void {
    for (let i = 0; i < ids.length; i++) this.add(ids[i]!);
  }

  /** Ids added. */
  get size(): number {
    return this.#count;
  }

  /** Ends `add()`: sorts, rejects a duplicate id (RangeError naming it), picks the layout. */
  freeze(): void {
    if (this.#frozen) return;
    const keys = this.#keys.subarray(0, this.#count);
    if (!this.#sorted) keys.sort();
    for (let i = 1; i < keys.length; i++) {
      if (keys[i] === keys[i - 1]) {
        throw new RangeError(`Node id ${keys[i]} appears more than once`);
      }
    }
    const max = this.#count === 0 ? -1 : keys[keys.length - 1]!;
    if (max < 2 * this.#count + 1024) {
      this.#index = null;
      this.#values = new Uint32Array(max + 1).fill(ABSENT32);
      for (let i = 0; i < keys.length; i++) this.#values[keys[i]!] = UNSET32;
    } else {
      this.#index = keys.slice();
      this.#values = new Uint32Array(this.#count).fill(UNSET32);
    }
    this.#keys = new Float64Array(0);
    this.#frozen = true;
  }

  /** Whether the backup holds a node with this id (after freeze). */
  has(id: bigint | number): boolean {
    const slot = this.#slot(Number(id));
    if (slot < 0) return false;
    const value = this.#values[slot]!;
    return this.#values instanceof Uint32Array
      ? value !== ABSENT32
      : value !== ABSENT64;
  }

  /** Records the target id of a backup node. */
  set(id: bigint, newId: bigint | number): void {
    if (!this.has(id)) {
      throw new RangeError(`Node id ${id} is not in the backup`);
    }
    const slot = this.#slot(Number(id));
    const value = Number(newId);
    if (value >= UNSET32 && this.#values instanceof Uint32Array) {
      const wide = new Float64Array(this.#values.length);
      for (let i = 0; i < wide.length; i++) {
        const v = this.#values[i]!;
        wide[i] = v === UNSET32 ? UNSET64 : v === ABSENT32 ? ABSENT64 : v;
      }
      this.#values = wide;
    }
    if (this.get(id) === undefined) this.#set++;
    this.#values[slot] = value;
  }

  /** The target id of a backup node, or undefined when it has none (yet). */
  get(id: bigint): number | undefined {
    const slot = this.#slot(Number(id));
    if (slot < 0) return undefined;
    const value = this.#values[slot]!;
    if (this.#values instanceof Uint32Array) {
      return value >= UNSET32 ? undefined : value;
    }
    return value < 0 ? undefined : value;
  }

  /** Ids that have a target id. */
  get mapped(): number {
    return this.#set;
  }

  /** Memory held, in bytes. */
  get byteLength(): number {
    return this.#keys.byteLength + (this.#index?.byteLength ?? 0) +
      this.#values.byteLength;
  }

  #slot(n: number): number {
    if (!this.#frozen) throw new Error("IdMap is not frozen");
    const index = this.#index;
    if (index === null) {
      return Number.isInteger(n) && n >= 0 && n < this.#values.length ? n : -1;
    }
    return indexOfSorted(index, n);
  }
}
