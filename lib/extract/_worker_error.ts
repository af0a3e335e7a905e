/**
 * Errors across a worker's boundary. Structured cloning keeps an error's name and message but
 * drops the properties this library decides by (the driver's `code`, a BackupError's fields):
 * a lost connection in a worker would no longer be retried. These keep them.
 *
 * @module
 */
import { BackupError, type BackupErrorOptions } from "../errors.ts";

/** An error as a worker posts it. */
export interface PostedError {
  name: string;
  message: string;
  stack: string | undefined;
  /** Own properties that are strings, numbers or booleans (`code`, `file`, `record`, ...). */
  fields: Record<string, string | number | boolean>;
  cause: PostedError | undefined;
}

/** `error` as a message (its cause chain up to a few levels deep). */
export function postError(error: unknown, depth = 0): PostedError {
  if (!(error instanceof Error || error instanceof DOMException)) {
    return {
      name: "Error",
      message: String(error),
      stack: undefined,
      fields: {},
      cause: undefined,
    };
  }
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (
      typeof value === "string" || typeof value === "number" ||
      typeof value === "boolean"
    ) fields[key] = value;
  }
  const cause = (error as Error).cause;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
    cause: cause !== undefined && depth < 3
      ? postError(cause, depth + 1)
      : undefined,
  };
}

/** The error a worker posted, as the calling thread would have seen it thrown. */
export function receiveError(posted: PostedError): Error {
  const cause = posted.cause ? receiveError(posted.cause) : undefined;
  const options = cause ? { cause } : {};
  let error: Error;
  switch (posted.name) {
    case "BackupError":
      error = new BackupError(posted.message, {
        ...posted.fields as unknown as BackupErrorOptions,
        ...options,
      });
      break;
    case "AbortError":
    case "TimeoutError":
      return new DOMException(posted.message, posted.name);
    case "TypeError":
      error = new TypeError(posted.message, options);
      break;
    case "RangeError":
      error = new RangeError(posted.message, options);
      break;
    case "SyntaxError":
      error = new SyntaxError(posted.message, options);
      break;
    default:
      error = new Error(posted.message, options);
      error.name = posted.name;
  }
  for (const [key, value] of Object.entries(posted.fields)) {
    if (!(key in error)) {
      Object.defineProperty(error, key, {
        value,
        enumerable: true,
        writable: true,
      });
    }
  }
  if (posted.stack) error.stack = posted.stack;
  return error;
}
