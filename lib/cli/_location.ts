import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { stateDir } from "../_state_dir.ts";
import { BackupError } from "../errors.ts";
import { INCOMPLETE_FILE, MANIFEST_FILE } from "../format/layout.ts";
import type { Location } from "../location/location.ts";
import { openLocation } from "../location/open_location.ts";
import type { Command } from "./_args.ts";
import type { CommandInput } from "./_commands.ts";

/**
 * Whether a backup location is somewhere else than a local directory: `s3://bucket/prefix`, `-`
 * (a tar stream on standard input or output) or a `.tar` file.
 */
export function isElsewhere(spec: string): boolean {
  return spec === "-" || /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) ||
    /\.tar$/i.test(spec);
}

/**
 * Runs `run` for a backup location: a local directory as it is; another location through a
 * working copy in the state folder, named after the location (so that a resume finds it).
 *
 * - `extract`: the extract goes into the working copy, then its files go to the location, data
 *   files first and the manifest last (a tar gets them in that order; in a bucket the backup is
 *   complete once its manifest object exists). An earlier backup there is refused without
 *   `--yes` and, with it, its manifest is removed first.
 * - `import`, `verify`, `list`: the location's files are downloaded into the working copy first
 *   (a tar stream as it is read; files already there with their size are kept, for a resume),
 *   and read there; nothing is written to the location.
 *
 * The working copy is removed once the command succeeds.
 */
export async function atLocation(
  command: Command,
  input: CommandInput,
  run: (input: CommandInput) => Promise<number>,
): Promise<number> {
  if (!isElsewhere(input.dir)) return await run(input);
  const { terminal } = input;
  const hash = createHash("sha256").update(input.dir).digest("hex").slice(
    0,
    16,
  );
  const copy = join(stateDir(terminal.env), `${command}-${hash}`);
  const writing = command === "extract";
  const location = await openLocation(input.dir, {
    mode: writing ? "write" : "read",
    s3: {
      env: awsEnvironment(terminal.env),
      home: terminal.env("HOME") ?? "/",
    },
  });
  try {
    // Standard output holds the archive: the summary goes to standard error.
    const shown = input.dir === "-"
      ? (writing ? "a tar stream on stdout" : "a tar stream on stdin")
      : input.dir;
    const staged: CommandInput = {
      ...input,
      dir: copy,
      shown,
      terminal: input.dir === "-" && writing
        ? { ...terminal, out: terminal.err }
        : terminal,
    };
    if (writing) {
      const resume = input.values.resume === true;
      if (!resume) {
        await refuseEarlierBackup(location, input.values.yes === true);
        await Deno.remove(copy, { recursive: true }).catch(() => {});
      }
      const tar = input.dir === "-" || /\.tar$/i.test(input.dir);
      // A bucket says it holds an incomplete backup until its manifest is there (a tar cannot
      // take an entry back, and is complete only with its manifest, its last entry).
      if (!tar) await location.put(INCOMPLETE_FILE, INCOMPLETE_TEXT);
      const sent = new Set<string>();
      const status = await run({
        ...staged,
        values: resume ? staged.values : { ...staged.values, yes: true },
        // Each partition's files go on as soon as they are written.
        onPartition: async (files) => {
          for (const file of files) {
            await send(copy, location, file.path);
            sent.add(file.path);
          }
        },
      });
      if (status !== 0) return status;
      await upload(copy, location, input, { sent, marked: !tar });
    } else {
      await download(
        location,
        copy,
        command === "list" ? [MANIFEST_FILE] : undefined,
      );
      const status = await run(staged);
      if (status !== 0) return status;
    }
    await location.close();
    await Deno.remove(copy, { recursive: true }).catch(() => {});
    return 0;
  } finally {
    await location.close().catch(() => {});
  }
}

/** The environment variables of AWS's tools that configure S3 (the only ones read). */
export const AWS_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_S3",
] as const;

function awsEnvironment(
  env: (name: string) => string | undefined,
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of AWS_VARIABLES) {
    const value = env(name);
    if (value !== undefined) found[name] = value;
  }
  return found;
}

/** Refuses a location that holds files, unless `yes`; with it, removes its manifest first. */
async function refuseEarlierBackup(
  location: Location,
  yes: boolean,
): Promise<void> {
  for await (const _ of location.list()) {
    if (!yes) {
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
  input: CommandInput,
  options: { sent: Set<string>; marked: boolean },
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
    input.progress.update({ phase: "uploading", done, total, unit: "bytes" });
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
  input.progress.update({ phase: "uploading", done, total, unit: "bytes" });
  input.progress.finish();
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
