import type { Terminal } from "./_terminal.ts";
import { formatBytes, formatCount, formatDuration } from "./_format.ts";

/** One update: a phase, how far it is, what it goes up to, and bytes so far. */
export interface ProgressUpdate {
  phase: string;
  done: number;
  total: number;
  bytes?: number;
  /** What `done` counts, e.g. `records`, `bytes`. */
  unit?: string;
}

/**
 * Shows progress on standard error: a live line redrawn at most ten times a second on a
 * terminal, a plain line every ten seconds otherwise, nothing when quiet. Each phase shows its
 * count, total, rate and time left.
 */
export class ProgressDisplay {
  #terminal: Terminal;
  #quiet: boolean;
  #live: boolean;
  #phase = "";
  #phaseStarted = 0;
  #lastDraw = 0;
  #lastText = "";
  #pending: ProgressUpdate | undefined;

  constructor(terminal: Terminal, quiet: boolean) {
    this.#terminal = terminal;
    this.#quiet = quiet;
    this.#live = terminal.interactive.stderr;
  }

  /** Takes an update; draws it when it is time to. */
  update(update: ProgressUpdate): void {
    if (this.#quiet) return;
    const now = performance.now();
    if (update.phase !== this.#phase) {
      if (this.#pending) this.#draw(this.#pending, now, true);
      this.#phase = update.phase;
      this.#phaseStarted = now;
      this.#lastDraw = 0;
    }
    this.#pending = update;
    const interval = this.#live ? 100 : 10_000;
    const finished = update.total > 0 && update.done >= update.total;
    if (now - this.#lastDraw >= interval || finished) {
      this.#draw(update, now, finished);
    }
  }

  /** Ends the live line, so that what follows starts on a fresh line. */
  finish(): void {
    if (this.#quiet) return;
    if (this.#pending) this.#draw(this.#pending, performance.now(), true);
    this.#pending = undefined;
    if (this.#live && this.#lastText) this.#terminal.err("\n");
    this.#lastText = "";
  }

  #draw(update: ProgressUpdate, now: number, final: boolean): void {
    this.#lastDraw = now;
    const elapsed = (now - this.#phaseStarted) / 1000;
    const unit = update.unit === "bytes" ? formatBytes : formatCount;
    const parts = [update.phase.padEnd(13)];
    if (update.total > 0) {
      const percent = Math.min(100, (update.done / update.total) * 100);
      parts.push(
        `${unit(update.done)}/${unit(update.total)} (${percent.toFixed(0)}%)`,
      );
      if (this.#live) parts.unshift(bar(percent));
    } else if (update.done > 0) {
      parts.push(unit(update.done));
    }
    if (elapsed > 0.5 && update.done > 0) {
      const rate = update.done / elapsed;
      parts.push(`${unit(rate)}/s`);
      if (update.total > update.done && !final) {
        parts.push(
          `${
            formatDuration(((update.total - update.done) / rate) * 1000)
          } left`,
        );
      }
    }
    if (update.bytes) parts.push(formatBytes(update.bytes));
    const text = parts.join("  ");
    if (this.#live) {
      this.#terminal.err(`\r\x1b[2K${text}${final ? "\n" : ""}`);
      this.#lastText = final ? "" : text;
    } else if (text !== this.#lastText) {
      this.#terminal.err(`${text}\n`);
      this.#lastText = text;
    }
  }
}

function bar(percent: number): string {
  const width = 20;
  const full = Math.round((percent / 100) * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}]`;
}
