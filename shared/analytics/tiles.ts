/**
 * The tiles' query: the window's days (for the sparkline) and the whole comparison window
 * as one bucket, through the shared bucketTotals.
 */
import type { Tx } from '../db.ts'
import {
  type BucketTotals,
  bucketTotals,
  dateSpans,
  type DateWindow,
  type Filter,
  inTimezone,
  type ReportScope,
  type SeriesSpec,
} from './mod.ts'

/** What tileTotals sums: the series, the report's scope and the comparison window. */
export type TileTotalsOptions = {
  series: SeriesSpec[]
  scope: ReportScope
  comparison: DateWindow | null
  filters?: Filter[]
}

/**
 * One row per day of the window (window 0), then one row for the whole comparison window
 * (window 1) when there is one.
 *
 * @example
 * const rows = await tileTotals(tx, { series, scope, comparison })
 * rows[0].totals[0] // the first series' sum over the window
 */
export function tileTotals(
  tx: Tx,
  { series, scope, comparison, filters = [] }: TileTotalsOptions,
): Promise<BucketTotals[]> {
  const spans = dateSpans(scope.window, 'day')
  if (comparison) spans.push({ windowIndex: 1, from: comparison.from, to: comparison.to })
  const plan = { kind: 'dates' as const, spans }
  const { org, tz } = scope
  return inTimezone(
    tz,
    () => bucketTotals(tx, series, { org, tz, orgTimezone: scope.orgTimezone, filters, plan }),
  )
}
