/**
 * Checks of the relative paths a location is given.
 *
 * @module
 */
import { BackupError } from "../errors.ts";

/**
 * Throws a `TypeError` unless `path` is relative, with `/` between non-empty segments, none of
 * them `.` or `..`, and no backslash or NUL.
 *
 * @example
 * ```ts
 * import { checkPath } from "./_path.ts";
 * checkPath("data/nodes_1.json.gz");
 * ```
 */
export function checkPath(path: string, what = "path"): string {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`The ${what} must be a non-empty string`);
  }
  if (
    path.startsWith("/") || path.includes("\\") || path.includes("\0") ||
    path.split("/").some((s) => s === "" || s === "." || s === "..")
  ) {
    throw new TypeError(
      `The ${what} must be relative, with / between its segments and no . or .. segment, not ${
        JSON.stringify(path)
      }`,
    );
  }
  return path;
}

/**
 * Throws a `TypeError` unless `prefix` is empty or the start of a valid path (it may end with
 * `/`).
 *
 * @example
 * ```ts
 * import { checkPrefix } from "./_path.ts";
 * checkPrefix("data/");
 * ```
 */
export function checkPrefix(prefix: string): string {
  if (prefix === "") return prefix;
  checkPath(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix, "prefix");
  return prefix;
}

/**
 * The error for a file that does not exist.
 *
 * @example
 * ```ts
 * import { notFound } from "./_path.ts";
 * const error = notFound("/backups/x/manifest.json", "data/x");
 * console.assert(error.detail === "not found");
 * ```
 */
export function notFound(where: string, file: string): BackupError {
  return new BackupError(`Cannot read ${where}: no such file`, {
    code: "IO",
    file,
    detail: "not found",
  });
}

/**
 * The message of an error, on one line.
 *
 * @example
 * ```ts
 * import { reason } from "./_path.ts";
 * console.assert(reason(new Error("a\nb")) === "a b");
 * ```
 */
export function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim();
}

/** The offset of a read (0 when not given); a TypeError unless a non-negative integer. */
export function checkOffset(offset: number | undefined): number {
  const value = offset ?? 0;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(
      `The offset must be a non-negative integer, not ${offset}`,
    );
  }
  return value;
}
