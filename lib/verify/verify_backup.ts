import {
  type ElsewhereOptions,
  isElsewhere,
  readElsewhere,
} from "../location/_working_copy.ts";
import { openBackup } from "../format/backup_reader.ts";
import {
  checkBackup,
  type VerifyBackupOptions,
  type VerifyCounts,
} from "./_check_backup.ts";

export type {
  VerifyBackupOptions,
  VerifyCounts,
  VerifyProgress,
} from "./_check_backup.ts";

/**
 * Checks a backup without touching any database: the manifest; every data file against it
 * (present, no other file in `data/`, size, SHA-256); then every record (valid JSON of a known
 * shape, every value of a known type), the record counts per file, per label set and per
 * relationship type, and that every relationship's endpoints are nodes of the backup.
 *
 * @throws {BackupError} naming the file, and the record where there is one, and the reason.
 *
 * @example
 * ```ts ignore
 * import { verifyBackup } from "./verify_backup.ts";
 * const counts = await verifyBackup("backup");
 * console.log(`${counts.nodes} nodes and ${counts.relationships} relationships are intact`);
 * ```
 */
export async function verifyBackup(
  dir: string,
  options: VerifyBackupOptions & ElsewhereOptions = {},
): Promise<VerifyCounts> {
  if (isElsewhere(dir)) {
    return await readElsewhere(
      "verify",
      dir,
      options,
      undefined,
      (copy) => verifyBackup(copy, options),
    );
  }
  const backup = await openBackup(dir);
  const result = await checkBackup(backup, {
    ...options,
    context: "Invalid backup",
  });
  return result.counts;
}
