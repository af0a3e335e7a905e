import { deepEqual, throws } from "node:assert/strict";
import fc from "fast-check";
import { parseJson } from "../lib/codec/parse_json.ts";

/** The reference: the runtime's JSON.parse, reading each number's source text. */
function reference(text: string): unknown {
  return (JSON.parse as (
    t: string,
    r: (k: string, v: unknown, c: { source?: string }) => unknown,
  ) => unknown)(
    text,
    (_k, v, c) =>
      typeof v === "number" && Number.isInteger(v) && !/[.eE]/.test(c.source!)
        ? BigInt(c.source!)
        : v,
  );
}

/** Same outcome: equal values (Object.is for numbers), or both throw a SyntaxError. */
function agree(text: string): void {
  let expected: unknown;
  try {
    expected = reference(text);
  } catch (error) {
    throws(
      () => parseJson(text),
      SyntaxError,
      `should reject ${JSON.stringify(text)}`,
    );
    return (void error);
  }
  const actual = parseJson(text);
  deepEqual(actual, expected, JSON.stringify(text));
  // deepEqual treats 0 and -0 alike; floats must keep their sign.
  const zeros = (v: unknown): string =>
    JSON.stringify(
      v,
      (
        _k,
        x,
      ) => (Object.is(x, -0) ? "-0" : typeof x === "bigint" ? `${x}n` : x),
    );
  deepEqual(zeros(actual), zeros(expected));
}

Deno.test("parseJson() agrees with the runtime on edge cases", async (t) => {
  const cases = [
    "0",
    "-0",
    "-0.0",
    "1",
    "1.0",
    "1e2",
    "1E+2",
    "1e-2",
    "-1.5e300",
    "123456789012345",
    "1234567890123456",
    "-9223372036854775808",
    "18446744073709551616",
    "0.1",
    "5e-324",
    '""',
    '"a\\"b"',
    '"\\u00e9\\ud83d\\ude00"',
    '"\\\\"',
    '"tab\\tnew\\nline"',
    "[]",
    "{}",
    '{"a":1,"a":2}',
    '{"__proto__":1}',
    '{"__proto__":{"x":1}}',
    " [ 1 , 2 ] ",
    '\n{"a" : [ ]}\t',
    "true",
    "false",
    "null",
    '{"nested":[[[[{"deep":[1.5,2]}]]]]}',
    // Invalid JSON: the runtime's SyntaxError.
    "",
    " ",
    "01",
    "-",
    "1.",
    ".5",
    "1e",
    "+1",
    "0x10",
    "NaN",
    "Infinity",
    "[1,]",
    "{,}",
    '{"a":1,}',
    "[1 2]",
    '{"a" 1}',
    "{a:1}",
    "'a'",
    '"unterminated',
    '"\\x"',
    '"\\u12"',
    '"ctrl\u0001char"',
    "tru",
    "nul",
    "[",
    "]",
    "{",
    '{"a":1}x',
    "[1]]",
    "1 2",
  ];
  for (const text of cases) {
    await t.step(JSON.stringify(text), () => agree(text));
  }
  const deep = "[".repeat(200) + "]".repeat(200);
  await t.step("200 levels of nesting", () => agree(deep));
});

Deno.test("parseJson() agrees with the runtime on random JSON", () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  fc.assert(
    fc.property(json, fc.integer({ min: 0, max: 4 }), (value, indent) => {
      agree(JSON.stringify(value, null, indent));
    }),
    { numRuns: 3000 },
  );
  // Integers and floats as this format writes them, including integral floats.
  const number = fc.oneof(
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) =>
      Object.is(x, -0)
        ? "-0.0"
        : /^-?\d+$/.test(String(x))
        ? `${x}.0`
        : String(x)
    ),
  );
  fc.assert(
    fc.property(fc.array(number, { maxLength: 20 }), (numbers) => {
      agree(`[${numbers.join(",")}]`);
      agree(`{"v":[${numbers.join(", ")}]}`);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("parseJson() agrees with the runtime on mangled and arbitrary text", () => {
  fc.assert(
    fc.property(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.nat(),
      fc.string({ minLength: 1, maxLength: 3 }),
      (text, at, insert) => {
        const i = at % (text.length + 1);
        agree(text.slice(0, i) + insert + text.slice(i));
        agree(text.slice(0, i) + text.slice(i + 1));
      },
    ),
    { numRuns: 3000 },
  );
  fc.assert(fc.property(fc.string({ maxLength: 30 }), (text) => agree(text)), {
    numRuns: 2000,
  });
});

Deno.test("stringifyJson() writes compact text exactly as the runtime's JSON.stringify does", async () => {
  const { stringifyJson } = await import("../lib/codec/stringify_json.ts");
  // The reference: JSON.stringify with raw JSON for every number.
  const { rawJSON } = JSON as unknown as { rawJSON(text: string): unknown };
  const float = (x: number): string =>
    Object.is(x, -0)
      ? "-0.0"
      : Number.isInteger(x) && Math.abs(x) < 1e21
      ? `${x}.0`
      : String(x);
  const reference = (v: unknown): string =>
    JSON.stringify(
      v,
      (_k, x) =>
        typeof x === "bigint"
          ? rawJSON(String(x))
          : typeof x === "number"
          ? rawJSON(float(x))
          : x,
    );
  const value = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.string(),
      fc.string({ unit: "binary" }),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
    ),
  })).value;
  fc.assert(
    fc.property(value, (v) => {
      const text = stringifyJson(v as never);
      deepEqual(text, reference(v));
      agree(text);
    }),
    { numRuns: 3000 },
  );
});
