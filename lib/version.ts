import denoJson from "../deno.json" with { type: "json" };

/**
 * This tool's version, as published.
 *
 * @example Print it
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(`neo4j-backup ${VERSION}`);
 * ```
 */
export const VERSION: string = denoJson.version;
