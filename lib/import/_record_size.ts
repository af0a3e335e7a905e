import type { PropertyValue } from "../codec/types.ts";
import type { BackupRecord } from "../format/record.ts";

/** What a record costs besides its properties (ids, labels, the row's map). */
const RECORD_OVERHEAD = 64;

/**
 * About how many bytes a record's values take, to bound a transaction by bytes as well as by
 * records: strings by their length, numbers 8 bytes, byte arrays and vectors by their length,
 * temporal and spatial values 32. Lists of Neo4j properties hold one type, so a list of numbers
 * is its length times 8 without visiting every element.
 */
export function recordSize(record: BackupRecord): number {
  let size = RECORD_OVERHEAD;
  if (record.kind === "node") {
    for (const label of record.labels) size += label.length;
  } else size += record.type.length;
  for (const key in record.properties) {
    size += key.length + valueSize(record.properties[key]!);
  }
  return size;
}

function valueSize(value: PropertyValue): number {
  switch (typeof value) {
    case "string":
      return value.length + 8;
    case "number":
    case "bigint":
      return 8;
    case "boolean":
      return 1;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return 8;
    const first = value[0];
    if (typeof first === "string") {
      let size = 8;
      for (const item of value as string[]) size += item.length + 8;
      return size;
    }
    return 8 + value.length * valueSize(first as PropertyValue);
  }
  if (ArrayBuffer.isView(value)) return value.byteLength + 8;
  const vector = value as { asTypedArray?: () => ArrayBufferView };
  if (typeof vector.asTypedArray === "function") {
    return vector.asTypedArray().byteLength + 8;
  }
  return 32;
}
