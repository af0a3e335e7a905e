import { equal, ok } from "node:assert/strict";
import { Neo4jError } from "neo4j-driver";
import { isRetryable } from "../lib/_retry.ts";
import { BackupError } from "../lib/errors.ts";
import { postError, receiveError } from "../lib/extract/_worker_error.ts";

/** What the calling thread gets of an error a worker posted. */
function acrossWorker(error: unknown): Error {
  return receiveError(structuredClone(postError(error)));
}

Deno.test("receiveError() keeps what the retries and the messages decide by", async (t) => {
  await t.step("a driver error keeps its code, and stays retryable", () => {
    const lost = new Neo4jError(
      "Connection was closed by server",
      "ServiceUnavailable",
      "",
      "",
    );
    const received = acrossWorker(lost);
    equal(received.message, "Connection was closed by server");
    equal((received as Error & { code: string }).code, "ServiceUnavailable");
    ok(isRetryable(received));
  });
  await t.step("a BackupError keeps its class and fields", () => {
    const error = new BackupError("Cannot extract: cannot write x: disk full", {
      code: "IO",
      file: "data/nodes_1_1.json.gz",
      record: 3,
    });
    const received = acrossWorker(error);
    ok(received instanceof BackupError);
    equal(received.code, "IO");
    equal(received.file, "data/nodes_1_1.json.gz");
    equal(received.record, 3);
    equal(received.message, error.message);
  });
  await t.step("a cancellation stays an AbortError", () => {
    const received = acrossWorker(new DOMException("stopped", "AbortError"));
    ok(received instanceof DOMException);
    equal(received.name, "AbortError");
  });
  await t.step("a RangeError stays one, with its cause", () => {
    const received = acrossWorker(
      new RangeError("too big", { cause: new Error("inner") }),
    );
    ok(received instanceof RangeError);
    equal((received.cause as Error).message, "inner");
  });
  await t.step("a thrown string becomes an Error that says it", () => {
    equal(acrossWorker("boom").message, "boom");
  });
});
