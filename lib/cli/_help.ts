import { VERSION } from "../version.ts";
import { DEFAULT_ADDRESS } from "./_connection.ts";

const CONNECTION_HELP =
  `Connection (as Neo4j's own tools; flags win over the environment):
  -a, --address <uri>       Bolt URI [env: NEO4J_URI] (default: ${DEFAULT_ADDRESS})
  -u, --username <name>     User [env: NEO4J_USERNAME] (default: neo4j)
  -p, --password <secret>   Password [env: NEO4J_PASSWORD]; asked for, without echo, on a
                            terminal when missing
  -d, --database <name>     Database [env: NEO4J_DATABASE] (default: the user's home database)`;

/**
 * The selection flags, which extract and import share, then `more` flags; `what` is what they
 * select from.
 */
function selectionHelp(what: string, more = ""): string {
  return `Selection (default: everything ${what}; repeat a flag for more names):
      --label <label>       Only nodes with this label (with all their labels); repeated: with
                            any of these labels
      --exclude-label <label>
                            Leave out nodes with this label
      --type <type>         Only relationships of this type
      --exclude-type <type> Leave out relationships of this type
      --schema-only         Only the constraints and indexes, no nodes or relationships
      --data-only           Only the nodes and relationships, no schema (same as --no-schema)${more}
  A relationship is kept only when both its endpoints are; a constraint or index only when all
  its labels or types are selected. A name that matches nothing ${what} is warned about.`;
}

/** The help of the tool and of each command. */
export const HELP = {
  main:
    `neo4j-backup ${VERSION}: back up and restore Neo4j databases with Cypher over Bolt

Usage:
  neo4j-backup extract <dir> [options]   Back up a database into <dir>
  neo4j-backup import <dir> [options]    Restore the backup in <dir> into a database
  neo4j-backup verify <dir>              Check a backup's files, without a database
  neo4j-backup list <dir> [--json]       Show what a backup holds, from its manifest
  neo4j-backup <command> --help          Options of a command
  neo4j-backup --version                 Versions of this tool, Deno and neo4j-driver

<dir> is a local directory, s3://bucket/prefix (AWS_* variables and ~/.aws as the AWS CLI
reads them), - (a tar stream on standard output or input) or a .tar file.

Works with Neo4j 4.4 and later, Community or Enterprise, self-hosted or Aura: no dump files,
no APOC, no access to the server's files.`,
  extract: `Usage: neo4j-backup extract <dir> [options]

Writes every node, relationship, constraint and index of one database into <dir> as
gzip-compressed JSON (data/nodes_<N>.json.gz, data/relationships_<N>.json.gz, manifest.json).
The manifest is written last: a directory without one is an incomplete backup. The graph is
read in partitions of internal ids, several at once; each partition written is recorded in
<dir>/checkpoint.jsonl, so that an extract that stopped can continue with --resume.

${CONNECTION_HELP}

${selectionHelp("in the database")}

Extract:
      --no-compress         Write plain .json files
      --indent <n>          Pretty-print records with <n> spaces (default: one record per line)
      --file-size <size>    Start a new data file after this much JSON, e.g. 64M (default: 128M)
      --no-schema           Leave out the schema (constraints and indexes); the Python
                            tool's --no-constraints is the same
  -j, --jobs <n>            Partitions read at once, each over its own session (default: 2
                            when the server answers within 5 ms, else 4); a --jobs from 2 up
                            to the cores reads in as many workers: faster, more memory
      --partition-size <n>  Records per partition (default: about 1/64 of the graph, from
                            10000 to 500000)
      --resume              Continue an extract that stopped, keeping the partitions it wrote
  -y, --yes                 Overwrite the backup in a non-empty <dir> without asking
  -q, --quiet               Print errors only
  -h, --help                This help`,
  import: `Usage: neo4j-backup import <dir> [options]

Restores the backup in <dir> (made by extract, or by the Python neo4j-backup) into a database:
nodes, relationships, then constraints and indexes. Every file is checked before anything is
written; the counts are checked after.

${CONNECTION_HELP}

${
    selectionHelp(
      "in the backup",
      `
      --rename-label <old=new>
                            Give nodes labelled <old> the label <new> instead (split at the
                            first =; --label and --exclude-label name labels as in the backup)
      --rename-type <old=new>
                            Make relationships of type <old> of type <new> instead`,
    )
  }

Import:
      --batch-size <n>      Records per transaction, at most (default: 10000)
      --batch-bytes <size>  Bytes of values per transaction, at most (default: 8M); a
                            transaction the server refuses for memory is split anyway
  -j, --jobs <n>            Transactions written at once (default: 2)
      --clean               Empty the database first (data and schema), after confirmation
      --resume              Continue an import that stopped, where it stopped
      --journal <file>      The resume journal (default: in the state folder,
                            ~/.local/state/neo4j-backup, never in <dir>)
      --no-schema           Leave out constraints and indexes
  -y, --yes                 Import into a non-empty database (or empty it) without asking
  -q, --quiet               Print errors only
  -h, --help                This help`,
  verify: `Usage: neo4j-backup verify <dir> [options]

Checks a backup without a database: the manifest, every file's size and SHA-256, every record,
the counts, and that every relationship's endpoints are in the backup.

  -q, --quiet               Print errors only
  -h, --help                This help`,
  list: `Usage: neo4j-backup list <dir> [options]

Shows what a backup holds without a database, from its manifest alone (no data file is read):
the source database and server, when it was extracted, the nodes per label set and the
relationships per type, the constraints and indexes, the files, the selection it was extracted
with, and whether the database changed meanwhile. A backup of the Python neo4j-backup has no
manifest: its records are read to count them. To check the files, run verify.

      --json                Print the listing as JSON (and nothing else) on stdout
  -h, --help                This help`,
} as const;
