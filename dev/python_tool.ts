/**
 * The Python tool this project replaces, neo4j-backup 1.0.0 from PyPI, in a virtual environment
 * of its own under the project's cache folder (`<cache>/python-venv`), installed once with the
 * versions pinned in {@linkcode PYTHON_TOOL_PINS}: for the benchmarks, and for any test that
 * compares the two tools.
 *
 * @module
 */
import { join } from "node:path";
import { cacheDir } from "./neo4j_server.ts";
import { ensureVenv, runPython } from "./_python_venv.ts";

/**
 * The packages installed into the virtual environment. neo4j-backup 1.0.0 asks for
 * `neo4j>=4.3.2`, but it reads `Node.id`, which the 6.x Python driver no longer has: the last
 * 5.x driver is the newest it works with.
 */
export const PYTHON_TOOL_PINS: Readonly<Record<string, string>> = {
  "neo4j-backup": "1.0.0",
  neo4j: "5.28.8",
  tqdm: "4.67.1",
};

/** The folder of the virtual environment. */
export function pythonVenvDir(): string {
  return join(cacheDir(), "python-venv");
}

/** What {@linkcode ensurePythonTool} returns. */
export interface PythonTool {
  /** The virtual environment's Python interpreter. */
  python: string;
  /** Installed versions: `python`, `neo4j-backup`, `neo4j`, `tqdm`. */
  versions: Record<string, string>;
}

const MARKER = "neo4j-backup-pins.json";

/**
 * Makes sure the virtual environment with neo4j-backup 1.0.0 exists (creating it once with
 * `python3 -m venv` and pip; the Python is `NEO4J_BACKUP_PYTHON` or `python3`), and returns its
 * interpreter and the installed versions. Safe to call from several processes at once: the
 * environment is built in a scratch folder and renamed into place.
 *
 * @example Run the Python tool's extractor
 * ```ts ignore
 * const { python } = await ensurePythonTool();
 * await new Deno.Command(python, { args: ["bench/python_tool.py", "extract", dir] }).output();
 * ```
 */
export async function ensurePythonTool(
  onStatus: (message: string) => void = () => {},
): Promise<PythonTool> {
  const python = await ensureVenv({
    dir: pythonVenvDir(),
    pins: PYTHON_TOOL_PINS,
    marker: MARKER,
    what: `neo4j-backup ${PYTHON_TOOL_PINS["neo4j-backup"]} (Python)`,
    onStatus,
  });
  const script = "import importlib.metadata as m, json, sys\n" +
    `names = ${JSON.stringify(Object.keys(PYTHON_TOOL_PINS))}\n` +
    "v = {n: m.version(n) for n in names}\n" +
    "v['python'] = sys.version.split()[0]\n" +
    "print(json.dumps(v))";
  const out = await runPython(
    python,
    ["-c", script],
    "The Python venv is broken",
  );
  return { python, versions: JSON.parse(out) as Record<string, string> };
}
