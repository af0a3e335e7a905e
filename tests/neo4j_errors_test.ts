import { equal, match, ok } from "node:assert/strict";
import { Neo4jError } from "neo4j-driver";
import { isLostConnection, toBackupError } from "../lib/_neo4j_errors.ts";
import {
  isDatabaseUnavailable,
  isMemoryLimit,
  isRefusedByServer,
  isRetryable,
} from "../lib/_retry.ts";

/** An error as the driver gives it for a server failure with this status code. */
function serverError(code: string, message: string): Error {
  return new Neo4jError(message, code, "", "");
}

const UNAVAILABLE = serverError(
  "Neo.TransientError.General.DatabaseUnavailable",
  "The database is not currently available to serve your request, refer to the database logs for more details. Retrying your request at a later time may succeed.",
);

const MEMORY = serverError(
  "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
  "The allocation of an extra 2.0 MiB would use more than the limit 32.0 MiB. Currently using 31.0 MiB. dbms.memory.transaction.total.max threshold reached",
);

Deno.test("toBackupError() says in one line that a stopping server made the database unavailable", async (t) => {
  await t.step("with the address and database known", () => {
    const error = toBackupError(UNAVAILABLE, "Cannot extract", {
      address: "127.0.0.1:7687",
      database: "movies",
    });
    equal(error.code, "CONNECTION");
    equal(error.address, "127.0.0.1:7687");
    equal(
      error.message,
      'Cannot extract: the database "movies" at 127.0.0.1:7687 became unavailable: the server is stopping or restarting it',
    );
    equal(error.cause, UNAVAILABLE);
  });
  await t.step("with the default database", () => {
    match(
      toBackupError(UNAVAILABLE, "Cannot import backup", {
        address: "h:1",
      }).message,
      /^Cannot import backup: the database at h:1 became unavailable: /,
    );
  });
});

Deno.test("a database made unavailable by a restart is retried; a transaction over the memory limit (5.x and 4.4) is not", () => {
  ok(isDatabaseUnavailable(UNAVAILABLE));
  ok(isRetryable(UNAVAILABLE));
  ok(isMemoryLimit(MEMORY));
  ok(!isRetryable(MEMORY));
  // Neo4j 4.4 says it as a client error.
  const memory44 = serverError(
    "Neo.ClientError.General.TransactionOutOfMemoryError",
    "The allocation of an extra 5.0 MiB would use more than the limit 32.0 MiB. Currently using 27.0 MiB. dbms.memory.transaction.max_size threshold reached",
  );
  ok(isMemoryLimit(memory44));
  ok(!isRetryable(memory44));
  ok(
    isRetryable(
      serverError("Neo.TransientError.Transaction.DeadlockDetected", "x"),
    ),
  );
});

Deno.test("toBackupError() names the memory limit a transaction ran into", () => {
  const error = toBackupError(MEMORY, "Cannot import backup", {
    address: "h:1",
  });
  equal(error.code, "SERVER");
  match(
    error.message,
    /^Cannot import backup: the server at h:1 refused a transaction for its memory limit \(db\.memory\.transaction\.max or the global pool\): The allocation of an extra 2\.0 MiB/,
  );
});

Deno.test("a connection lost while it logs in is retried and said as a lost connection, whatever the driver's code", async (t) => {
  // The driver gives a channel failure during HELLO or LOGON the code ProtocolError.
  const cases: [string, Error, { retried: boolean; lost: boolean }][] = [
    [
      "closed during login (ProtocolError)",
      serverError("ProtocolError", "Connection was closed by server"),
      { retried: true, lost: true },
    ],
    [
      "closed later (ServiceUnavailable)",
      serverError("ServiceUnavailable", "Connection was closed by server"),
      { retried: true, lost: true },
    ],
    [
      "refused (ServiceUnavailable)",
      serverError(
        "ServiceUnavailable",
        "Failed to connect to server. Please ensure that your database is listening on the correct host and port. Caused by: connect ECONNREFUSED 127.0.0.1:1",
      ),
      { retried: true, lost: false },
    ],
    [
      "a protocol error of the server's",
      serverError(
        "ProtocolError",
        "Unknown Bolt protocol version: 5.9, server supports: 4.4",
      ),
      { retried: false, lost: false },
    ],
  ];
  for (const [name, error, want] of cases) {
    await t.step(name, () => {
      equal(isRetryable(error), want.retried, "retried");
      equal(isLostConnection(error), want.lost, "lost");
      const failure = toBackupError(error, "Cannot extract", {
        address: "h:1",
      });
      equal(
        failure.connection,
        want.lost ? "lost" : want.retried ? "unreachable" : undefined,
      );
    });
  }
});

Deno.test("a commit the server refused is known not to have happened; a lost connection or a database error leaves it unknown", async (t) => {
  const cases: [string, Error, boolean][] = [
    ["a memory limit (5.x)", MEMORY, true],
    [
      "a memory limit (4.4)",
      serverError("Neo.ClientError.General.TransactionOutOfMemoryError", "x"),
      true,
    ],
    [
      "a lock timeout",
      serverError("Neo.TransientError.Transaction.LockAcquisitionTimeout", "x"),
      true,
    ],
    [
      "a deadlock",
      serverError("Neo.TransientError.Transaction.DeadlockDetected", "x"),
      true,
    ],
    [
      "a database error",
      serverError("Neo.DatabaseError.Transaction.TransactionCommitFailed", "x"),
      false,
    ],
    [
      "a lost connection",
      new Neo4jError(
        "Connection was closed by server",
        "ServiceUnavailable",
        "",
        "",
      ),
      false,
    ],
    [
      "an expired session",
      new Neo4jError("x", "SessionExpired", "", ""),
      false,
    ],
    ["an error without a code", new Error("socket hang up"), false],
  ];
  for (const [what, error, refused] of cases) {
    await t.step(what, () => equal(isRefusedByServer(error), refused));
  }
});
