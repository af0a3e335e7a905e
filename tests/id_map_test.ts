import { equal, throws } from "node:assert/strict";
import fc from "fast-check";
import { IdMap } from "../lib/verify/_id_map.ts";

Deno.test("IdMap maps every backup id to its new id, in dense and sparse layouts", async (t) => {
  const layouts: [string, bigint[]][] = [
    ["dense, in order", [0n, 1n, 2n, 3n, 5n, 8n]],
    ["dense, shuffled", [7n, 3n, 0n, 9n, 1n]],
    ["sparse", [10_000_000n, 3n, 2n ** 40n, 99n]],
    ["empty", []],
  ];
  for (const [name, ids] of layouts) {
    await t.step(name, () => {
      const map = new IdMap();
      ids.forEach((id) => map.add(id));
      map.freeze();
      equal(map.size, ids.length);
      for (const id of ids) {
        equal(map.has(id), true);
        equal(map.get(id), undefined);
      }
      equal(map.has(4n), false);
      equal(map.has(2n ** 50n), false);
      ids.forEach((id, i) => map.set(id, BigInt(1000 + i)));
      ids.forEach((id, i) => equal(map.get(id), 1000 + i));
      equal(map.mapped, ids.length);
      throws(() => map.set(4n, 1n), RangeError);
    });
  }
});

Deno.test("IdMap widens to 64-bit values when a new id does not fit 32 bits", () => {
  const map = new IdMap();
  for (let i = 0n; i < 100n; i++) map.add(i);
  map.freeze();
  const small = map.byteLength;
  map.set(1n, 7n);
  map.set(2n, 2n ** 40n);
  equal(map.get(1n), 7);
  equal(map.get(2n), 2 ** 40);
  equal(map.get(3n), undefined);
  equal(map.has(3n), true);
  equal(map.byteLength, small * 2);
});

Deno.test("IdMap refuses duplicate and out-of-range ids", () => {
  const map = new IdMap();
  map.add(5n);
  map.add(5n);
  throws(() => map.freeze(), /Node id 5 appears more than once/);
  throws(() => new IdMap().add(-1n), RangeError);
  throws(() => new IdMap().add(2n ** 53n + 1n), RangeError);
});

Deno.test("IdMap costs at most 4 bytes per node for dense ids", () => {
  const map = new IdMap();
  const n = 100_000;
  for (let i = 0; i < n; i++) if (i % 10 !== 3) map.add(BigInt(i));
  map.freeze();
  equal(map.byteLength <= 4 * n, true, `${map.byteLength} bytes`);
});

Deno.test("IdMap agrees with a Map for random id sets", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.bigInt({ min: 0n, max: 2n ** 45n }), {
        maxLength: 300,
      }),
      fc.array(fc.bigInt({ min: 0n, max: 2n ** 45n }), { maxLength: 50 }),
      (ids, probes) => {
        const map = new IdMap();
        const reference = new Map<bigint, number>();
        ids.forEach((id) => map.add(id));
        map.freeze();
        ids.forEach((id, i) => {
          map.set(id, BigInt(i * 3));
          reference.set(id, i * 3);
        });
        for (const id of [...ids, ...probes]) {
          equal(map.has(id), reference.has(id));
          equal(map.get(id), reference.get(id));
        }
      },
    ),
    { numRuns: 300 },
  );
});
