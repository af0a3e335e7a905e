import { equal, throws } from "node:assert/strict";
import fc from "fast-check";
import { NodeIdSet } from "../lib/extract/_node_id_set.ts";

Deno.test("NodeIdSet holds exactly the ids added, as a bitmap or a sorted list", async (t) => {
  const cases: [string, number[]][] = [
    ["dense, in order", [0, 1, 2, 3, 5, 8]],
    ["dense, shuffled, with repeats", [7, 3, 0, 9, 1, 3]],
    ["sparse (past the bitmap)", [3, 2 ** 40, 99, 10_000_000_000, 5]],
    ["sparse first, dense later", [
      2 ** 45,
      ...Array.from({ length: 50 }, (_, i) => i),
    ]],
    ["empty", []],
  ];
  for (const [name, ids] of cases) {
    await t.step(name, () => {
      const set = new NodeIdSet();
      ids.forEach((id) => set.add(id));
      set.freeze();
      for (const id of ids) equal(set.has(id), true, `id ${id}`);
      for (const id of [4, 6, 100, 2 ** 40 + 1, 2 ** 50, -1, 1.5]) {
        equal(set.has(id), ids.includes(id), `id ${id}`);
      }
    });
  }
});

Deno.test("NodeIdSet agrees with a Set for any ids", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.integer({ min: 0, max: 5000 }),
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        ),
        { maxLength: 300 },
      ),
      fc.array(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), {
        maxLength: 50,
      }),
      (ids, probes) => {
        const set = new NodeIdSet();
        ids.forEach((id) => set.add(id));
        set.freeze();
        const expected = new Set(ids);
        for (const id of [...ids, ...probes]) {
          if (set.has(id) !== expected.has(id)) return false;
        }
        return true;
      },
    ),
  );
});

Deno.test("NodeIdSet rejects an id out of range and use out of order", () => {
  const set = new NodeIdSet();
  throws(() => set.add(-1), RangeError);
  throws(() => set.add(2 ** 53), RangeError);
  throws(() => set.has(1), /not frozen/);
  set.freeze();
  throws(() => set.add(1), /frozen/);
});
