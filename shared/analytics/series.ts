/**
 * The series' query and report: the window's buckets (window 0) and the comparison window's (window 1),
 * through the shared bucketTotals.
 */
import type { Tx } from '../db.ts'
import { badRequest } from '../http/errors.ts'
import {
  bucketLabel,
  type BucketPlan,
  type BucketTotals,
  bucketTotals,
  compareWindow,
  type Comparison,
  dateSpans,
  type DateWindow,
  type Filter,
  type Granularity,
  inTimezone,
  MAX_DAYS_BY_GRANULARITY,
  type RangeQuery,
  type ReportScope,
  reportScope,
  type SeriesSpec,
  type WindowIndex,
} from './mod.ts'

/** What seriesTotals sums: the series, the scope, the comparison window and bucket size. */
export type SeriesTotalsOptions = {
  series: SeriesSpec[]
  scope: ReportScope
  comparison: DateWindow | null
  granularity: Granularity
  filters?: Filter[]
}

/**
 * Every bucket of the window, then every bucket of the comparison window, zero-filled.
 *
 * @example
 * const rows = await seriesTotals(tx, { series, scope, comparison: null, granularity: 'day' })
 */
export function seriesTotals(
  tx: Tx,
  { series, scope, comparison, granularity, filters = [] }: SeriesTotalsOptions,
): Promise<BucketTotals[]> {
  const { org, tz, window } = scope
  const plan: BucketPlan = granularity === 'hour'
    ? { kind: 'hours', windows: comparison ? [window, comparison] : [window] }
    : {
      kind: 'dates',
      spans: [
        ...dateSpans(window, granularity),
        ...(comparison ? dateSpans(comparison, granularity, { windowIndex: 1 }) : []),
      ],
    }
  return inTimezone(
    tz,
    () => bucketTotals(tx, series, { org, tz, orgTimezone: scope.orgTimezone, filters, plan }),
  )
}

/** What a series report asks for: the range, the series, the bucket size, a comparison. */
export type SeriesReportQuery = RangeQuery & {
  series: SeriesSpec[]
  granularity: Granularity
  compare: Comparison
  filters?: Filter[]
}

function bucketsOf(rows: BucketTotals[], windowIndex: WindowIndex, granularity: Granularity) {
  return rows.filter((r) => r.window_index === windowIndex).map((r) => ({
    label: bucketLabel(granularity, r),
    start: r.starts_at.toISOString(),
    end: r.ends_at.toISOString(),
  }))
}

/**
 * The series report as GET /dashboard/series answers it (and the assistant's series tool):
 * every bucket of the window, each series' values and total, and the comparison's. A
 * range too long for the bucket size is a 400 naming `query.granularity`.
 *
 * @example
 * const report = await asUser(claims, (tx) => seriesReport(tx, { series, granularity: 'day', compare: 'none' }))
 */
export async function seriesReport(tx: Tx, q: SeriesReportQuery) {
  const scope = await reportScope(tx, q)
  const { tz, window } = scope
  const maxDays = MAX_DAYS_BY_GRANULARITY[q.granularity]
  if (window.days > maxDays) {
    const message = `${q.granularity} buckets cover at most ${maxDays} days, ` +
      `the range has ${window.days}`
    throw badRequest(`query.granularity: ${message}`, [{ path: 'query.granularity', message }])
  }
  const comparison = compareWindow(window, q.compare)
  const rows = await seriesTotals(tx, {
    series: q.series,
    scope,
    comparison,
    granularity: q.granularity,
    filters: q.filters,
  })
  const current = rows.filter((r) => r.window_index === 0)
  const before = rows.filter((r) => r.window_index === 1)
  return {
    timezone: tz,
    granularity: q.granularity,
    window,
    compare: q.compare,
    comparison,
    buckets: bucketsOf(rows, 0, q.granularity),
    comparison_buckets: comparison ? bucketsOf(rows, 1, q.granularity) : null,
    series: q.series.map((spec, n) => ({
      series: spec.id,
      total: current[0]?.totals[n] ?? 0,
      values: current.map((r) => r.values[n]),
      comparison_total: comparison ? before[0]?.totals[n] ?? 0 : null,
      comparison_values: comparison ? before.map((r) => r.values[n]) : null,
    })),
  }
}
