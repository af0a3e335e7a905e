import { VERSION } from "../version.ts";
import { DEFAULT_ADDRESS } from "./_connection.ts";

const CONNECTION_HELP =
  `Connection (as Neo4j's own tools; flags win over the environment):
  -a, --address <uri>       Bolt URI [env: NEO4J_URI] (default: ${DEFAULT_ADDRESS})
  -u, --username <name>     User [env: NEO4J_USERNAME] (default: neo4j)
  -p, --password <secret>   Password [env: NEO4J_PASSWORD]; asked for, without echo, on a
                            terminal when missing
  -d, --database <name>     Database [env: NEO4J_DATABASE] (default: the user's home database)`;

/** The help of the tool and of each command. */
export const HELP = {
  main:
    `neo4j-backup ${VERSION}: back up and restore Neo4j databases with Cypher over Bolt

Usage:
  neo4j-backup extract <dir> [options]   Back up a database into <dir>
  neo4j-backup import <dir> [options]    Restore the backup in <dir> into a database
  neo4j-backup verify <dir>              Check a backup's files, without a database
  neo4j-backup <command> --help          Options of a command
  neo4j-backup --version                 Versions of this tool, Deno and neo4j-driver

Works with Neo4j 4.4 and later, Community or Enterprise, self-hosted or Aura: no dump files,
no APOC, no access to the server's files.`,
  extract: `Usage: neo4j-backup extract <dir> [options]

Writes every node, relationship, constraint and index of one database into <dir> as
gzip-compressed JSON (data/nodes_<N>.json.gz, data/relationships_<N>.json.gz, manifest.json).
The manifest is written last: a directory without one is an incomplete backup.

${CONNECTION_HELP}

Extract:
      --no-compress         Write plain .json files
      --indent <n>          Pretty-print records with <n> spaces (default: one record per line)
      --file-size <size>    Start a new data file after this much JSON, e.g. 64M (default: 128M)
      --no-schema           Leave out the schema (constraints and indexes); the Python
                            tool's --no-constraints is the same
  -y, --yes                 Overwrite the backup in a non-empty <dir> without asking
  -q, --quiet               Print errors only
  -h, --help                This help`,
  import: `Usage: neo4j-backup import <dir> [options]

Restores the backup in <dir> (made by extract, or by the Python neo4j-backup) into a database:
nodes, relationships, then constraints and indexes. Every file is checked before anything is
written; the counts are checked after.

${CONNECTION_HELP}

Import:
      --batch-size <n>      Records per transaction (default: 10000)
      --clean               Empty the database first (data and schema), after confirmation
      --resume              Continue an import that stopped, where it stopped
      --journal <file>      The resume journal (default: <dir>/import-<database id>.journal)
      --no-schema           Leave out constraints and indexes
  -y, --yes                 Import into a non-empty database (or empty it) without asking
  -q, --quiet               Print errors only
  -h, --help                This help`,
  verify: `Usage: neo4j-backup verify <dir> [options]

Checks a backup without a database: the manifest, every file's size and SHA-256, every record,
the counts, and that every relationship's endpoints are in the backup.

  -q, --quiet               Print errors only
  -h, --help                This help`,
} as const;
