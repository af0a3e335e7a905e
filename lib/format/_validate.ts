import { ownValue } from "../codec/_own.ts";
import type { JsonObject, JsonValue } from "../codec/types.ts";

/**
 * Reads typed fields out of parsed JSON, throwing SyntaxError naming the field when one is wrong.
 * Only own fields count: an inherited member (`constructor`, `toString`) is no field.
 */
export class JsonReader {
  readonly #object: JsonObject;
  readonly #where: string;

  constructor(value: JsonValue | undefined, where: string) {
    if (!isObject(value)) {
      throw new SyntaxError(`${where} is not a JSON object`);
    }
    this.#object = value;
    this.#where = where;
  }

  /** The raw value of a field, which must be present. */
  raw(key: string): JsonValue {
    const value = ownValue(this.#object, key);
    if (value === undefined) throw this.#error(key, "is missing");
    return value;
  }

  /** Whether a field is present (and not null). */
  has(key: string): boolean {
    const value = ownValue(this.#object, key);
    return value !== undefined && value !== null;
  }

  /** A nested object, as a reader. */
  object(key: string): JsonReader {
    return new JsonReader(this.raw(key), `${this.#where}.${key}`);
  }

  /** A nested object, raw. */
  rawObject(key: string): JsonObject {
    const value = this.raw(key);
    if (!isObject(value)) throw this.#error(key, "is not an object");
    return value;
  }

  string(key: string): string {
    const value = this.raw(key);
    if (typeof value !== "string") throw this.#error(key, "is not a string");
    return value;
  }

  optionalString(key: string): string | null {
    const value = ownValue(this.#object, key);
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") throw this.#error(key, "is not a string");
    return value;
  }

  boolean(key: string): boolean {
    const value = this.raw(key);
    if (typeof value !== "boolean") throw this.#error(key, "is not a boolean");
    return value;
  }

  /** A non-negative integer that fits a JS number exactly. */
  count(key: string): number {
    const value = this.raw(key);
    if (typeof value !== "bigint" || value < 0n || value > 2n ** 53n) {
      throw this.#error(key, "is not a non-negative integer");
    }
    return Number(value);
  }

  optionalCount(key: string): number | null {
    const value = ownValue(this.#object, key);
    if (value === undefined || value === null) return null;
    return this.count(key);
  }

  strings(key: string): string[] {
    const value = this.raw(key);
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw this.#error(key, "is not a list of strings");
    }
    return value as string[];
  }

  optionalStrings(key: string): string[] | null {
    const value = ownValue(this.#object, key);
    if (value === undefined || value === null) return null;
    return this.strings(key);
  }

  /** A list of objects, each as a reader. */
  objects(key: string): JsonReader[] {
    const value = this.raw(key);
    if (!Array.isArray(value)) throw this.#error(key, "is not a list");
    return value.map((item, i) =>
      new JsonReader(item, `${this.#where}.${key}[${i}]`)
    );
  }

  #error(key: string, problem: string): SyntaxError {
    return new SyntaxError(`${this.#where}.${key} ${problem}`);
  }
}

/** Whether a JSON value is an object (not null, not a list). */
export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
