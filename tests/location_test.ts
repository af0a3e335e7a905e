/**
 * The backup locations that need no server: a local directory and tar (stream and file).
 */
import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { join } from "node:path";
import { BackupError } from "../lib/errors.ts";
import { LocalLocation } from "../lib/location/local_location.ts";
import { TarLocation } from "../lib/location/tar_location.ts";
import { openLocation } from "../lib/location/open_location.ts";
import type { Location } from "../lib/location/location.ts";
import { bytesOf, writeChunks } from "./_location.ts";

const encoder = new TextEncoder();

async function readAll(
  location: Location,
  path: string,
  offset?: number,
): Promise<Uint8Array> {
  const stream = await location.readable(
    path,
    offset === undefined ? {} : { offset },
  );
  return await new Response(stream).bytes();
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "location-test-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function tarList(path: string): Promise<string[]> {
  const out = await new Deno.Command("tar", {
    args: ["-tvf", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(out.success, true, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

/** The files a backup has: a few data files, then the manifest last. */
const FILES: [string, Uint8Array][] = [
  ["data/nodes_1.json.gz", bytesOf(70_000, 1)],
  ["data/nodes_2.json.gz", bytesOf(0, 2)],
  ["data/relationships_1.json.gz", bytesOf(1_234, 3)],
  ["schema.json", encoder.encode('{"indexes":[]}')],
];
const MANIFEST = encoder.encode('{"format":"neo4j-backup","version":1}');

Deno.test("LocalLocation round-trips files written as streams and in one piece", async () => {
  await withDir(async (dir) => {
    await using location = new LocalLocation(join(dir, "backup"));
    for (const [path, bytes] of FILES) await writeChunks(location, path, bytes);
    await location.put("manifest.json", MANIFEST);
    deepEqual(
      await Array.fromAsync(location.list()),
      [...FILES, ["manifest.json", MANIFEST] as const]
        .map(([path, bytes]) => ({ path, bytes: bytes.length }))
        .sort((a, b) => a.path < b.path ? -1 : 1),
    );
    deepEqual(
      (await Array.fromAsync(location.list("data/"))).map((e) => e.path),
      [
        "data/nodes_1.json.gz",
        "data/nodes_2.json.gz",
        "data/relationships_1.json.gz",
      ],
    );
    deepEqual(
      (await Array.fromAsync(location.list("data/nodes"))).map((e) => e.path),
      ["data/nodes_1.json.gz", "data/nodes_2.json.gz"],
    );
    for (const [path, bytes] of FILES) {
      deepEqual(await readAll(location, path), bytes);
    }
    deepEqual(
      await readAll(location, "data/nodes_1.json.gz", 69_000),
      FILES[0]![1].subarray(69_000),
    );
    // The same files as plain files of the directory.
    deepEqual(
      await Deno.readFile(join(dir, "backup", "schema.json")),
      FILES[3]![1],
    );
    await location.remove("schema.json");
    await location.remove("schema.json"); // Twice: no error.
    equal((await Array.fromAsync(location.list("schema"))).length, 0);
  });
});

Deno.test("LocalLocation.writable() shows no file until the stream closes, and none after an abort", async () => {
  await withDir(async (dir) => {
    const location = new LocalLocation(dir);
    const writer = (await location.writable("data/x.json.gz")).getWriter();
    await writer.write(bytesOf(5000));
    deepEqual(await Array.fromAsync(location.list()), []);
    await rejects(
      Deno.stat(join(dir, "data", "x.json.gz")),
      Deno.errors.NotFound,
    );
    await writer.abort(new Error("the extract failed"));
    deepEqual(await Array.fromAsync(location.list()), []);
    // Nothing is left behind, not even the temporary file.
    deepEqual([...Deno.readDirSync(join(dir, "data"))], []);

    const kept = (await location.writable("data/x.json.gz")).getWriter();
    await kept.write(bytesOf(10));
    await kept.close();
    deepEqual(await Array.fromAsync(location.list()), [{
      path: "data/x.json.gz",
      bytes: 10,
    }]);
  });
});

Deno.test("LocalLocation.put() replaces a file atomically", async () => {
  await withDir(async (dir) => {
    const location = new LocalLocation(dir);
    await location.put("manifest.json", encoder.encode("old"));
    await location.put("manifest.json", encoder.encode("new"));
    equal(await Deno.readTextFile(join(dir, "manifest.json")), "new");
    deepEqual((await Array.fromAsync(location.list())).map((e) => e.path), [
      "manifest.json",
    ]);
  });
});

Deno.test("LocalLocation.readable() of a missing file throws a BackupError that names it", async () => {
  await withDir(async (dir) => {
    const location = new LocalLocation(dir);
    const error = await location.readable("manifest.json").catch((e) => e);
    ok(error instanceof BackupError);
    equal(error.code, "IO");
    equal(error.detail, "not found");
    equal(
      error.message,
      `Cannot read ${join(dir, "manifest.json")}: no such file`,
    );
  });
});

Deno.test("Locations refuse paths that are not relative with a TypeError", async (t) => {
  const location = new LocalLocation("/tmp/never-written");
  for (
    const path of [
      "",
      "/etc/passwd",
      "../x",
      "a/../b",
      "a//b",
      "./a",
      "a\\b",
      "a/",
    ]
  ) {
    await t.step(JSON.stringify(path), async () => {
      await rejects(location.readable(path), TypeError);
      await rejects(location.put(path, new Uint8Array()), TypeError);
      throws(() => location.describe(path), TypeError);
    });
  }
});

Deno.test("TarLocation writes a tar that tar(1) lists and extracts, with the manifest last", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "backup.tar");
    {
      await using tar = await openLocation(path, { mode: "write" });
      // A file written while another is open is appended when it closes.
      const slow = (await tar.writable("data/nodes_1.json.gz")).getWriter();
      await slow.write(FILES[0]![1].subarray(0, 1000));
      await writeChunks(tar, "data/nodes_2.json.gz", FILES[1]![1]);
      await slow.write(FILES[0]![1].subarray(1000));
      await slow.close();
      await writeChunks(tar, "data/relationships_1.json.gz", FILES[2]![1]);
      await tar.put("schema.json", FILES[3]![1]);
      // Not there until the tar is finished.
      await rejects(Deno.stat(path), Deno.errors.NotFound);
      await tar.put("manifest.json", MANIFEST);
    }
    const listing = await tarList(path);
    deepEqual(listing.map((line) => line.split(/\s+/).at(-1)), [
      "data/nodes_2.json.gz",
      "data/nodes_1.json.gz",
      "data/relationships_1.json.gz",
      "schema.json",
      "manifest.json",
    ]);
    ok(listing[1]!.includes("70000"), listing[1]);
    const out = join(dir, "out");
    await Deno.mkdir(out);
    const extracted = await new Deno.Command("tar", {
      args: ["-xf", path, "-C", out],
    }).output();
    equal(extracted.success, true);
    for (const [name, bytes] of FILES) {
      deepEqual(await Deno.readFile(join(out, name)), bytes);
    }
    deepEqual(await Deno.readFile(join(out, "manifest.json")), MANIFEST);
  });
});

Deno.test("TarLocation reads a tar file in any order, without spooling", async () => {
  await withDir(async (dir) => {
    const src = join(dir, "src");
    for (const [name, bytes] of FILES) {
      await Deno.mkdir(join(src, name, ".."), { recursive: true });
      await Deno.writeFile(join(src, name), bytes);
    }
    await Deno.writeFile(join(src, "manifest.json"), MANIFEST);
    // tar(1)'s own archive, with ./ names and directory entries.
    const made = await new Deno.Command("tar", {
      args: ["-cf", join(dir, "b.tar"), "-C", src, "."],
    }).output();
    equal(made.success, true);
    await using tar = await openLocation(join(dir, "b.tar"));
    deepEqual(await readAll(tar, "manifest.json"), MANIFEST);
    deepEqual(
      new Set(
        (await Array.fromAsync(tar.list())).map((e) => `${e.path}:${e.bytes}`),
      ),
      new Set(
        [...FILES, ["manifest.json", MANIFEST] as const].map(([p, b]) =>
          `${p}:${b.length}`
        ),
      ),
    );
    for (const [name, bytes] of [...FILES].reverse()) {
      deepEqual(await readAll(tar, name), bytes);
    }
    deepEqual(
      await readAll(tar, "data/nodes_1.json.gz", 12_345),
      FILES[0]![1].subarray(12_345),
    );
    const error = await tar.readable("data/missing.json.gz").catch((e) => e);
    ok(
      error instanceof BackupError && error.detail === "not found",
      String(error),
    );
  });
});

Deno.test("TarLocation streams a tar through a pipe: written entry by entry, read in order", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(
    {},
    { highWaterMark: 1 },
  );
  const writing = (async () => {
    await using tar = TarLocation.writer(writable, {
      name: "tar stream on stdout",
    });
    for (const [path, bytes] of FILES) {
      await writeChunks(tar, path, bytes, 4096);
    }
    await tar.put("manifest.json", MANIFEST);
  })();
  await using tar = TarLocation.reader(readable, {
    name: "tar stream on stdin",
  });
  equal(tar.describe(), "tar stream on stdin");
  // In archive order: straight from the stream.
  for (const [path, bytes] of FILES) deepEqual(await readAll(tar, path), bytes);
  deepEqual(await readAll(tar, "manifest.json"), MANIFEST);
  await writing;
  const again = await tar.readable("schema.json").catch((e) => e);
  ok(
    again instanceof BackupError && again.detail === "read twice",
    String(again),
  );
});

Deno.test("TarLocation reading a stream spools the entries it passes on the way to the manifest", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writing = (async () => {
    await using tar = TarLocation.writer(writable);
    for (const [path, bytes] of FILES) await tar.put(path, bytes);
    await tar.put("manifest.json", MANIFEST);
  })();
  await using tar = TarLocation.reader(readable);
  deepEqual(await readAll(tar, "manifest.json"), MANIFEST); // Last in the archive.
  await writing;
  for (const [path, bytes] of FILES) deepEqual(await readAll(tar, path), bytes);
  deepEqual(
    (await Array.fromAsync(tar.list())).map((e) => e.path),
    [...FILES.map(([p]) => p), "manifest.json"],
  );
});

Deno.test("TarLocation reading a truncated tar fails with INVALID_BACKUP that says so", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "b.tar");
    {
      await using tar = await TarLocation.create(path);
      for (const [name, bytes] of FILES) await tar.put(name, bytes);
    }
    const whole = await Deno.readFile(path);
    await Deno.writeFile(path, whole.subarray(0, 40_000));
    await using tar = TarLocation.open(path);
    const error = await readAll(tar, "schema.json").catch((e) => e);
    ok(error instanceof BackupError, String(error));
    equal(error.code, "INVALID_BACKUP");
    equal(error.message, `Cannot read ${path}: the archive is truncated`);
  });
});

Deno.test("TarLocation.writable() that is aborted adds nothing to the archive", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "b.tar");
    {
      await using tar = await TarLocation.create(path);
      const writer = (await tar.writable("data/broken.json.gz")).getWriter();
      await writer.write(bytesOf(3000));
      await writer.abort(new Error("the extract failed"));
      await tar.put("manifest.json", MANIFEST);
      await rejects(tar.remove("manifest.json"), BackupError);
    }
    deepEqual(
      (await tarList(path)).map((line) => line.split(/\s+/).at(-1)),
      ["manifest.json"],
    );
  });
});

Deno.test("TarLocation writing to a reader that went away fails with a BackupError", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  await readable.cancel(new Error("the reader went away"));
  const tar = TarLocation.writer(writable, { name: "tar stream on stdout" });
  const error = await tar.put("schema.json", bytesOf(100_000)).catch((e) => e);
  ok(error instanceof BackupError, String(error));
  ok(error.message.startsWith("Cannot write "), error.message);
  await rejects(tar.close(), BackupError);
});

Deno.test("openLocation() tells the kinds of location apart", async (t) => {
  await t.step("a directory", async () => {
    ok(await openLocation("backups/monday") instanceof LocalLocation);
  });
  await t.step("- reads stdin and writes stdout as tar", async () => {
    const { readable, writable } = new TransformStream<
      Uint8Array,
      Uint8Array
    >();
    const writer = await openLocation("-", { mode: "write", stdout: writable });
    equal(writer.describe(), "tar stream on stdout");
    const reader = await openLocation("-", { stdin: readable });
    equal(reader.describe(), "tar stream on stdin");
    await writer.put("manifest.json", MANIFEST);
    deepEqual(await readAll(reader, "manifest.json"), MANIFEST);
    await writer.close();
    deepEqual(await Array.fromAsync(reader.list()), [{
      path: "manifest.json",
      bytes: MANIFEST.length,
    }]);
    await reader.close();
  });
  await t.step("an unknown scheme is a TypeError", async () => {
    await rejects(openLocation("gs://bucket/x"), TypeError);
    await rejects(openLocation(""), TypeError);
  });
  await t.step(
    "s3:// with no credentials names what to set, without values",
    async () => {
      const error = await openLocation("s3://bucket/prefix", {
        s3: { env: {}, home: "/nonexistent" },
      }).catch((e) => e);
      ok(error instanceof BackupError, String(error));
      equal(
        error.message,
        "Cannot open s3://bucket/prefix: no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with /nonexistent/.aws/credentials)",
      );
    },
  );
});
