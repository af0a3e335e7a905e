import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { processEnv, stateDir } from "../_state_dir.ts";
import { BackupError } from "../errors.ts";
import type { DataFileEntry } from "../format/manifest.ts";
import { INCOMPLETE_FILE, MANIFEST_FILE } from "../format/layout.ts";
import type { Location } from "./location.ts";
import { type ElsewhereOptions, openLocation } from "./open_location.ts";

export type { ElsewhereOptions };

/**
 * Whether a backup location is somewhere else than a local directory: `s3://bucket/prefix`, `-`
 * (a tar stream on standard input or output) or a `.tar` file.
 */
export function isElsewhere(spec: string): boolean {
  return spec === "-" || /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) ||
    /\.tar$/i.test(spec);
}

/** The working copy's folder for `kind` of work on `spec`. */
function copyDir(
  kind: string,
  spec: string,
  options: ElsewhereOptions,
): string {
  const hash = createHash("sha256").update(spec).digest("hex").slice(0, 16);
  return join(options.stateDir ?? stateDir(processEnv), `${kind}-${hash}`);
}

/**
 * Reads the backup at `spec` through a working copy: downloads its files (or only `only`) into
 * it (objects as streams, a tar stream as it is read), runs `work` on it, and removes it once
 * `work` succeeds (kept otherwise, for a resumed import). Nothing is written to the location.
 */
export async function readElsewhere<T>(
  kind: string,
  spec: string,
  options: ElsewhereOptions,
  only: string[] | undefined,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = copyDir(kind, spec, options);
  const location = await openLocation(spec, {
    ...options.location,
    mode: "read",
  });
  try {
    await download(location, dir, only);
    const result = await work(dir);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return result;
  } finally {
    await location.close().catch(() => {});
  }
}

/** What {@linkcode writeElsewhere} needs of the extract. */
export interface WriteElsewhereOptions extends ElsewhereOptions {
  /** Overwrite an earlier backup at the location without asking. */
  yes: boolean;
  /** Asked before an earlier backup is overwritten. */
  confirm: ((question: string) => boolean | Promise<boolean>) | undefined;
  /** Go on with the working copy of an extract that stopped. */
  resume: boolean;
  /** Told of the bytes sent after the extract. */
  onProgress: ((done: number, total: number) => void) | undefined;
}

/**
 * Writes a backup to `spec` through a working copy: refuses (or, confirmed, unmarks) an earlier
 * backup there, marks a bucket incomplete, runs the extract `work` in the working copy with a
 * hook that sends each partition's files on as they are written, then sends the rest, the
 * manifest last, and removes the working copy.
 */
export async function writeElsewhere<T>(
  spec: string,
  options: WriteElsewhereOptions,
  work: (
    dir: string,
    onPartition: (files: DataFileEntry[]) => Promise<void>,
  ) => Promise<T>,
): Promise<T> {
  const dir = copyDir("extract", spec, options);
  const location = await openLocation(spec, {
    ...options.location,
    mode: "write",
  });
  try {
    if (!options.resume) {
      await refuseEarlierBackup(location, options.yes, options.confirm);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
    const tar = spec === "-" || /\.tar$/i.test(spec);
    // A bucket says it holds an incomplete backup until its manifest is there (a tar cannot
    // take an entry back, and is complete only with its manifest, its last entry).
    if (!tar) await location.put(INCOMPLETE_FILE, INCOMPLETE_TEXT);
    const sent = new Set<string>();
    const result = await work(dir, async (files) => {
      for (const file of files) {
        await send(dir, location, file.path);
        sent.add(file.path);
      }
    });
    await upload(dir, location, {
      sent,
      marked: !tar,
      onProgress: options.onProgress,
    });
    await location.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return result;
  } finally {
    await location.close().catch(() => {});
  }
}

/** Refuses a location that holds files, unless `yes`; with it, removes its manifest first. */
async function refuseEarlierBackup(
  location: Location,
  yes: boolean,
  confirm: ((question: string) => boolean | Promise<boolean>) | undefined,
): Promise<void> {
  for await (const _ of location.list()) {
    const confirmed = yes ||
      (confirm !== undefined &&
        await confirm(
          `${location.describe()} is not empty. Overwrite the backup in it?`,
        ));
    if (!confirmed) {
      throw new BackupError(
        `Cannot extract: ${location.describe()} is not empty and overwriting the backup in it was not confirmed`,
        { code: "TARGET_NOT_EMPTY", hint: "confirm" },
      );
    }
    await location.remove(MANIFEST_FILE);
    return;
  }
}

const INCOMPLETE_TEXT = new TextEncoder().encode(
  "This backup is incomplete: its files are being extracted and uploaded.\n",
);

/** Streams the file `path` of `dir` into `location`. */
async function send(
  dir: string,
  location: Location,
  path: string,
): Promise<void> {
  using source = await Deno.open(join(dir, path));
  await source.readable.pipeTo(await location.writable(path));
}

/**
 * Sends the rest of the backup in `dir` to `location` once the extract is done: the data files
 * not `sent` during it, the others, the manifest last (removing what an earlier backup there
 * left, and then the incomplete marker, when `marked`).
 */
async function upload(
  dir: string,
  location: Location,
  options: {
    sent: Set<string>;
    marked: boolean;
    onProgress: ((done: number, total: number) => void) | undefined;
  },
): Promise<void> {
  const files = (await listFiles(dir)).filter((f) => !options.sent.has(f.path));
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  let done = 0;
  const order = (path: string): number =>
    path === MANIFEST_FILE ? 2 : path.startsWith("data/") ? 0 : 1;
  files.sort((a, b) => order(a.path) - order(b.path));
  const stale = new Set<string>();
  for await (const entry of location.list()) stale.add(entry.path);
  const keep = new Set([
    ...options.sent,
    ...files.map((f) => f.path),
    INCOMPLETE_FILE,
  ]);
  for (const file of files) {
    options.onProgress?.(done, total);
    if (file.path === MANIFEST_FILE) {
      // The earlier backup's files this one does not have go before it is complete.
      for (const path of stale) {
        if (!keep.has(path)) await location.remove(path);
      }
      await location.put(file.path, await Deno.readFile(join(dir, file.path)));
      if (options.marked) await location.remove(INCOMPLETE_FILE);
    } else {
      await send(dir, location, file.path);
    }
    done += file.bytes;
  }
  options.onProgress?.(done, total);
}

/**
 * Copies the files of `location` (or only `only`) into `dir`. A file already there with its
 * size is kept (a resumed import downloads only what it lacks; the import checks every file
 * against the manifest's SHA-256 before it writes), except the manifest, always fetched anew;
 * files there that the location does not hold are removed.
 */
async function download(
  location: Location,
  dir: string,
  only?: string[],
): Promise<void> {
  const listed = new Set<string>();
  for await (const entry of location.list()) {
    if (only && !only.includes(entry.path)) continue;
    listed.add(entry.path);
    const path = join(dir, entry.path);
    const size = await Deno.stat(path).then((s) => s.size, () => undefined);
    if (size === entry.bytes && entry.path !== MANIFEST_FILE) continue;
    await Deno.mkdir(dirname(path), { recursive: true });
    const partial = `${path}.partial`;
    {
      using file = await Deno.open(partial, {
        write: true,
        create: true,
        truncate: true,
      });
      await (await location.readable(entry.path)).pipeTo(file.writable);
    }
    await Deno.rename(partial, path);
  }
  if (only) return;
  for (const file of await listFiles(dir).catch(() => [])) {
    if (!listed.has(file.path) && !file.path.endsWith(".journal")) {
      await Deno.remove(join(dir, file.path));
    }
  }
}

/** The files under `dir` (relative paths with `/`), with their sizes. */
async function listFiles(
  dir: string,
  prefix = "",
): Promise<{ path: string; bytes: number }[]> {
  const files: { path: string; bytes: number }[] = [];
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) files.push(...await listFiles(dir, path));
    else if (entry.isFile) {
      files.push({ path, bytes: (await Deno.stat(join(dir, path))).size });
    }
  }
  return files;
}
