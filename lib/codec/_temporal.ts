/**
 * The ISO 8601 texts of the temporal values in the backup format: formatting from plain numbers
 * and a strict, regex-free parser back to them.
 *
 * @module
 */

/** The earliest year Neo4j holds. */
const MIN_YEAR = -999_999_999;
/** The latest year Neo4j holds. */
const MAX_YEAR = 999_999_999;
/** The largest offset from UTC, in seconds, that Neo4j holds (18 hours). */
const MAX_OFFSET_SECONDS = 18 * 3600;

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const PLUS = 0x2b;
const MINUS = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const LETTER_T = 0x54;
const LETTER_Z = 0x5a;
const OPEN_BRACKET = 0x5b;

function pad2(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

function pad4(n: number): string {
  return n < 10 ? "000" + n : n < 100 ? "00" + n : n < 1000 ? "0" + n : "" + n;
}

/**
 * `YYYY-MM-DD`: four-digit years from 0 to 9999, a sign and at least four digits otherwise.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatDate } from "./_temporal.ts";
 *
 * equal(formatDate(-44, 3, 15), "-0044-03-15");
 * ```
 */
export function formatDate(year: number, month: number, day: number): string {
  const yearText = year >= 0 && year <= 9999
    ? pad4(year)
    : (year < 0 ? "-" + pad4(-year) : "+" + pad4(year));
  return yearText + "-" + pad2(month) + "-" + pad2(day);
}

/**
 * `HH:MM:SS`, then `.` and the nanoseconds without trailing zeros unless they are zero.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatLocalTime } from "./_temporal.ts";
 *
 * equal(formatLocalTime(12, 50, 35, 556_000_000), "12:50:35.556");
 * ```
 */
export function formatLocalTime(
  hour: number,
  minute: number,
  second: number,
  nanosecond: number,
): string {
  const text = pad2(hour) + ":" + pad2(minute) + ":" + pad2(second);
  if (nanosecond === 0) return text;
  let digits = 9;
  let n = nanosecond;
  while (n % 10 === 0) {
    n /= 10;
    digits--;
  }
  return text + "." + String(n).padStart(digits, "0");
}

/**
 * An offset from UTC as `+HH:MM` or `-HH:MM`, with `:SS` only when it has seconds; `+00:00` for
 * zero.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatOffset } from "./_temporal.ts";
 *
 * equal(formatOffset(-12_600), "-03:30");
 * ```
 */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? "-" : "+";
  const total = offsetSeconds < 0 ? -offsetSeconds : offsetSeconds;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor(total / 60) % 60;
  const seconds = total % 60;
  const text = sign + pad2(hours) + ":" + pad2(minutes);
  return seconds === 0 ? text : text + ":" + pad2(seconds);
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return month === 2
    ? (isLeapYear(year) ? 29 : 28)
    : month === 4 || month === 6 || month === 9 ||
        month === 11
    ? 30
    : 31;
}

/**
 * The fields of a temporal text, as {@linkcode TemporalParser} reads them. Fields a type lacks
 * stay 0 (or undefined for the offset and zone).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { type TemporalFields, TemporalParser } from "./_temporal.ts";
 *
 * const fields: TemporalFields = new TemporalParser("Time", "12:00:00Z").time().offset().fields;
 * equal(fields.offsetSeconds, 0);
 * ```
 */
export interface TemporalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  /** The offset from UTC in seconds, when the text has one. */
  offsetSeconds: number | undefined;
  /** The time zone id, when the text has one. */
  zoneId: string | undefined;
}

/**
 * A strict reader of one temporal text. Malformed text, or fields outside the calendar (month 13,
 * February 30, hour 24), throw a SyntaxError; years and offsets beyond what Neo4j holds throw a
 * RangeError. Either message names the type and quotes the text.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { TemporalParser } from "./_temporal.ts";
 *
 * const fields = new TemporalParser("Date", "2024-02-29").date().end().fields;
 * equal(fields.year, 2024);
 * ```
 */
export class TemporalParser {
  /** What has been read so far. */
  readonly fields: TemporalFields = {
    year: 0,
    month: 0,
    day: 0,
    hour: 0,
    minute: 0,
    second: 0,
    nanosecond: 0,
    offsetSeconds: undefined,
    zoneId: undefined,
  };
  #type: string;
  #text: string;
  #pos = 0;

  /** Starts reading `text`, the value of a tagged value of type `type`. */
  constructor(type: string, text: string) {
    this.#type = type;
    this.#text = text;
  }

  /** Throws a SyntaxError that names the type, quotes the text and gives `reason`. */
  fail(reason: string): never {
    throw new SyntaxError(
      `Invalid ${this.#type} value ${JSON.stringify(this.#text)}: ${reason}`,
    );
  }

  #outOfRange(reason: string): never {
    throw new RangeError(
      `${this.#type} value ${
        JSON.stringify(this.#text)
      } is out of range: ${reason}`,
    );
  }

  #expect(code: number, what: string): void {
    if (this.#text.charCodeAt(this.#pos) !== code) {
      this.fail(`expected ${what} at position ${this.#pos}`);
    }
    this.#pos++;
  }

  /** Reads exactly `count` digits as a number. */
  #digits(count: number, what: string): number {
    const text = this.#text;
    let value = 0;
    for (let i = 0; i < count; i++) {
      const c = text.charCodeAt(this.#pos);
      if (!(c >= DIGIT_0 && c <= DIGIT_9)) {
        this.fail(
          `expected ${count} digits of the ${what} at position ${
            this.#pos - i
          }`,
        );
      }
      value = value * 10 + (c - DIGIT_0);
      this.#pos++;
    }
    return value;
  }

  /** Reads `YYYY-MM-DD` (or a signed year of four or more digits). */
  date(): this {
    const text = this.#text;
    const first = text.charCodeAt(this.#pos);
    let year: number;
    if (first === PLUS || first === MINUS) {
      this.#pos++;
      const start = this.#pos;
      let value = 0;
      for (;;) {
        const c = text.charCodeAt(this.#pos);
        if (!(c >= DIGIT_0 && c <= DIGIT_9)) break;
        value = value * 10 + (c - DIGIT_0);
        this.#pos++;
      }
      const count = this.#pos - start;
      if (count < 4) {
        this.fail(
          `expected at least 4 digits of the year at position ${start}`,
        );
      }
      year = first === MINUS ? -value : value;
      if (count > 15 || year < MIN_YEAR || year > MAX_YEAR) {
        this.#outOfRange(`years run from ${MIN_YEAR} to +${MAX_YEAR}`);
      }
    } else {
      year = this.#digits(4, "year");
    }
    this.#expect(MINUS, `"-"`);
    const month = this.#digits(2, "month");
    this.#expect(MINUS, `"-"`);
    const day = this.#digits(2, "day");
    if (month < 1 || month > 12) this.fail(`no month ${month}`);
    if (day < 1 || day > daysInMonth(year, month)) {
      this.fail(`no day ${day} in month ${month} of year ${year}`);
    }
    const fields = this.fields;
    fields.year = year === 0 ? 0 : year; // no -0
    fields.month = month;
    fields.day = day;
    return this;
  }

  /** Reads `T`. */
  separator(): this {
    this.#expect(LETTER_T, `"T"`);
    return this;
  }

  /** Reads `HH:MM:SS` and an optional fraction of 1 to 9 digits. */
  time(): this {
    const hour = this.#digits(2, "hour");
    this.#expect(COLON, `":"`);
    const minute = this.#digits(2, "minute");
    this.#expect(COLON, `":"`);
    const second = this.#digits(2, "second");
    if (hour > 23) this.fail(`no hour ${hour}`);
    if (minute > 59) this.fail(`no minute ${minute}`);
    if (second > 59) this.fail(`no second ${second}`);
    let nanosecond = 0;
    if (this.#text.charCodeAt(this.#pos) === DOT) {
      this.#pos++;
      const text = this.#text;
      const start = this.#pos;
      let scale = 100_000_000;
      for (;;) {
        const c = text.charCodeAt(this.#pos);
        if (!(c >= DIGIT_0 && c <= DIGIT_9)) break;
        if (this.#pos - start === 9) {
          this.fail("more than 9 digits of fraction");
        }
        nanosecond += (c - DIGIT_0) * scale;
        scale /= 10;
        this.#pos++;
      }
      if (this.#pos === start) {
        this.fail(`expected digits after "." at position ${start}`);
      }
    }
    const fields = this.fields;
    fields.hour = hour;
    fields.minute = minute;
    fields.second = second;
    fields.nanosecond = nanosecond;
    return this;
  }

  /** Whether an offset (`+`, `-` or `Z`) comes next. */
  atOffset(): boolean {
    const c = this.#text.charCodeAt(this.#pos);
    return c === PLUS || c === MINUS || c === LETTER_Z;
  }

  /** Reads `Z`, `+HH:MM` or `-HH:MM`, the latter two with optional `:SS`. */
  offset(): this {
    const sign = this.#text.charCodeAt(this.#pos);
    this.#pos++;
    if (sign === LETTER_Z) {
      this.fields.offsetSeconds = 0;
      return this;
    }
    if (sign !== PLUS && sign !== MINUS) {
      this.fail(`expected an offset at position ${this.#pos - 1}`);
    }
    const hours = this.#digits(2, "offset hours");
    this.#expect(COLON, `":"`);
    const minutes = this.#digits(2, "offset minutes");
    let seconds = 0;
    if (this.#text.charCodeAt(this.#pos) === COLON) {
      this.#pos++;
      seconds = this.#digits(2, "offset seconds");
    }
    if (minutes > 59) this.fail(`no offset minute ${minutes}`);
    if (seconds > 59) this.fail(`no offset second ${seconds}`);
    const total = hours * 3600 + minutes * 60 + seconds;
    if (total > MAX_OFFSET_SECONDS) {
      this.#outOfRange("offsets run from -18:00 to +18:00");
    }
    this.fields.offsetSeconds = sign === MINUS && total !== 0 ? -total : total;
    return this;
  }

  /** Whether a zone id in brackets comes next. */
  atZone(): boolean {
    return this.#text.charCodeAt(this.#pos) === OPEN_BRACKET;
  }

  /** Reads `[Zone/Id]`; the id is not checked here. */
  zone(): this {
    this.#expect(OPEN_BRACKET, `"["`);
    const end = this.#text.indexOf("]", this.#pos);
    if (end < 0) this.fail(`expected "]" after the time zone id`);
    if (end === this.#pos) this.fail("empty time zone id");
    this.fields.zoneId = this.#text.slice(this.#pos, end);
    this.#pos = end + 1;
    return this;
  }

  /** Checks that the whole text has been read. */
  end(): this {
    if (this.#pos !== this.#text.length) {
      this.fail(
        `unexpected ${
          JSON.stringify(this.#text.charAt(this.#pos))
        } at position ${this.#pos}`,
      );
    }
    return this;
  }
}
