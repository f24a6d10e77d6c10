/**
 * The tiles' query: the window's days (for the sparkline) and the whole comparison window
 * as one bucket, through the shared bucketTotals.
 */
import type { Tx } from '../db.ts'
import {
  type BucketTotals,
  bucketTotals,
  compareWindow,
  type Comparison,
  dateSpans,
  type DateWindow,
  type Filter,
  inTimezone,
  percentChange,
  type RangeQuery,
  type ReportScope,
  reportScope,
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

/** What a tiles report asks for: the range, the series, the comparison window. */
export type TilesReportQuery = RangeQuery & {
  series: SeriesSpec[]
  compare: Comparison
  filters?: Filter[]
}

/**
 * The tiles report as GET /dashboard/tiles answers it (and the assistant's period
 * comparison): per series the window's total, the comparison's, the change in units and
 * percent, and a daily sparkline.
 */
export async function tilesReport(tx: Tx, q: TilesReportQuery) {
  const scope = await reportScope(tx, q)
  const { tz, window } = scope
  const comparison = compareWindow(window, q.compare)
  const rows = await tileTotals(tx, { series: q.series, scope, comparison, filters: q.filters })
  const days = rows.filter((r) => r.window_index === 0)
  const baseline = rows.find((r) => r.window_index === 1)
  return {
    timezone: tz,
    window,
    compare: q.compare,
    comparison,
    tiles: q.series.map((spec, n) => {
      const value = days[0]?.totals[n] ?? 0
      const before = baseline ? baseline.values[n] : null
      return {
        series: spec.id,
        value,
        comparison_value: before,
        change: before === null ? null : value - before,
        percent_change: percentChange(value, before),
        sparkline: days.map((d) => ({ date: d.first_day as string, value: d.values[n] })),
      }
    }),
  }
}
