import { jsonToValue } from "../codec/json_to_value.ts";
import { ownValue, setOwn } from "../codec/_own.ts";
import { stringifyJson } from "../codec/stringify_json.ts";
import type {
  JsonObject,
  JsonValue,
  Properties,
  PropertyValue,
} from "../codec/types.ts";
import { valueToJson } from "../codec/value_to_json.ts";
import { isObject } from "./_validate.ts";
import {
  type BackupRecord,
  NODE_FIELDS,
  type NodeRecord,
  RELATIONSHIP_FIELDS,
  type RelationshipRecord,
} from "./record.ts";

/**
 * The JSON object of a record, keys in the Python tool's order. Property keys are data: each
 * becomes an own property, `__proto__` included (see lib/codec/_own.ts).
 */
export function recordToJson(record: BackupRecord): JsonObject {
  const props: JsonObject = {};
  for (const key of Object.keys(record.properties)) {
    setOwn(props, key, valueToJson(record.properties[key]!));
  }
  return record.kind === "node"
    ? { node_id: record.id, node_labels: record.labels, node_props: props }
    : {
      rel_id: record.id,
      start_node_id: record.startId,
      end_node_id: record.endId,
      rel_type: record.type,
      rel_props: props,
    };
}

/**
 * The JSON text of a record: the same text as `stringifyJson(recordToJson(record), { indent })`,
 * written directly for compact output, without building the JSON objects of plain values first.
 */
export function stringifyRecord(record: BackupRecord, indent = 0): string {
  if (indent > 0) return stringifyJson(recordToJson(record), { indent });
  const props = record.properties;
  const keys = Object.keys(props);
  const values = keys.map((key) => props[key]!);
  return record.kind === "node"
    ? nodeText(record.id, record.labels, keys, values)
    : relationshipText(
      record.id,
      record.type,
      record.startId,
      record.endId,
      keys,
      values,
    );
}

/**
 * The compact JSON text of a node (what {@linkcode stringifyRecord} writes), from its fields,
 * its properties as two lists: their keys, and their values in the same order (the extract's
 * hot path: the rows bring them so, and no object is built for them).
 */
export function nodeText(
  id: bigint,
  labels: readonly string[],
  keys: readonly string[],
  values: readonly PropertyValue[],
): string {
  return `{"node_id":${id},"node_labels":${
    JSON.stringify(labels)
  },"node_props":${propertiesText(keys, values)}}`;
}

/** The compact JSON text of a relationship, as {@linkcode nodeText} writes a node's. */
export function relationshipText(
  id: bigint,
  type: string,
  startId: bigint,
  endId: bigint,
  keys: readonly string[],
  values: readonly PropertyValue[],
): string {
  return `{"rel_id":${id},"start_node_id":${startId},"end_node_id":${endId},"rel_type":${
    JSON.stringify(type)
  },"rel_props":${propertiesText(keys, values)}}`;
}

function propertiesText(
  keys: readonly string[],
  values: readonly PropertyValue[],
): string {
  let text = "{";
  for (let i = 0; i < keys.length; i++) {
    text += (i > 0 ? "," : "") + JSON.stringify(keys[i]) + ":" +
      valueText(values[i]!);
  }
  return text + "}";
}

function valueText(value: PropertyValue): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (Number.isFinite(value)) return stringifyJson(value);
  }
  if (Array.isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) {
      text += (i > 0 ? "," : "") + valueText(value[i]!);
    }
    return text + "]";
  }
  return stringifyJson(valueToJson(value));
}

const NODE_KEYS = new Set<string>(NODE_FIELDS);
const RELATIONSHIP_KEYS = new Set<string>(RELATIONSHIP_FIELDS);

/**
 * The record a JSON object holds. Throws SyntaxError naming the field when one is missing,
 * unknown or of the wrong type, and whatever `jsonToValue` throws for a bad property value.
 */
export function jsonToRecord(
  json: JsonValue,
  kind: BackupRecord["kind"],
): BackupRecord {
  if (!isObject(json)) throw new SyntaxError("the record is not a JSON object");
  const keys = kind === "node" ? NODE_KEYS : RELATIONSHIP_KEYS;
  for (const key of Object.keys(json)) {
    if (!keys.has(key)) throw new SyntaxError(`unknown field "${key}"`);
  }
  if (kind === "node") {
    const node: NodeRecord = {
      kind,
      id: integer(json, "node_id"),
      labels: strings(json, "node_labels"),
      properties: properties(json, "node_props"),
    };
    return node;
  }
  const relationship: RelationshipRecord = {
    kind,
    id: integer(json, "rel_id"),
    type: string(json, "rel_type"),
    startId: integer(json, "start_node_id"),
    endId: integer(json, "end_node_id"),
    properties: properties(json, "rel_props"),
  };
  return relationship;
}

function integer(json: JsonObject, key: string): bigint {
  const value = ownValue(json, key);
  if (typeof value !== "bigint") throw invalid(key, "an integer", value);
  return value;
}

function string(json: JsonObject, key: string): string {
  const value = ownValue(json, key);
  if (typeof value !== "string") throw invalid(key, "a string", value);
  return value;
}

function strings(json: JsonObject, key: string): string[] {
  const value = ownValue(json, key);
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw invalid(key, "a list of strings", value);
  }
  return value as string[];
}

function properties(json: JsonObject, key: string): Properties {
  const value = ownValue(json, key);
  if (!isObject(value)) throw invalid(key, "an object", value);
  const result: Properties = {};
  for (const name of Object.keys(value)) {
    try {
      setOwn(result, name, jsonToValue(value[name]!));
    } catch (error) {
      const Kind = error instanceof TypeError
        ? TypeError
        : error instanceof RangeError
        ? RangeError
        : SyntaxError;
      throw new Kind(`property "${name}": ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return result;
}

function invalid(
  key: string,
  expected: string,
  value: JsonValue | undefined,
): SyntaxError {
  return new SyntaxError(
    value === undefined
      ? `field "${key}" is missing`
      : `field "${key}" is not ${expected}`,
  );
}
