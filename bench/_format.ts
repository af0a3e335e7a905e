// deno-lint-ignore-file no-console
/**
 * How the benchmark writes times, counts, sizes and ratios (in the report and in its log), and
 * its log lines.
 *
 * @module
 */
export { formatCount } from "../lib/cli/_format.ts";
import { formatCount } from "../lib/cli/_format.ts";

const started = performance.now();

/** Seconds since the benchmark started (since this module was loaded). */
export function elapsedSeconds(): number {
  return (performance.now() - started) / 1000;
}

/** Prints a log line, stamped with the minutes and seconds since the start: `[01:05] ...`. */
export function log(message: string): void {
  const s = Math.round(elapsedSeconds());
  const stamp = `${String(Math.floor(s / 60)).padStart(2, "0")}:${
    String(s % 60).padStart(2, "0")
  }`;
  console.log(`[${stamp}] ${message}`);
}

/** `1.23 s`, `12.3 s`, `2 min 5 s`, `1 h 5 min`. */
export function formatSeconds(s: number): string {
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s >= 3600) {
    const minutes = Math.round(s / 60);
    const h = Math.floor(minutes / 60);
    return minutes % 60 === 0 ? `${h} h` : `${h} h ${minutes % 60} min`;
  }
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0 ? `${m} min` : `${m} min ${rest} s`;
}

/** `10k`, `1M`, else as {@linkcode formatCount}. */
export function shortCount(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return formatCount(n);
}

/** A peak RSS: whole MiB. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** A machine's memory: GiB to one decimal. */
export function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/**
 * A backup's size: whole KiB below 1 MiB, else MiB to one decimal (however large). Not the
 * library's `formatBytes`, which writes `512.0 KiB` below 1 MiB and GiB from 1 GiB: kept so
 * that BENCHMARKS.md reads as it always has (the two agree from 1 MiB to 1 GiB).
 */
export function formatBackupSize(bytes: number): string {
  if (bytes < 2 ** 20) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** `123x`, `12.3x`, `1.23x`. */
export function formatRatio(x: number): string {
  return x >= 100
    ? `${x.toFixed(0)}x`
    : x >= 10
    ? `${x.toFixed(1)}x`
    : `${x.toFixed(2)}x`;
}
