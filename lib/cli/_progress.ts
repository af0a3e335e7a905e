import type { Terminal } from "./_terminal.ts";
import { formatBytes, formatCount, formatDuration } from "./_format.ts";

/** One update: a phase, how far it is, what it goes up to, and bytes so far. */
export interface ProgressUpdate {
  phase: string;
  done: number;
  total: number;
  bytes?: number;
  /** What `done` counts: records (the default) or bytes. */
  unit?: "records" | "bytes";
  /** Partitions written and in all (an extract's). */
  partitions?: { done: number; total: number };
}

/**
 * Shows progress on standard error: a live line redrawn at most ten times a second on a
 * terminal, a plain line every ten seconds otherwise, nothing when quiet. Each phase shows its
 * count, total, rate and time left, and ends with one final line.
 */
export class ProgressDisplay {
  #terminal: Terminal;
  #quiet: boolean;
  #live: boolean;
  #phaseStarted = 0;
  #lastDraw = 0;
  #drawn = false;
  #current: ProgressUpdate | undefined;

  constructor(terminal: Terminal, quiet: boolean) {
    this.#terminal = terminal;
    this.#quiet = quiet;
    this.#live = terminal.interactive.stderr;
  }

  /** Takes an update; draws it when it is time to. */
  update(update: ProgressUpdate): void {
    if (this.#quiet) return;
    const now = performance.now();
    if (update.phase !== this.#current?.phase) {
      this.#end(now);
      this.#phaseStarted = now;
      this.#lastDraw = now;
    }
    this.#current = update;
    if (now - this.#lastDraw >= (this.#live ? 100 : 10_000)) {
      this.#draw(update, now, false);
    }
  }

  /** Ends the current phase with its final line. */
  finish(): void {
    if (!this.#quiet) this.#end(performance.now());
  }

  #end(now: number): void {
    const update = this.#current;
    this.#current = undefined;
    if (!update) return;
    // A phase with nothing to show and nothing shown yet leaves no line.
    if (
      update.done === 0 && update.total === 0 && !update.bytes && !this.#drawn
    ) return;
    this.#draw(update, now, true);
    this.#drawn = false;
  }

  #draw(update: ProgressUpdate, now: number, final: boolean): void {
    this.#lastDraw = now;
    this.#drawn = true;
    const elapsed = (now - this.#phaseStarted) / 1000;
    const unit = update.unit === "bytes" ? formatBytes : formatCount;
    const parts = [update.phase];
    if (update.total > 0) {
      const percent = Math.min(100, (update.done / update.total) * 100);
      if (this.#live && !final) parts.push(bar(percent));
      parts.push(
        `${unit(update.done)}/${unit(update.total)} (${percent.toFixed(0)}%)`,
      );
    } else if (update.done > 0) {
      parts.push(unit(update.done));
    }
    if (elapsed >= 1 && update.done > 0) {
      const rate = update.done / elapsed;
      parts.push(`${unit(rate)}/s`);
      if (!final && update.total > update.done) {
        parts.push(
          `${
            formatDuration(((update.total - update.done) / rate) * 1000)
          } left`,
        );
      }
    }
    if (update.bytes) parts.push(formatBytes(update.bytes));
    if (update.partitions && update.partitions.total > 1) {
      parts.push(
        `partitions ${update.partitions.done}/${update.partitions.total}`,
      );
    }
    if (final) parts.push(formatDuration(now - this.#phaseStarted));
    const text = parts[0]!.padEnd(14) + parts.slice(1).join("  ");
    if (this.#live) this.#terminal.err(`\r\x1b[2K${text}${final ? "\n" : ""}`);
    else this.#terminal.err(`${text}\n`);
  }
}

function bar(percent: number): string {
  const width = 20;
  const full = Math.round((percent / 100) * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}]`;
}
