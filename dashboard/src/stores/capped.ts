// Bounded arrays for the store's histories: old entries fall off the front. Appending returns a
// new array, so Vue detects the change in every view and prop that held the old one.

/** How many points each chart and sparkline keeps. */
export const HISTORY_POINTS = 100;
/** Finished requests kept for the Requests view. */
export const REQUEST_LIMIT = 500;
/** Resolved alerts kept for the Alerts view. */
export const ALERT_HISTORY_LIMIT = 200;
/** Log lines kept per model for the Logs view. */
export const LOG_LINE_LIMIT = 2_000;

/** Returns `source` followed by `items`, without the oldest entries beyond `limit`. */
export function appendCapped<T>(source: readonly T[], items: readonly T[], limit: number): T[] {
  const start = Math.max(0, source.length + items.length - limit);
  if (start >= source.length) {
    return items.slice(start - source.length);
  }
  return [...source.slice(start), ...items];
}

/** Returns the last `limit` entries as a new array. */
export function lastEntries<T>(source: readonly T[], limit: number): T[] {
  return source.slice(Math.max(0, source.length - limit));
}
