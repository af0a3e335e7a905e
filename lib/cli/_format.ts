/** `1234567` as `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Bytes in binary units: `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0
    ? `${Math.round(value)} B`
    : `${value.toFixed(1)} ${units[unit]}`;
}

/** Milliseconds as `1h 02m 03s`, `2m 03s` or `4.5s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0
    ? `${h}h ${String(m).padStart(2, "0")}m ${rest}s`
    : `${m}m ${rest}s`;
}

/**
 * Reads a size: bytes, or a number with a binary suffix (`64k`, `128M`, `2G`). Throws a
 * RangeError naming the text when it is not one.
 */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!match) {
    throw new RangeError(`"${text}" is not a size (e.g. 65536, 64k, 128M, 1G)`);
  }
  const power = " kmgt".indexOf(match[2]!.toLowerCase() || " ");
  const bytes = Math.round(Number(match[1]) * 1024 ** power);
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new RangeError(`"${text}" is not a positive size`);
  }
  return bytes;
}

/** `1 file`, `2 files`, `2 indexes`. */
export function plural(n: number, noun: string): string {
  const many = /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`;
  return `${formatCount(n)} ${n === 1 ? noun : many}`;
}
