/**
 * A Python virtual environment under the project's cache folder with pinned packages from PyPI,
 * installed once (`python3 -m venv` and pip; the Python is `NEO4J_BACKUP_PYTHON` or `python3`):
 * for the Python neo4j-backup (dev/python_tool.ts) and moto's S3 server (dev/s3_server.ts). Safe
 * to call from several processes at once: the environment is built in a scratch folder and
 * renamed into place.
 *
 * @module
 */
import { join } from "node:path";
import { cacheDir } from "./neo4j_server.ts";

/** What {@linkcode ensureVenv} sets up. */
export interface VenvOptions {
  /** The environment's folder. */
  dir: string;
  /** The packages and their versions. */
  pins: Readonly<Record<string, string>>;
  /** The marker file inside it that records the pins installed. */
  marker: string;
  /** What is installed, for messages, e.g. `moto 5.2.5`. */
  what: string;
  /** Told before a first install. */
  onStatus?: (message: string) => void;
}

/** Makes sure the environment exists with the pins; returns its Python interpreter. */
export async function ensureVenv(options: VenvOptions): Promise<string> {
  const { dir, pins, marker } = options;
  const wanted = JSON.stringify(pins);
  if (!(await installed(dir, marker, wanted))) {
    options.onStatus?.(`Installing ${options.what} into ${dir} (once)`);
    await Deno.mkdir(cacheDir(), { recursive: true });
    const scratch = await Deno.makeTempDir({
      dir: cacheDir(),
      prefix: ".tmp-venv-",
    });
    try {
      const base = Deno.env.get("NEO4J_BACKUP_PYTHON") ?? "python3";
      await runPython(
        base,
        ["-m", "venv", scratch],
        "Could not create a Python venv",
      );
      await runPython(
        join(scratch, "bin", "python"),
        [
          "-m",
          "pip",
          "install",
          "--quiet",
          "--disable-pip-version-check",
          ...Object.entries(pins).map(([name, v]) => `${name}==${v}`),
        ],
        `Could not install ${options.what} from PyPI`,
      );
      await Deno.writeTextFile(join(scratch, marker), wanted);
      // Replace an outdated environment; if another process got there first, keep theirs.
      if (!(await installed(dir, marker, wanted))) {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        await Deno.rename(scratch, dir).catch(() => {});
      }
    } finally {
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
    if (!(await installed(dir, marker, wanted))) {
      throw new Error(`The Python venv at ${dir} could not be set up`);
    }
  }
  return join(dir, "bin", "python");
}

/** Runs a Python command; returns its standard output, or throws `hint` with its last lines. */
export async function runPython(
  cmd: string,
  args: string[],
  hint: string,
): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(`${hint}: cannot run ${cmd}`, { cause: error });
  }
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${hint}\n${
        (text + new TextDecoder().decode(out.stderr)).trim().split("\n")
          .slice(-20).join("\n")
      }`,
    );
  }
  return text.trim();
}

async function installed(
  dir: string,
  marker: string,
  wanted: string,
): Promise<boolean> {
  try {
    const recorded = await Deno.readTextFile(join(dir, marker));
    await Deno.stat(join(dir, "bin", "python"));
    return recorded === wanted;
  } catch {
    return false;
  }
}
