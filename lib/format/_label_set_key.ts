/** The canonical key of a set of labels: the labels sorted by code point, as a JSON list. */
export function labelSetKey(labels: readonly string[]): string {
  return JSON.stringify(
    labels.length > 1
      ? [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      : labels,
  );
}
