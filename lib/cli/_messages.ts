import type { BackupError } from "../errors.ts";
import type { Command } from "./_args.ts";

/** Who and where, as the command line knows them (never a password). */
export interface Who {
  command: Command;
  /** The address as given (without credentials). */
  address: string;
  username: string;
}

/**
 * The line the command line prints for a failure of the library: the library's sentence or, for
 * a connection failure, one that names the user and the address as the user gave them; then
 * what to do, in this tool's flags.
 */
export function failureLine(error: BackupError, who: Who | undefined): string {
  const sentence = who && error.connection
    ? `${actionOf(who.command)}: ${connectionSentence(error, who)}`
    : error.message;
  return sentence + advice(error);
}

function actionOf(command: Command): string {
  return command === "import" ? "Cannot import backup" : "Cannot extract";
}

/** What failed in connecting, with the user and the address (the server's, or the one given). */
function connectionSentence(error: BackupError, who: Who): string {
  const at = `at ${error.address ?? who.address}`;
  const user = `of user ${JSON.stringify(who.username)}`;
  const detail = error.detail ? `: ${error.detail}` : "";
  switch (error.connection!) {
    case "unauthorized":
      return `the server ${at} refused the credentials ${user}`;
    case "rate-limited":
      return `the server ${at} blocks logins ${user} after too many failures; wait and retry`;
    case "no-database":
      return `the server ${at} has no database ${
        error.database ? `"${error.database}"` : "(default)"
      }`;
    case "unreachable":
      return `cannot reach a Neo4j server ${at}${detail}`;
    case "lost":
      return `lost the connection to the Neo4j server ${at}${detail}`;
    case "unavailable":
      return `the database${
        error.database ? ` "${error.database}"` : ""
      } ${at} became unavailable: the server is stopping or restarting it`;
  }
}

/**
 * What to do about a failure, in this tool's flags (the library gives it as the error's hint);
 * empty when running again would fail the same way.
 */
function advice(error: BackupError): string {
  switch (error.hint) {
    case undefined:
      return "";
    case "resume":
      return "; the import can continue where it stopped: run it again with --resume";
    case "resume-after-fix":
      return "; --resume fails the same way until the cause is removed from the database (--clean starts over in an emptied database instead)";
    case "resume-or-clean":
      return "; continue it with --resume, or start over with --clean";
    case "confirm":
      return "; confirm with --yes";
    case "confirm-or-clean":
      return "; confirm with --yes, or empty it first with --clean";
    case "resume-extract":
      return "; the extract can continue where it stopped: run it again with --resume";
    case "resume-or-overwrite":
      return "; continue it with --resume, or start over with --yes";
  }
}
