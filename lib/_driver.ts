/**
 * The one place the library names its driver, pinned to the version its hooks into the
 * driver (lib/_zoned_date_time_fix.ts with lib/_fast_temporals.ts, lib/extract/_row_stream.ts)
 * were written against and tested with (tests/driver_hooks_test.ts). The specifier is inline
 * (not an import-map alias) so that the module also works when imported from a URL, where no
 * deno.json applies.
 *
 * @module
 */
import neo4j from "npm:neo4j-driver@6.3.0";
// Patches the driver's decoding of zoned DateTimes (see the module); loaded with the driver by
// every library module, since they all import the driver from here.
export { zonedDateTimeFixActive } from "./_zoned_date_time_fix.ts";
import versionModule from "npm:neo4j-driver@6.3.0/lib/version.js";

export default neo4j;
export * from "npm:neo4j-driver@6.3.0";

/** The version of neo4j-driver in use, e.g. `6.3.0`. */
export const DRIVER_VERSION: string =
  (versionModule as { default?: string }).default ?? "unknown";
