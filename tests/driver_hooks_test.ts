/**
 * The two places the library relies on neo4j-driver internals, which would otherwise fail
 * silently after a driver upgrade:
 *
 * - lib/_zoned_date_time_fix.ts patches the driver's structure transformer so that DateTimes
 *   with a named zone outside the JavaScript Date range decode (without it the driver returns
 *   a value that throws when read, and such a property cannot be backed up), and decodes
 *   Dates, times and DateTimes with an offset with number arithmetic (lib/_fast_temporals.ts:
 *   without it, the driver's slower decoding runs, and its output must be what the driver's is);
 * - lib/extract/_row_stream.ts reads an extract's rows through `Result._subscribe`, in
 *   batches with flow control (without it, it falls back to the slower `for await`), and
 *   sets the first pull of a transaction's next query (`setFirstPull`, without which a query
 *   after a huge record asks for the session's fetch size of them).
 *
 * Each test here fails when its hook is not in place.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import neo4j, {
  type DateTime as DateTimeValue,
  Result,
  zonedDateTimeFixActive,
} from "../lib/_driver.ts";
import {
  fastTemporalsDecoded,
  fastTemporalsEncoded,
} from "../lib/_fast_temporals.ts";
import { rowBatches, setFirstPull } from "../lib/extract/_row_stream.ts";
import { openDriver, testTarget } from "./_neo4j.ts";

const { DateTime } = neo4j.types;

/** The fields of a DateTime, integers as numbers. */
function fields(
  value: DateTimeValue<number | bigint>,
): Record<string, unknown> {
  return {
    year: Number(value.year),
    month: Number(value.month),
    day: Number(value.day),
    hour: Number(value.hour),
    minute: Number(value.minute),
    second: Number(value.second),
    nanosecond: Number(value.nanosecond),
    timeZoneOffsetSeconds: Number(value.timeZoneOffsetSeconds),
    timeZoneId: value.timeZoneId,
  };
}

/**
 * Named-zone DateTimes, as Neo4j renders them, and their fields. The first three are outside
 * the JavaScript Date range (about years -271821 to 275760), which the driver's own decoder
 * cannot leave; the last is inside it, where the patch must change nothing.
 */
const ZONED: [string, number[], number, string][] = [
  // Zones keep their last rules forever: Berlin is on summer time in July of year 300000.
  [
    "+300000-07-01T12:00:00+02:00[Europe/Berlin]",
    [300000, 7, 1, 12, 0, 0, 0],
    7200,
    "Europe/Berlin",
  ],
  [
    "+999999999-12-31T23:59:59.999999999+01:00[Europe/Berlin]",
    [999999999, 12, 31, 23, 59, 59, 999999999],
    3600,
    "Europe/Berlin",
  ],
  // Before a zone's first entry, its local mean time (an offset with seconds).
  [
    "-999999999-01-01T00:00:00-04:56:02[America/New_York]",
    [-999999999, 1, 1, 0, 0, 0, 0],
    -17762,
    "America/New_York",
  ],
  // Berlin repeats 02:00-03:00 on 2022-10-30: the second 02:30, at +01:00.
  [
    "2022-10-30T02:30:00+01:00[Europe/Berlin]",
    [2022, 10, 30, 2, 30, 0, 0],
    3600,
    "Europe/Berlin",
  ],
];

Deno.test("the zoned DateTime patch is installed on neo4j-driver's transformer", () => {
  ok(
    zonedDateTimeFixActive(),
    "lib/_zoned_date_time_fix.ts is not in place (not loaded, or neo4j-driver's transformer " +
      "changed): named-zone DateTimes outside the JavaScript Date range do not decode",
  );
});

Deno.test("a DateTime with a named zone round-trips through the server with its zone id and offset", async (t) => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  for (const [text, [y, mo, d, h, mi, s, ns], offset, zone] of ZONED) {
    await t.step(text, async () => {
      const written = new DateTime(
        BigInt(y!),
        BigInt(mo!),
        BigInt(d!),
        BigInt(h!),
        BigInt(mi!),
        BigInt(s!),
        BigInt(ns!),
        BigInt(offset),
        zone,
      );
      const { records } = await driver.executeQuery(
        "RETURN $v AS v, toString($v) AS text",
        { v: written },
        { database },
      );
      // What the server made of the parameter.
      equal(records[0]!.get("text"), text);
      const read = records[0]!.get("v") as DateTimeValue<bigint>;
      let readFields: Record<string, unknown>;
      try {
        readFields = fields(read);
      } catch (error) {
        throw new Error(
          `the driver could not decode ${text} (is the zoned DateTime patch active?): ${error}`,
        );
      }
      deepEqual(readFields, fields(written));
      ok(read instanceof DateTime);
    });
  }
});

/** A deterministic generator of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Temporal values of every kind lib/_fast_temporals.ts decodes: the edges (the first and last
 * day Neo4j allows, leap days, the day before 1970, the last nanosecond of a day, the widest
 * offsets), then random ones over the whole range of years and, more densely, years 1 to 3000.
 */
function temporalValues(count: number): Record<string, unknown[]> {
  const { Date, DateTime, LocalDateTime, LocalTime, Time } = neo4j.types;
  const next = seeded(7);
  const int = (low: number, high: number): number =>
    low + Math.floor(next() * (high - low + 1));
  const days: [number, number, number][] = [
    [-999_999_999, 1, 1],
    [999_999_999, 12, 31],
    [0, 1, 1],
    [0, 2, 29],
    [0, 3, 1],
    [-1, 12, 31],
    [1, 1, 1],
    [1582, 10, 15],
    [1900, 2, 28],
    [1969, 12, 31],
    [1970, 1, 1],
    [2000, 2, 29],
    [2100, 3, 1],
    [-400, 2, 29],
    [-401, 3, 1],
    [142_000_000, 6, 15],
    [-142_000_000, 6, 15],
  ];
  while (days.length < count) {
    const year = next() < 0.5 ? int(1, 3000) : int(-999_999_999, 999_999_999);
    days.push([year, int(1, 12), int(1, 28)]);
  }
  const clocks: [number, number, number, number][] = [
    [0, 0, 0, 0],
    [23, 59, 59, 999_999_999],
    [12, 0, 0, 1],
  ];
  while (clocks.length < count) {
    clocks.push([int(0, 23), int(0, 59), int(0, 59), int(0, 999_999_999)]);
  }
  const offsets = [-64_800, 64_800, 0, 20_700, -17_762];
  while (offsets.length < count) offsets.push(int(-1_080, 1_080) * 60);
  const b = BigInt;
  return {
    dates: days.map(([y, m, d]) => new Date(b(y), b(m), b(d))),
    localTimes: clocks.map(([h, mi, s, ns]) =>
      new LocalTime(b(h), b(mi), b(s), b(ns))
    ),
    times: clocks.map(([h, mi, s, ns], i) =>
      new Time(b(h), b(mi), b(s), b(ns), b(offsets[i]!))
    ),
    localDateTimes: days.map(([y, m, d], i) => {
      const [h, mi, s, ns] = clocks[i]!;
      return new LocalDateTime(b(y), b(m), b(d), b(h), b(mi), b(s), b(ns));
    }),
    dateTimes: days.map(([y, m, d], i) => {
      const [h, mi, s, ns] = clocks[i]!;
      return new DateTime(
        b(y),
        b(m),
        b(d),
        b(h),
        b(mi),
        b(s),
        b(ns),
        b(offsets[i]!),
      );
    }),
  };
}

/**
 * What neo4j-driver itself builds with `useBigInt: true`, from a value it decoded as `Integer`s
 * (its own `convertIntegerPropsIfNeeded`: a frozen copy, integers as bigints).
 */
function withBigInts(value: object): object {
  const copy = Object.create(Object.getPrototypeOf(value));
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    copy[key] = neo4j.isInt(field)
      ? (field as { toBigInt(): bigint }).toBigInt()
      : field;
  }
  return Object.freeze(copy);
}

Deno.test("Dates, times and DateTimes with an offset encode and decode fast, to exactly what neo4j-driver builds", async (t) => {
  const target = await testTarget();
  await using driver = await openDriver(target);
  // Integers as the driver's Integer: the fast way refuses it, so this is the driver's decoding.
  await using reference = Object.assign(
    neo4j.driver(
      target.uri,
      neo4j.auth.basic(target.username, target.password),
      { logging: { level: "error", logger: () => {} } },
    ),
    { [Symbol.asyncDispose]: () => reference.close() },
  );
  const count = 3_000;
  const values = temporalValues(count);
  for (const [kind, list] of Object.entries(values)) {
    await t.step(kind, async () => {
      const query = "UNWIND $values AS v RETURN v";
      const encodedBefore = fastTemporalsEncoded();
      const before = fastTemporalsDecoded();
      const fast = (await driver.executeQuery(query, { values: list }, {
        database: target.database,
      })).records.map((r) => r.get("v") as object);
      const decodedFast = fastTemporalsDecoded() - before;
      const encodedFast = fastTemporalsEncoded() - encodedBefore;
      const slow = (await reference.executeQuery(query, { values: list }, {
        database: target.database,
      })).records.map((r) => withBigInts(r.get("v") as object));
      equal(fast.length, count);
      // Each value went to the server encoded (the fast way, but for the first of each kind on
      // a connection and years beyond 100 million) and came back: the driver's own decoding
      // (`slow`) and the fast one both give what was sent.
      for (let i = 0; i < count; i++) {
        const [a, b] = [fast[i]!, slow[i]!];
        deepEqual(a, b, `value ${i}: ${String(b)}`);
        deepEqual(Object.keys(a), Object.keys(b));
        ok(Object.isFrozen(a));
        // And what was sent, for the values within the fast way's range and beyond it.
        deepEqual(a, list[i]);
      }
      // The first values of a connection are decoded both ways, and years beyond about 142
      // million (2^52 seconds) by the driver alone: at least the half of years 1 to 3000 went
      // the fast way.
      ok(
        decodedFast > count / 2,
        `only ${decodedFast} of ${count} ${kind} were decoded the fast way`,
      );
      ok(
        encodedFast > count / 2,
        `only ${encodedFast} of ${count} ${kind} were encoded the fast way`,
      );
    });
  }
});

/** A spy on one result's internals: what `rowBatches()` asked of the driver's stream. */
interface StreamSpy {
  /** Calls of `_subscribe`, with their `paused` argument. */
  subscriptions: unknown[];
  /** Async iterators opened on the result (the fallback reader). */
  iterators: number;
  /** Calls of the driver stream's `pause()` and `resume()`. */
  pauses: number;
  resumes: number;
}

/** Counts what is done to `result`'s stream, without changing it. */
function spy(result: Result): StreamSpy {
  const seen: StreamSpy = {
    subscriptions: [],
    iterators: 0,
    pauses: 0,
    resumes: 0,
  };
  const target = result as unknown as Record<PropertyKey, unknown>;
  const subscribe = target._subscribe as (
    ...args: unknown[]
  ) => Promise<Record<string, (...args: unknown[]) => unknown>>;
  equal(typeof subscribe, "function", "Result._subscribe is gone");
  target._subscribe = async function (
    this: unknown,
    ...args: unknown[]
  ): Promise<unknown> {
    seen.subscriptions.push(args[1]);
    const stream = await subscribe.apply(this, args);
    const { pause, resume } = stream;
    stream.pause = function (...a: unknown[]): unknown {
      seen.pauses++;
      return pause!.apply(this, a);
    };
    stream.resume = function (...a: unknown[]): unknown {
      seen.resumes++;
      return resume!.apply(this, a);
    };
    return stream;
  };
  const iterate = target[Symbol.asyncIterator] as () => unknown;
  target[Symbol.asyncIterator] = function (this: unknown): unknown {
    seen.iterators++;
    return iterate.call(this);
  };
  return seen;
}

const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Subscribes to a result through the driver's `Result._subscribe(observer, paused: true)`. */
function subscribePaused(
  result: unknown,
  observer: {
    onNext(record: { get(key: string): unknown }): void;
    onCompleted(): void;
    onError(error: unknown): void;
  },
): Promise<Record<string, () => void>> {
  return (result as {
    _subscribe(
      o: unknown,
      paused: boolean,
    ): Promise<Record<string, () => void>>;
  })._subscribe(observer, true);
}

Deno.test("neo4j-driver's Result._subscribe(observer, paused) resolves to a stream that pauses and resumes", async () => {
  const subscribe = (Result.prototype as unknown as Record<string, unknown>)
    ._subscribe as ((...args: unknown[]) => unknown) | undefined;
  equal(
    typeof subscribe,
    "function",
    "Result.prototype._subscribe is gone: neo4j-driver changed, and the extract falls back to " +
      "for await (see lib/extract/_row_stream.ts)",
  );
  ok(subscribe!.length >= 2, `_subscribe takes ${subscribe!.length} arguments`);

  await using driver = await openDriver();
  const { database } = await testTarget();
  await using session = driver.session({ database, fetchSize: 10 });
  const result = session.run("UNWIND range(1, 1000) AS i RETURN i");
  const rows: number[] = [];
  const completed = Promise.withResolvers<void>();
  let finished = false;
  const pauseAt = 25;
  const pausedAt = Promise.withResolvers<void>();
  const stream = await subscribePaused(result, {
    onNext(record: { get(key: string): unknown }): void {
      rows.push(Number(record.get("i")));
      if (rows.length === pauseAt) {
        stream.pause!();
        pausedAt.resolve();
      }
    },
    onCompleted: () => {
      finished = true;
      completed.resolve();
    },
    onError: (error: unknown) => completed.reject(error),
  });
  for (const method of ["pause", "resume", "cancel"]) {
    equal(typeof stream[method], "function", `stream.${method}`);
  }
  // Subscribed paused: at most the fetch that went out with the query arrives, however long
  // one waits.
  await delay(300);
  ok(rows.length <= 10, `${rows.length} rows before resume()`);
  // Resumed, then paused from within onNext at the 25th row: the stream stops within the fetch
  // in flight.
  stream.resume!();
  await Promise.race([pausedAt.promise, completed.promise]);
  await delay(300);
  ok(!finished, "the stream ran to its end through a pause");
  ok(rows.length <= pauseAt + 10, `${rows.length} rows after a pause at 25`);
  stream.resume!();
  await completed.promise;
  deepEqual(rows, Array.from({ length: 1000 }, (_, i) => i + 1));
});

Deno.test("rowBatches() reads through Result._subscribe, and a slow consumer pauses the driver's stream", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  const fetchSize = 10;
  const limit = 20;
  const rows = 1000;
  await using session = driver.session({ database, fetchSize });
  const result = session.run("UNWIND range(1, $n) AS i RETURN i", {
    n: neo4j.int(rows),
  });
  const seen = spy(result);
  let next = 1;
  let batches = 0;
  let largest = 0;
  for await (const batch of rowBatches(result, limit)) {
    largest = Math.max(largest, batch.length);
    for (const row of batch) equal(Number(row.get("i")), next++);
    // A slow consumer for the first batches: without a pause the driver would go on pulling
    // fetch after fetch meanwhile, and the next batch would hold them all.
    if (++batches <= 5) await delay(100);
  }
  equal(next - 1, rows);
  equal(
    seen.iterators,
    0,
    "rowBatches() fell back to the driver's async iterator (Result._subscribe not used)",
  );
  deepEqual(
    seen.subscriptions,
    [true],
    "one _subscribe(observer, paused: true)",
  );
  // At most the limit waits, plus what the pull in flight brings.
  ok(
    largest <= limit + fetchSize,
    `${largest} rows waited in one batch (limit ${limit}, fetch size ${fetchSize})`,
  );
  ok(seen.pauses >= 5, `the driver's stream was paused ${seen.pauses} times`);
  ok(seen.resumes >= seen.pauses, `${seen.resumes} resumes`);
});

Deno.test("setFirstPull() sets how many records the next query of a transaction asks for with the query", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await using session = driver.session({ database, fetchSize: 100 });
  // The transaction as session.beginTransaction() returns it: what it resolves to is a copy
  // whose methods are bound to this object, which is where the driver reads the fetch size.
  const begun = session.beginTransaction();
  const tx = await begun;
  try {
    const arrived = async (): Promise<number> => {
      const result = tx.run("UNWIND range(1, 1000) AS i RETURN i");
      let rows = 0;
      const completed = Promise.withResolvers<void>();
      const stream = await subscribePaused(result, {
        onNext: () => rows++,
        onCompleted: () => completed.resolve(),
        onError: (error: unknown) => completed.reject(error),
      });
      // Subscribed paused: only the pull that went out with the query arrives.
      await delay(300);
      const first = rows;
      stream.resume!();
      await completed.promise;
      equal(rows, 1000);
      return first;
    };
    equal(await arrived(), 100, "the session's fetch size first");
    equal(setFirstPull(begun, 1), true, "the transaction has no _fetchSize");
    equal(await arrived(), 1, "one record first after setFirstPull(begun, 1)");
  } finally {
    await tx.close();
  }
});
