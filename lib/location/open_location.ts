/**
 * From the text a user gives (a directory, `s3://bucket/prefix`, `-`, `backup.tar`) to a
 * {@linkcode Location}.
 *
 * @module
 */
import type { Location } from "./location.ts";
import { LocalLocation, type LocalLocationOptions } from "./local_location.ts";
import { S3Location, type S3LocationOptions } from "./s3_location.ts";
import { TarLocation } from "./tar_location.ts";

/** Options for {@linkcode openLocation}. */
export interface OpenLocationOptions {
  /**
   * `read` for a backup to import, verify or list; `write` for one to extract. Only a tar
   * stream or file cares: it is read from standard input or written to standard output.
   * @default {"read"}
   */
  mode?: "read" | "write";
  /**
   * The stream `-` reads in `read` mode.
   * @default {Deno.stdin.readable}
   */
  stdin?: ReadableStream<Uint8Array>;
  /**
   * The stream `-` writes in `write` mode.
   * @default {Deno.stdout.writable}
   */
  stdout?: WritableStream<Uint8Array>;
  /** Options for an `s3://` location (part size, retries; the environment for tests). */
  s3?: S3LocationOptions;
  /** Options for a local directory. */
  local?: LocalLocationOptions;
  /**
   * The folder for a tar location's temporary files.
   * @default {the system's temporary folder}
   */
  tempDir?: string;
}

/**
 * The location `spec` names: `-` is a tar stream (standard input to read, standard output to
 * write), a path ending in `.tar` a tar file, `s3://bucket/prefix` objects in S3, anything else
 * a local directory.
 *
 * @example Open a local directory
 * ```ts
 * import { openLocation } from "./open_location.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await using location = await openLocation(dir, { mode: "write" });
 * await location.put("manifest.json", new TextEncoder().encode("{}"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openLocation(
  spec: string,
  options: OpenLocationOptions = {},
): Promise<Location> {
  if (typeof spec !== "string" || spec === "") {
    throw new TypeError("A backup location must be a non-empty string");
  }
  const mode = options.mode ?? "read";
  if (mode !== "read" && mode !== "write") {
    throw new TypeError(
      `The mode must be "read" or "write", not ${JSON.stringify(mode)}`,
    );
  }
  const tar = options.tempDir === undefined ? {} : { tempDir: options.tempDir };
  if (spec === "-") {
    return mode === "read"
      ? TarLocation.reader(options.stdin ?? Deno.stdin.readable, {
        ...tar,
        name: "tar stream on stdin",
      })
      : TarLocation.writer(options.stdout ?? Deno.stdout.writable, {
        ...tar,
        name: "tar stream on stdout",
      });
  }
  if (/^s3:\/\//i.test(spec)) {
    return await S3Location.open(spec.replace(/^s3/i, "s3"), options.s3);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new TypeError(
      `Unsupported backup location ${
        JSON.stringify(spec)
      }: use a directory, s3://bucket/prefix, - or a .tar file`,
    );
  }
  if (spec.toLowerCase().endsWith(".tar")) {
    return mode === "read"
      ? TarLocation.open(spec, tar)
      : await TarLocation.create(spec, tar);
  }
  return new LocalLocation(spec, options.local);
}

/**
 * Where a backup that is not in a local directory is worked on: the options of the engines
 * (Extractor, Importer, verifyBackup, listBackup) for `s3://bucket/prefix`, `-` and `.tar`.
 *
 * @example
 * ```ts
 * import type { ElsewhereOptions } from "./open_location.ts";
 *
 * const options: ElsewhereOptions = {
 *   location: { s3: { env: { AWS_REGION: "eu-west-1" } } },
 *   stateDir: "/var/lib/neo4j-backup",
 * };
 * ```
 */
export interface ElsewhereOptions {
  /**
   * How to open such a location: S3 settings (the environment and home folder to read, part
   * size), the streams of `-`.
   * @default {the process's environment and standard streams}
   */
  location?: Omit<OpenLocationOptions, "mode">;
  /**
   * The state folder that holds the working copy (named after the location, so that a resume
   * finds it; removed once the work succeeds).
   * @default {NEO4J_BACKUP_STATE_DIR, $XDG_STATE_HOME/neo4j-backup or ~/.local/state/neo4j-backup}
   */
  stateDir?: string;
}
