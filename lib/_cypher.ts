/**
 * `name` as a Cypher identifier: in backticks, backticks doubled. Every label, relationship type,
 * property key and schema name goes into Cypher through this; values always go as parameters.
 */
export function escapeName(name: string): string {
  return "`" + name.replaceAll("`", "``") + "`";
}

/** `:A:B` for a set of labels (empty for none). */
export function labelExpression(labels: readonly string[]): string {
  let text = "";
  for (const label of labels) text += ":" + escapeName(label);
  return text;
}
