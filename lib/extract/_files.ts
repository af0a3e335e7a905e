import { BackupError } from "../errors.ts";
import { describeFileError } from "../format/_file_sink.ts";

/** Writes a small text file; a failure is a BackupError (`IO`) naming the file and why. */
export async function writeTextFile(path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (error) {
    throw fileError(path, error);
  }
}

/** Removes a file; a failure is a BackupError (`IO`) naming the file and why. */
export async function removeFile(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    throw fileError(path, error, "remove");
  }
}

/** A BackupError (`IO`) for a failed operation on a file of the extract. */
export function fileError(
  path: string,
  error: unknown,
  verb = "write",
): BackupError {
  if (error instanceof BackupError) return error;
  return new BackupError(
    `Cannot extract: cannot ${verb} ${path}: ${describeFileError(error)}`,
    { code: "IO", cause: error },
  );
}
