/**
 * The machine the benchmark runs on: CPU, cores, memory, OS, the versions measured, the load.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { DRIVER_VERSION } from "../lib/_driver.ts";
import { VERSION } from "../lib/version.ts";
import type { Environment } from "./_results.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The machine, and the versions of this tool, Deno and the driver (the caller adds the rest). */
export async function describeEnvironment(): Promise<Environment> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ??
    "unknown CPU";
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length ||
    navigator.hardwareConcurrency;
  const memKb = Number(/^MemTotal:\s+(\d+)\s+kB/m.exec(meminfo)?.[1] ?? 0);
  const commit = await gitDescribe();
  return {
    machine: {
      cpu: cpu.replace(/\s+/g, " "),
      cores,
      memoryBytes: memKb * 1024,
      os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    },
    versions: {
      "neo4j-backup (this tool)": `${VERSION}${commit ? ` (${commit})` : ""}`,
      Deno: `${Deno.version.deno} (V8 ${Deno.version.v8})`,
      "neo4j-driver (JavaScript)": DRIVER_VERSION,
    },
  };
}

/** `git describe --always --dirty` of the project, or "" without git. */
async function gitDescribe(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", ROOT, "describe", "--always", "--dirty"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "";
  }
}

/** The 1, 5 and 15 minute load averages. */
export async function loadAverage(): Promise<string> {
  const text = await Deno.readTextFile("/proc/loadavg").catch(() => "");
  return text.split(" ").slice(0, 3).join(" ");
}
