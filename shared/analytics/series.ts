/**
 * The series' query: the window's buckets (window 0) and the comparison window's (window 1),
 * through the shared bucketTotals.
 */
import type { Tx } from '../db.ts'
import {
  type BucketPlan,
  type BucketTotals,
  bucketTotals,
  dateSpans,
  type DateWindow,
  type Filter,
  type Granularity,
  inTimezone,
  type ReportScope,
  type SeriesSpec,
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
