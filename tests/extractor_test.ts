import { equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { loadGeneratedGraph } from "../dev/generate_graph.ts";
import { Extractor } from "../lib/extract/extractor.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

/** Bytes of every file under `dir`, recursively. */
async function sizeOnDisk(dir: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    total += entry.isDirectory
      ? await sizeOnDisk(path)
      : (await Deno.stat(path)).size;
  }
  return total;
}

Deno.test("Extractor reports as progress the bytes its data files take on disk, never more", async (t) => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await loadGeneratedGraph(driver, { nodes: 3000, database });
  const dir = await Deno.makeTempDir({ prefix: "extractor-" });
  try {
    for (const compress of [true, false]) {
      await t.step(compress ? "compressed" : "uncompressed", async () => {
        const backup = join(dir, String(compress));
        const reported: number[] = [];
        const counts = await new Extractor({
          projectDir: backup,
          driver,
          ...(database ? { database } : {}),
          compress,
          fetchSize: 100,
          onProgress: (p) => reported.push(p.bytes),
        }).extractData();
        const data = await sizeOnDisk(join(backup, "data"));
        equal(counts.bytes, data);
        ok(reported.length > 10, `${reported.length} progress updates`);
        for (const [i, bytes] of reported.entries()) {
          ok(bytes <= data, `update ${i}: ${bytes} bytes of ${data} on disk`);
          if (i > 0) ok(bytes >= reported[i - 1]!, `update ${i} went back`);
        }
        equal(reported.at(-1), data);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
