/**
 * A worker that checks one data file of a backup at a time (see `verifyFile`), so that the files
 * of a backup are read on all cores at once.
 *
 * @module
 */
import { BackupError } from "../errors.ts";
import { openBackup } from "../format/backup_reader.ts";
import { type FileCheck, verifyFile } from "./_verify_file.ts";

/** What the main thread asks: check file `file` of the backup in `dir`. */
export interface VerifyFileRequest {
  dir: string;
  file: number;
  context: string;
}

/** What the worker answers: progress, then the result or the error. */
export type VerifyFileMessage =
  | { kind: "progress"; records: number }
  | ({ kind: "done" } & FileCheck)
  | {
    kind: "error";
    message: string;
    code: string;
    file?: string;
    record?: number;
  };

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<VerifyFileRequest>) => void) | null;
  postMessage(message: VerifyFileMessage, transfer?: Transferable[]): void;
};

scope.onmessage = async (event) => {
  const { dir, file, context } = event.data;
  try {
    const backup = await openBackup(dir);
    const check = await verifyFile(
      backup,
      file,
      context,
      (records) => scope.postMessage({ kind: "progress", records }),
    );
    scope.postMessage({ kind: "done", ...check }, [
      check.ids.buffer as ArrayBuffer,
      check.groups.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    const e = error as BackupError;
    scope.postMessage({
      kind: "error",
      message: e?.message ?? String(error),
      code: e instanceof BackupError ? e.code : "INVALID_BACKUP",
      ...(e?.file === undefined ? {} : { file: e.file }),
      ...(e?.record === undefined ? {} : { record: e.record }),
    });
  }
};
