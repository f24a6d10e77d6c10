/**
 * The dashboard requests the benchmark times, each twice: through the HTTP gateway, and as
 * the same SQL run directly as the same user. Where the dashboard exports its query
 * functions (tiles, series, retention) they are imported, so the SQL cannot drift; the
 * breakdown and feed queries live inside their handlers and are copied here, with the
 * file they come from named.
 */
import type { Tx } from '../../shared/db.ts'
import { activeOrg } from '../../shared/tenant.ts'
import { dateSpans } from '../../supabase/functions/dashboard/buckets.ts'
import { parseField } from '../../supabase/functions/dashboard/filters.ts'
import { parseSeries, type SeriesSpec } from '../../supabase/functions/dashboard/measures.ts'
import {
  addDays,
  compareWindow,
  type RangeQuery,
  todayIn,
} from '../../supabase/functions/dashboard/range.ts'
import {
  retentionCells,
  startOfIsoWeek,
} from '../../supabase/functions/dashboard/retention-cohorts.ts'
import { breakdownRows } from '../../supabase/functions/dashboard/breakdown.ts'
import { feedPage } from '../../supabase/functions/dashboard/feed.ts'
import { reportScope } from '../../supabase/functions/dashboard/scope.ts'
import { bucketTotals } from '../../supabase/functions/dashboard/totals.ts'

/** One request: its gateway path, its SQL, and the p95 it should meet (if any). */
export type DashboardCase = {
  name: string
  path: string
  sql: (tx: Tx) => Promise<unknown>
  p95Target?: number
}

function specs(list: string): SeriesSpec[] {
  return list.split(',').map((id) => parseSeries(id) as SeriesSpec)
}

// tiles.ts: the sparkline's days, then the whole comparison window as one span.
async function tiles(tx: Tx, list: string, q: RangeQuery) {
  const { org, tz, window } = await reportScope(tx, q)
  const comparison = compareWindow(window, 'previous_period')
  const spans = dateSpans(window, 'day', 0)
  if (comparison) spans.push({ w: 1, from: comparison.from, to: comparison.to })
  return bucketTotals(tx, specs(list), { org, tz, filters: [], plan: { kind: 'dates', spans } })
}

// series.ts with granularity=day and compare=none (its default).
async function series(tx: Tx, list: string, q: RangeQuery) {
  const { org, tz, window } = await reportScope(tx, q)
  const plan = { kind: 'dates' as const, spans: dateSpans(window, 'day', 0) }
  return bucketTotals(tx, specs(list), { org, tz, filters: [], plan })
}

// breakdown.ts's own query, sorted by value, first page of 10, no filters.
function metricBreakdown(tx: Tx, metric: string, by: string, q: RangeQuery) {
  return groups(tx, `metric:${metric}`, by, q)
}

function propertyBreakdown(tx: Tx, event: string, by: string, q: RangeQuery) {
  return groups(tx, `event:${event}`, by, q)
}

async function groups(tx: Tx, series: string, by: string, q: RangeQuery) {
  const scope = await reportScope(tx, q)
  const spec = parseSeries(series)
  if (!spec) throw new Error(`not a series: ${series}`)
  return breakdownRows(tx, spec, parseField(by), scope, {
    sort: 'value_desc',
    offset: 0,
    limit: 10,
  })
}

// retention.ts without a range: the last `count` ISO weeks up to today, 12 periods.
async function retention(tx: Tx, count: number) {
  const org = await activeOrg(tx)
  const last = startOfIsoWeek(todayIn(org.timezone))
  const first = addDays(last, -7 * (count - 1))
  return retentionCells(tx, org.id, { first, count, length: 7, periods: 12 })
}

// The feed's own query: its first page (limit + 1 rows to know whether there is more).
async function feed(tx: Tx, limit: number) {
  const org = await activeOrg(tx)
  return feedPage(tx, org.id, { limit }, null)
}

/** The requests, in the order they are measured and printed. */
export const DASHBOARD_CASES: DashboardCase[] = [
  {
    name: 'tiles 28d + previous period',
    path: '/dashboard/tiles?series=metric:sessions,event:signup&range=28d&compare=previous_period',
    sql: (tx) => tiles(tx, 'metric:sessions,event:signup', { range: '28d' }),
    p95Target: 50,
  },
  {
    name: 'series 90d by day',
    path: '/dashboard/series?series=metric:sessions,event:signup&granularity=day&range=90d',
    sql: (tx) => series(tx, 'metric:sessions,event:signup', { range: '90d' }),
    p95Target: 50,
  },
  {
    name: 'breakdown sessions by dimension 28d',
    path: '/dashboard/breakdown?series=metric:sessions&by=dimension&range=28d',
    sql: (tx) => metricBreakdown(tx, 'sessions', 'dimension', { range: '28d' }),
  },
  {
    name: 'breakdown page_view by property.plan 7d',
    path: '/dashboard/breakdown?series=event:page_view&by=property.plan&range=7d',
    sql: (tx) => propertyBreakdown(tx, 'page_view', 'property.plan', { range: '7d' }),
  },
  {
    name: 'retention 8 weekly cohorts',
    path: '/dashboard/retention?cohort=week&cohorts=8',
    sql: (tx) => retention(tx, 8),
  },
  {
    name: 'activity feed, first page of 50',
    path: '/dashboard/events?limit=50',
    sql: (tx) => feed(tx, 50),
  },
]
