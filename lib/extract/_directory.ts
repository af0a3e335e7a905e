import { join } from "node:path";
import { BackupError } from "../errors.ts";
import {
  CHECKPOINT_FILE,
  DATA_DIR,
  DATA_FILE_PATTERN,
  INCOMPLETE_FILE,
  MANIFEST_FILE,
  PARTITION_FILE_PATTERN,
  PYTHON_FILES,
} from "../format/layout.ts";
import { describeFileError } from "../format/_file_sink.ts";
import { syncDirectory } from "../format/manifest.ts";
import { PARTITIONS_DIR } from "./_partition_writer.ts";

/** Options for {@linkcode prepareDirectory}. */
export interface PrepareDirectoryOptions {
  inputYes: boolean;
  confirm: ((question: string) => boolean | Promise<boolean>) | undefined;
}

/**
 * Makes `dir` ready for a new backup: creates it, or, when it holds files, asks (unless
 * `inputYes`) and then removes the files of an earlier backup or extract (manifest first, so
 * that the directory never looks complete meanwhile). Files it does not know are left alone.
 */
export async function prepareDirectory(
  dir: string,
  options: PrepareDirectoryOptions,
): Promise<void> {
  const entries = await listOrCreate(dir);
  if (entries.length === 0) return;
  const question =
    `${dir} is not empty (${entries.length} entries). Overwrite the backup in it?`;
  const unfinished = entries.includes(CHECKPOINT_FILE);
  const confirmed = options.inputYes ||
    (options.confirm !== undefined && await options.confirm(question));
  if (!confirmed) {
    throw new BackupError(
      unfinished
        ? `Cannot extract: ${dir} holds an extract that did not finish`
        : `Cannot extract: ${dir} is not empty (${entries.length} entries) and overwriting the backup in it was not confirmed`,
      {
        code: "TARGET_NOT_EMPTY",
        hint: unfinished ? "resume-or-overwrite" : "confirm",
      },
    );
  }
  await removeEarlierBackup(dir);
}

/** The names in `dir`; a missing `dir` is created (and has none). */
async function listOrCreate(dir: string): Promise<string[]> {
  try {
    const entries: string[] = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry.name);
    return entries;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new BackupError(
        `Cannot extract: cannot read ${dir}: ${describeFileError(error)}`,
        { code: "IO", cause: error },
      );
    }
  }
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new BackupError(
      `Cannot extract: cannot create ${dir}: ${describeFileError(error)}`,
      { code: "IO", cause: error },
    );
  }
  return [];
}

/**
 * Removes the files of an earlier backup from `dir`: the manifest first (so that the directory
 * never looks complete meanwhile), the metadata files, the data files, the marker.
 */
async function removeEarlierBackup(dir: string): Promise<void> {
  await removeQuietly(join(dir, MANIFEST_FILE));
  await syncDirectory(dir);
  await removeQuietly(join(dir, `${MANIFEST_FILE}.partial`));
  for (const name of Object.values(PYTHON_FILES)) {
    await removeQuietly(join(dir, name));
  }
  const stale: string[] = [];
  try {
    for await (const entry of Deno.readDir(join(dir, DATA_DIR))) {
      if (
        DATA_FILE_PATTERN.test(entry.name) ||
        PARTITION_FILE_PATTERN.test(entry.name) ||
        entry.name.endsWith(".partial")
      ) {
        stale.push(join(dir, DATA_DIR, entry.name));
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new BackupError(
        `Cannot extract: cannot read ${join(dir, DATA_DIR)}: ${
          describeFileError(error)
        }`,
        { code: "IO", cause: error },
      );
    }
  }
  for (const path of stale) await removeQuietly(path);
  await removeQuietly(join(dir, CHECKPOINT_FILE));
  try {
    await Deno.remove(join(dir, PARTITIONS_DIR), { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new BackupError(
        `Cannot extract: cannot remove ${
          join(dir, PARTITIONS_DIR)
        } of the earlier extract: ${describeFileError(error)}`,
        { code: "IO", cause: error },
      );
    }
  }
  await removeQuietly(join(dir, INCOMPLETE_FILE));
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw new BackupError(
      `Cannot extract: cannot remove ${path} of the earlier backup: ${
        describeFileError(error)
      }`,
      { code: "IO", cause: error },
    );
  }
}
