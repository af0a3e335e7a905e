// deno-lint-ignore-file no-console
/**
 * `deno task compile [--target <triple>]...`: self-contained `neo4j-backup` executables, built
 * with `deno compile` for Linux (x86_64, aarch64), macOS (x86_64, aarch64) and Windows (x86_64),
 * named `dist/neo4j-backup-<target>[.exe]`.
 *
 * The executables get the narrowest permissions that work (no `-A`): see
 * {@linkcode PERMISSION_FLAGS}. `deno compile` downloads the Deno runtime for each target from
 * dl.deno.land; where that cannot be reached the task stops with a message saying so.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AWS_VARIABLES } from "../lib/cli/_location.ts";

/** Every target the release builds. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/**
 * What the executable may do, and nothing more: reach Neo4j (and S3), read and write backups,
 * read the NEO4J_* variables, the AWS tools' S3 variables and where the home and state folders
 * are, and read the OS release (neo4j-driver sends it in its Bolt agent string).
 * `tests/distribution_test.ts` runs `cli.ts` under `deno run` with exactly these flags.
 */
export const PERMISSION_FLAGS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  `--allow-env=NEO4J_URI,NEO4J_USERNAME,NEO4J_PASSWORD,NEO4J_DATABASE,NEO4J_BACKUP_STATE_DIR,XDG_STATE_HOME,HOME,${
    AWS_VARIABLES.join(",")
  }`,
  "--allow-sys=osRelease",
] as const;

/** Modules loaded at run time (the workers), which `deno compile` must embed. */
export const INCLUDES = [
  "lib/extract/_reader_worker.ts",
  "lib/format/_file_sink_worker.ts",
  "lib/verify/_verify_worker.ts",
] as const;

/** The `deno compile` arguments for one target. */
export function compileArgs(target: string, output: string): string[] {
  return [
    "compile",
    "--target",
    target,
    "--output",
    output,
    ...PERMISSION_FLAGS,
    ...INCLUDES.flatMap((path) => ["--include", path]),
    "cli.ts",
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { target: { type: "string", multiple: true } },
  });
  const targets = values.target?.length ? values.target : [...TARGETS];
  for (const target of targets) {
    const output = `dist/neo4j-backup-${target}${
      target.includes("windows") ? ".exe" : ""
    }`;
    console.error(`Building ${output}`);
    const result = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, output),
      stdout: "inherit",
      stderr: "piped",
    }).output();
    if (!result.success) {
      const detail = new TextDecoder().decode(result.stderr);
      if (
        /dl\.deno\.land|error sending request|dns error|Connect/i.test(detail)
      ) {
        const reason = /\d: (error sending request[^\n]*)/.exec(detail)?.[1] ??
          detail.trim().split("\n").slice(-3).join(" ");
        console.error(
          `error: cannot build ${output}: deno compile could not download the Deno runtime for ${target} from dl.deno.land (${reason})\n` +
            "hint: build where dl.deno.land is reachable, e.g. with the release workflow (.github/workflows/release.yml)",
        );
      } else {
        console.error(`error: cannot build ${output}:\n${detail.trim()}`);
      }
      Deno.exit(1);
    }
  }
  console.error(`Built ${targets.length} executable(s) in dist/`);
}
