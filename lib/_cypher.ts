/**
 * `name` as a Cypher identifier: in backticks, backticks doubled. Every label, relationship type,
 * property key and schema name goes into Cypher through this; values always go as parameters.
 *
 * Cypher decodes `\uXXXX` escapes even inside backticks (on 4.4, 5.x and 2025.x), so a name that
 * holds a backslash followed by `u` would be read as another name, and `\u0060` would close the
 * quotes. In such a name every backslash is written as the escape `\u005C` itself, which Cypher
 * decodes to a plain backslash that starts no further escape.
 */
export function escapeName(name: string): string {
  const quoted = name.replaceAll("`", "``");
  return "`" +
    (quoted.includes("\\u") ? quoted.replaceAll("\\", "\\u005C") : quoted) +
    "`";
}

/** `:A:B` for a set of labels (empty for none). */
export function labelExpression(labels: readonly string[]): string {
  let text = "";
  for (const label of labels) text += ":" + escapeName(label);
  return text;
}
