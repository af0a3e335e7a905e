/**
 * One measurement in a child process of its own (`bench/measure.ts` or `bench/python_tool.py`):
 * spawned, stopped at a time limit, its `BENCH-RESULT` (or `BENCH-ERROR`) line read, turned into
 * a {@linkcode Measurement}.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type MeasureResult, peakRss } from "./measure.ts";
import type { Measurement } from "./_results.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** How a child ended. */
export interface ChildOutcome {
  result?: MeasureResult;
  processSeconds: number;
  timedOut: boolean;
  /** Peak RSS read from /proc just before a timed-out child was killed. */
  rssAtKill?: number;
  error?: string;
}

/** Options of {@linkcode runChild}. */
export interface ChildOptions {
  /** Kill the child at this time (its peak RSS read from /proc first). */
  timeLimitSeconds?: number;
  /** Called every 5 s while the child runs (not again while one call is running). */
  onTick?: (seconds: number) => Promise<void>;
}

/** The child that runs now: killed by {@linkcode killRunningChild}. */
let running: Deno.ChildProcess | undefined;

/** Kills the child that runs now, if any (on an interrupt). */
export function killRunningChild(): void {
  try {
    running?.kill("SIGKILL");
  } catch {
    // Already gone.
  }
}

/**
 * Runs one measurement in a child process and reads its `BENCH-RESULT` line. With a time limit,
 * the child is killed at the limit (its peak RSS read from /proc first).
 */
export async function runChild(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  options: ChildOptions = {},
): Promise<ChildOutcome> {
  const started = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    env: { ...env, TQDM_DISABLE: "1", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  running = child;
  const watch = watchChild(child, started, options);
  const [stdout, stderr, status] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.status,
  ]);
  watch.stop();
  running = undefined;
  const processSeconds = (performance.now() - started) / 1000;
  if (watch.timedOut) {
    return { processSeconds, timedOut: true, rssAtKill: watch.rssAtKill };
  }
  return {
    ...readResult(stdout, stderr, status),
    processSeconds,
    timedOut: false,
  };
}

/** The time limit and the ticks of a running child. */
function watchChild(
  child: Deno.ChildProcess,
  started: number,
  options: ChildOptions,
): { timedOut: boolean; rssAtKill?: number; stop(): void } {
  const watch: { timedOut: boolean; rssAtKill?: number; stop(): void } = {
    timedOut: false,
    stop: () => {
      clearTimeout(timer);
      clearInterval(ticker);
    },
  };
  const timer = options.timeLimitSeconds
    ? setTimeout(() => {
      watch.timedOut = true;
      watch.rssAtKill = processPeakRss(child.pid);
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, options.timeLimitSeconds * 1000)
    : undefined;
  let ticking = false;
  const ticker = options.onTick
    ? setInterval(() => {
      if (ticking) return;
      ticking = true;
      options.onTick!((performance.now() - started) / 1000).catch(() => {})
        .finally(() => ticking = false);
    }, 5_000)
    : undefined;
  return watch;
}

/** The result on a child's last `BENCH-RESULT` line, or why there is none. */
function readResult(
  stdout: string,
  stderr: string,
  status: Deno.CommandStatus,
): { result: MeasureResult } | { error: string } {
  const line = stdout.split("\n").reverse().find((l) =>
    l.startsWith("BENCH-RESULT ")
  );
  if (!status.success || !line) {
    // The child's own one-line account of its failure, when it gave one.
    const failure = stdout.split("\n").reverse().find((l) =>
      l.startsWith("BENCH-ERROR ")
    );
    if (failure) return { error: failure.slice("BENCH-ERROR ".length).trim() };
    const tail = (stderr + stdout).trim().split("\n").slice(-15).join("\n");
    return { error: `exit status ${status.code}: ${tail || "(no output)"}` };
  }
  return {
    result: JSON.parse(line.slice("BENCH-RESULT ".length)) as MeasureResult,
  };
}

/** Peak RSS (VmHWM) of a running process, in bytes. */
function processPeakRss(pid: number): number | undefined {
  try {
    return peakRss(pid) || undefined;
  } catch {
    return undefined;
  }
}

/** A child's outcome as a measurement of `total` records. */
export function toMeasurement(
  round: number,
  outcome: ChildOutcome,
  total: number,
): Measurement {
  const { processSeconds } = outcome;
  if (outcome.timedOut) {
    return {
      round,
      seconds: processSeconds,
      processSeconds,
      records: 0,
      recordsPerSecond: 0,
      maxRssBytes: outcome.rssAtKill ?? 0,
      timedOut: true,
    };
  }
  if (!outcome.result) {
    return {
      round,
      seconds: processSeconds,
      processSeconds,
      records: 0,
      recordsPerSecond: 0,
      maxRssBytes: 0,
      error: outcome.error ?? "no result",
    };
  }
  const { seconds, maxRssBytes, checkSeconds } = outcome.result;
  return {
    round,
    seconds,
    processSeconds,
    records: total,
    recordsPerSecond: total / seconds,
    maxRssBytes,
    ...(checkSeconds === undefined ? {} : { checkSeconds }),
  };
}
