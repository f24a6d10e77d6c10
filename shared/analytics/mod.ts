/**
 * The report machinery the dashboard's endpoint groups share, one concern per file:
 *
 * - range.ts: the range query parameters (presets, from/to, timezone), windows of calendar
 *   days, the comparison window.
 * - scope.ts: what a report resolves first in its transaction (organization, timezone,
 *   window), percent change, Postgres timezone errors as 400.
 * - org-days.ts: the range schema of reports kept in the organization's days (active users,
 *   retention), whole-number parameters, shares.
 * - measures.ts: the `series` parameter (`metric:<name>`, `event:<name>`, `events`).
 * - filters.ts: the `filters` parameter and its SQL.
 * - buckets.ts: hour, day, week and month buckets of a window, their SQL and labels.
 * - totals.ts: `bucketTotals`, the one query behind tiles and series.
 * - ratios.ts: ratio and weighted-mean metrics, re-aggregated from their parts, never summed.
 * - property-sets.ts: when event counts by property can come from the day rollup
 *   `event_property_sets`, and the raw events of days past its bound.
 *
 * Endpoint groups import from here; the files import each other directly.
 */
export * from './buckets.ts'
export * from './filters.ts'
export * from './measures.ts'
export * from './org-days.ts'
export * from './range.ts'
export * from './ratios.ts'
export * from './scope.ts'
export * from './totals.ts'
