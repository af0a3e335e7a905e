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
  /** Peak RSS read from /proc just before a timed-out (or `killWhen`) child was killed. */
  rssAtKill?: number;
  /** Killed because `killWhen` said so. */
  killed?: boolean;
  /** Seconds from the spawn to the child's `BENCH-START` line, when it printed one. */
  workStartSeconds?: number;
  error?: string;
}

/** Options of {@linkcode runChild}. */
export interface ChildOptions {
  /** Kill the child at this time (its peak RSS read from /proc first). */
  timeLimitSeconds?: number;
  /** Called every 5 s while the child runs (not again while one call is running). */
  onTick?: (seconds: number) => Promise<void>;
  /**
   * Asked every 100 ms once the child has started its work (its `BENCH-START` line): true kills
   * it (SIGKILL, its peak RSS read from /proc first).
   */
  killWhen?: () => Promise<boolean>;
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
    readStdout(child.stdout, () => {
      watch.workStarted = performance.now();
    }),
    new Response(child.stderr).text(),
    child.status,
  ]);
  watch.stop();
  running = undefined;
  const processSeconds = (performance.now() - started) / 1000;
  const workStartSeconds = watch.workStarted === undefined
    ? undefined
    : (watch.workStarted - started) / 1000;
  const start = workStartSeconds === undefined ? {} : { workStartSeconds };
  if (watch.timedOut) {
    return {
      processSeconds,
      timedOut: true,
      rssAtKill: watch.rssAtKill,
      ...start,
    };
  }
  // A child that exited on its own just before the kill reached it was not killed.
  if (watch.killed && !status.success) {
    return {
      processSeconds,
      timedOut: false,
      killed: true,
      rssAtKill: watch.rssAtKill,
      ...start,
    };
  }
  return {
    ...readResult(stdout, stderr, status),
    processSeconds,
    timedOut: false,
    ...start,
  };
}

/** A child's stdout, whole; `onStart` called as soon as its `BENCH-START` line is there. */
async function readStdout(
  stream: ReadableStream<Uint8Array>,
  onStart: () => void,
): Promise<string> {
  let text = "";
  let seen = false;
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (!seen && /^BENCH-START$/m.test(text)) {
      seen = true;
      onStart();
    }
  }
  return text;
}

/** What {@linkcode watchChild} saw. */
interface Watch {
  timedOut: boolean;
  killed: boolean;
  rssAtKill?: number;
  /** performance.now() at the child's `BENCH-START` line. */
  workStarted?: number;
  stop(): void;
}

/** The time limit, the ticks and the kill condition of a running child. */
function watchChild(
  child: Deno.ChildProcess,
  started: number,
  options: ChildOptions,
): Watch {
  let stopped = false;
  const watch: Watch = {
    timedOut: false,
    killed: false,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(ticker);
      clearInterval(poller);
    },
  };
  const kill = (): void => {
    watch.rssAtKill = processPeakRss(child.pid);
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const timer = options.timeLimitSeconds
    ? setTimeout(() => {
      if (watch.killed) return;
      watch.timedOut = true;
      kill();
    }, options.timeLimitSeconds * 1000)
    : undefined;
  let polling = false;
  const poller = options.killWhen
    ? setInterval(() => {
      if (polling || watch.workStarted === undefined || watch.killed) return;
      polling = true;
      options.killWhen!().then((yes) => {
        if (yes && !stopped && !watch.timedOut && !watch.killed) {
          watch.killed = true;
          kill();
        }
      }).catch(() => {}).finally(() => polling = false);
    }, 100)
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
