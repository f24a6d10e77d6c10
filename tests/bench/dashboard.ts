/**
 * The dashboard requests the benchmark times, each twice: through the HTTP gateway, and as
 * the same SQL run directly as the same user, through the dashboard's own query functions
 * (each endpoint group's queries.ts), so the SQL cannot drift.
 */
import type { Tx } from '../../shared/db.ts'
import { activeOrg } from '../../shared/tenant.ts'
import { breakdownRows } from '../../shared/analytics/breakdown.ts'
import { feedPage } from '../../shared/analytics/feed.ts'
import {
  addDays,
  compareWindow,
  parseField,
  parseSeries,
  type RangeQuery,
  reportScope,
  type SeriesSpec,
  todayIn,
} from '../../shared/analytics/mod.ts'
import { startOfIsoWeek } from '../../shared/analytics/cohorts.ts'
import { retentionCells } from '../../shared/analytics/retention.ts'
import { seriesTotals } from '../../shared/analytics/series.ts'
import { tileTotals } from '../../shared/analytics/tiles.ts'

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

// tiles with compare=previous_period (its default).
async function tiles(tx: Tx, list: string, q: RangeQuery) {
  const scope = await reportScope(tx, q)
  const comparison = compareWindow(scope.window, 'previous_period')
  return tileTotals(tx, { series: specs(list), scope, comparison })
}

// series with granularity=day and compare=none (its defaults).
async function series(tx: Tx, list: string, q: RangeQuery) {
  const scope = await reportScope(tx, q)
  return seriesTotals(tx, { series: specs(list), scope, comparison: null, granularity: 'day' })
}

// The breakdown sorted by value, first page of 10, no filters.
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
  return breakdownRows(tx, {
    spec,
    by: parseField(by),
    scope,
    sort: 'value_desc',
    offset: 0,
    limit: 10,
  })
}

// Retention without a range: the last `count` ISO weeks up to today, 12 periods.
async function retention(tx: Tx, count: number) {
  const org = await activeOrg(tx)
  const last = startOfIsoWeek(todayIn(org.timezone))
  const first = addDays(last, -7 * (count - 1))
  return retentionCells(tx, { orgId: org.id, cohorts: { first, count, length: 7, periods: 12 } })
}

// The feed's first page (limit + 1 rows to know whether there is more).
async function feed(tx: Tx, limit: number) {
  const org = await activeOrg(tx)
  return feedPage(tx, { orgId: org.id, limit })
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
