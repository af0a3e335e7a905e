import { describeSchemaCounts } from "../_schema_counts.ts";
import type { ServerInfo } from "../_server_info.ts";
import { BackupError } from "../errors.ts";
import {
  cleanDatabase,
  type DatabaseContents,
  databaseContents,
} from "./_clean.ts";
import { type GraphCounts, noCounts, type Target } from "./_target.ts";

/** How the import treats a target that is not empty. */
export interface TargetPolicy {
  /** Empty it first. */
  clean: boolean;
  /** Go ahead without asking. */
  inputYes: boolean;
  /** Asks the user; without it, what needs asking is refused. */
  confirm: ((question: string) => boolean | Promise<boolean>) | undefined;
}

/** Whether a database holds nothing of its own (its token lookup indexes aside). */
export function isEmpty(contents: DatabaseContents): boolean {
  return contents.nodes === 0 && contents.relationships === 0 &&
    contents.constraints === 0 && contents.indexes === 0;
}

/**
 * Asks before importing into a target that is not empty, or before emptying it (`clean`), and
 * refuses when that is not confirmed; returns what the target holds.
 */
export async function confirmTarget(
  target: Target,
  server: ServerInfo,
  policy: TargetPolicy,
  action: string,
): Promise<DatabaseContents> {
  const contents = await databaseContents(target);
  if (isEmpty(contents)) return contents;
  const where = `database "${server.database}" at ${server.address}`;
  const summary =
    `${contents.nodes} nodes, ${contents.relationships} relationships, ${
      describeSchemaCounts(contents)
    }`;
  const question = policy.clean
    ? `Delete everything in ${where} (${summary})?`
    : `${where} is not empty (${summary}). Import into it anyway? The backup's nodes, relationships and schema are added to what it holds; nothing in it is changed or deleted.`;
  if (policy.inputYes || (policy.confirm && await policy.confirm(question))) {
    return contents;
  }
  throw policy.clean
    ? new BackupError(
      `${action}: emptying ${where} (${summary}) was not confirmed`,
      { code: "TARGET_NOT_EMPTY", hint: "confirm", address: server.address },
    )
    : new BackupError(`${action}: ${where} is not empty (${summary})`, {
      code: "TARGET_NOT_EMPTY",
      hint: "confirm-or-clean",
      address: server.address,
    });
}

/**
 * Empties the target when asked (as {@linkcode confirmTarget} confirmed); returns what it holds
 * before the first write.
 */
export async function prepareTarget(
  target: Target,
  contents: DatabaseContents,
  options: {
    clean: boolean;
    batchSize: number;
    onClean: (done: number, total: number) => void;
  },
): Promise<GraphCounts> {
  if (isEmpty(contents)) return noCounts();
  if (!options.clean) return await target.counts();
  options.onClean(0, contents.nodes);
  await cleanDatabase(target, options.batchSize);
  options.onClean(contents.nodes, contents.nodes);
  return noCounts();
}

/**
 * Checks that the target holds what it held before (`baseline`) plus what the backup holds
 * (`expected`), per label set and relationship type.
 *
 * @throws {BackupError} `VERIFICATION`, naming the first differences.
 */
export async function checkTarget(
  target: Target,
  baseline: GraphCounts,
  expected: GraphCounts,
  action: string,
): Promise<void> {
  const actual = await target.counts();
  const differences = [
    ...compare(
      sum(baseline.labelSets, expected.labelSets),
      actual.labelSets,
      (key) => `nodes labelled ${key}`,
    ),
    ...compare(
      sum(baseline.relationshipTypes, expected.relationshipTypes),
      actual.relationshipTypes,
      (type) => `relationships of type ${JSON.stringify(type)}`,
    ),
  ];
  if (differences.length > 0) {
    throw new BackupError(
      `${action}: the database does not hold what the backup holds: ${
        differences.slice(0, 5).join("; ")
      }${
        differences.length > 5 ? ` (and ${differences.length - 5} more)` : ""
      }`,
      { code: "VERIFICATION" },
    );
  }
}

function sum(
  a: Map<string, number>,
  b: Map<string, number>,
): Map<string, number> {
  const total = new Map(a);
  for (const [key, count] of b) total.set(key, (total.get(key) ?? 0) + count);
  return total;
}

function compare(
  want: Map<string, number>,
  have: Map<string, number>,
  what: (key: string) => string,
): string[] {
  const differences: string[] = [];
  for (const key of new Set([...want.keys(), ...have.keys()])) {
    const expected = want.get(key) ?? 0;
    const found = have.get(key) ?? 0;
    if (expected !== found) {
      differences.push(`${what(key)}: ${found}, expected ${expected}`);
    }
  }
  return differences;
}
