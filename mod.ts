/**
 * Back up and restore Neo4j databases using only Cypher over Bolt.
 *
 * @module
 */

export { VERSION } from "./lib/version.ts";
