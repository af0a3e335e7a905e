import type { Driver } from "./_driver.ts";

/**
 * Fails when the driver turns integers into JS numbers (`disableLosslessIntegers`), which would
 * make Integer and Float indistinguishable. Drivers with the default config (Integer objects) or
 * `useBigInt` are fine.
 */
export async function assertLosslessIntegers(
  driver: Driver,
  database: string | undefined,
): Promise<void> {
  const { records: [record] } = await driver.executeQuery(
    "RETURN 1 AS one",
    {},
    { database, routing: "READ" },
  );
  if (typeof record?.get("one") === "number") {
    throw new TypeError(
      "The driver was created with disableLosslessIntegers: a backup could not tell integers from floats; create it with useBigInt: true",
    );
  }
}
