/**
 * Property keys, labels, types and schema names are data: any string, `constructor`,
 * `toString` and `__proto__` included. Objects keyed by them are read and written here, so that
 * an inherited member of `Object.prototype` is never taken for a key (`object[key]` finds
 * `Object.prototype.constructor` on an object without `constructor`; `key in object` is true for
 * it) and `__proto__` is never taken for the prototype (`object["__proto__"] = value` sets the
 * prototype in JavaScript runtimes that follow the standard, and the key is lost).
 *
 * @module
 */

/**
 * The value of `object`'s own property `key`, or undefined when it has none (whatever its
 * prototype holds).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { ownValue } from "./_own.ts";
 *
 * equal(ownValue({}, "constructor"), undefined); // not Object
 * equal(ownValue(JSON.parse('{"constructor": 1}'), "constructor"), 1);
 * ```
 */
export function ownValue<T>(
  object: { readonly [key: string]: T },
  key: string,
): T | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

const DESCRIPTOR = { writable: true, enumerable: true, configurable: true };

/**
 * Sets `object`'s own, enumerable property `key` to `value`, as a JSON parser or an object
 * literal would: also for `__proto__` (an accessor of `Object.prototype`, which an assignment
 * calls) and the other names of `Object.prototype` (which an assignment cannot create where the
 * prototype is frozen). Other keys take a plain assignment, which is many times faster than
 * `Object.defineProperty`.
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { setOwn } from "./_own.ts";
 *
 * const properties: Record<string, unknown> = {};
 * setOwn(properties, "__proto__", [1]); // an own property; the prototype stays Object.prototype
 * deepEqual(Object.keys(properties), ["__proto__"]);
 * equal(Object.getPrototypeOf(properties), Object.prototype);
 * ```
 */
export function setOwn<T>(
  object: { [key: string]: T },
  key: string,
  value: T,
): void {
  if (Object.hasOwn(Object.prototype, key)) {
    Object.defineProperty(object, key, { ...DESCRIPTOR, value });
  } else {
    object[key] = value;
  }
}
