/**
 * The dashboard requests the benchmark times, each twice: through the HTTP gateway, and as
 * the same SQL run directly as the same user, through the dashboard's own query functions
 * (each endpoint group's queries.ts), so the SQL cannot drift.
 */
import type { Tx } from '../../shared/db.ts'
import { activeOrg } from '../../shared/tenant.ts'
import { breakdownRows } from '../../shared/analytics/breakdown.ts'
import { activeUsersByDay, activeUsersOn } from '../../shared/analytics/active-users.ts'
import { actorsByName, eventNamesByCount } from '../../shared/analytics/feature-usage.ts'
import { feedPage } from '../../shared/analytics/feed.ts'
import {
  compareWindow,
  type Filter,
  parseField,
  parseSeries,
  type RangeQuery,
  reportScope,
  resolveWindow,
  type SeriesSpec,
  todayIn,
} from '../../shared/analytics/mod.ts'
import { retentionReport, type RetentionReportQuery } from '../../shared/analytics/retention.ts'
import { seriesTotals } from '../../shared/analytics/series.ts'
import { tileTotals } from '../../shared/analytics/tiles.ts'

/** One request: its gateway path and its SQL (every one has the same p95 target). */
export type DashboardCase = {
  name: string
  path: string
  sql: (tx: Tx) => Promise<unknown>
}

function specs(list: string): SeriesSpec[] {
  return list.split(',').map((id) => parseSeries(id) as SeriesSpec)
}

// One property filter, as the filters parameter parses it.
function where(field: string, op: Filter['op'], value: string | string[]): Filter {
  return { field: parseField(field), name: field, op, value }
}

// The same filters as the gateway path's `filters` parameter.
function filtersParam(filters: Filter[]): string {
  return encodeURIComponent(
    JSON.stringify(filters.map((f) => ({ field: f.name, op: f.op, value: f.value }))),
  )
}

// tiles with compare=previous_period (its default).
async function tiles(tx: Tx, list: string, q: RangeQuery, filters: Filter[] = []) {
  const scope = await reportScope(tx, q)
  const comparison = compareWindow(scope.window, 'previous_period')
  return tileTotals(tx, { series: specs(list), scope, comparison, filters })
}

// series with granularity=day and compare=none (its defaults).
async function series(tx: Tx, list: string, q: RangeQuery, filters: Filter[] = []) {
  const scope = await reportScope(tx, q)
  return seriesTotals(tx, {
    series: specs(list),
    scope,
    comparison: null,
    granularity: 'day',
    filters,
  })
}

// Active users: the daily series over a range (headline from the same pass), or one day.
async function activeUsers(tx: Tx, q: RangeQuery | null) {
  const org = await activeOrg(tx)
  if (q === null) return activeUsersOn(tx, { orgId: org.id, date: todayIn(org.timezone) })
  const window = resolveWindow(q, org.timezone)
  return activeUsersByDay(tx, { orgId: org.id, from: window.from, to: window.to })
}

// Feature usage's first page of 20 names with their distinct actors.
async function featureUsage(tx: Tx, q: RangeQuery) {
  const org = await activeOrg(tx)
  const scope = { orgId: org.id, window: resolveWindow(q, org.timezone), timezone: org.timezone }
  const page = await eventNamesByCount(tx, { ...scope, limit: 20, offset: 0 })
  const names = page.names.map((n) => n.name)
  return actorsByName(tx, { ...scope, names, dayRollups: page.day_rollups })
}

// The breakdown sorted by value, first page of 10, no filters.
function metricBreakdown(tx: Tx, metric: string, by: string, q: RangeQuery) {
  return groups(tx, `metric:${metric}`, by, q)
}

function propertyBreakdown(
  tx: Tx,
  event: string,
  by: string,
  q: RangeQuery,
  filters: Filter[] = [],
) {
  return groups(tx, event === '*' ? 'events' : `event:${event}`, by, q, filters)
}

async function groups(tx: Tx, series: string, by: string, q: RangeQuery, filters: Filter[] = []) {
  const scope = await reportScope(tx, q)
  const spec = parseSeries(series)
  if (!spec) throw new Error(`not a series: ${series}`)
  return breakdownRows(tx, {
    spec,
    by: parseField(by),
    scope,
    filters,
    sort: 'value_desc',
    offset: 0,
    limit: 10,
  })
}

// Retention as GET /dashboard/retention computes it (cohorts from the query, then the cells).
function retention(tx: Tx, q: RetentionReportQuery) {
  return retentionReport(tx, q)
}

// The feed's first page (limit + 1 rows to know whether there is more).
async function feed(tx: Tx, limit: number) {
  const org = await activeOrg(tx)
  return feedPage(tx, { orgId: org.id, limit })
}

const PAGE_FILTERS = [
  where('property.country', 'in', ['DE', 'US']),
  where('property.plan', 'is_not', 'free'),
]
const PLAN_PRO = [where('property.plan', 'is', 'pro')]

/** The requests, in the order they are measured and printed. */
export const DASHBOARD_CASES: DashboardCase[] = [
  {
    name: 'tiles 28d + previous period',
    path: '/dashboard/tiles?series=metric:sessions,event:signup&range=28d&compare=previous_period',
    sql: (tx) => tiles(tx, 'metric:sessions,event:signup', { range: '28d' }),
  },
  {
    // Its rows lie late in the metrics heap: the ratio check once scanned up to them.
    name: 'tiles 28d metric:signups + previous period',
    path: '/dashboard/tiles?series=metric:signups&range=28d&compare=previous_period',
    sql: (tx) => tiles(tx, 'metric:signups', { range: '28d' }),
  },
  {
    name: 'series 90d by day',
    path: '/dashboard/series?series=metric:sessions,event:signup&granularity=day&range=90d',
    sql: (tx) => series(tx, 'metric:sessions,event:signup', { range: '90d' }),
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
    name: 'breakdown page_view by property.plan 28d',
    path: '/dashboard/breakdown?series=event:page_view&by=property.plan&range=28d',
    sql: (tx) => propertyBreakdown(tx, 'page_view', 'property.plan', { range: '28d' }),
  },
  {
    name: 'breakdown page_view by property.plan 90d',
    path: '/dashboard/breakdown?series=event:page_view&by=property.plan&range=90d',
    sql: (tx) => propertyBreakdown(tx, 'page_view', 'property.plan', { range: '90d' }),
  },
  {
    name: 'top pages (page_view by property.path) 7d',
    path: '/dashboard/breakdown?series=event:page_view&by=property.path&range=7d',
    sql: (tx) => propertyBreakdown(tx, 'page_view', 'property.path', { range: '7d' }),
  },
  {
    name: 'top pages (page_view by property.path) 28d',
    path: '/dashboard/breakdown?series=event:page_view&by=property.path&range=28d',
    sql: (tx) => propertyBreakdown(tx, 'page_view', 'property.path', { range: '28d' }),
  },
  {
    name: 'top pages (page_view by property.path) 90d',
    path: '/dashboard/breakdown?series=event:page_view&by=property.path&range=90d',
    sql: (tx) => propertyBreakdown(tx, 'page_view', 'property.path', { range: '90d' }),
  },
  {
    name: 'top pages 28d, filtered country in (DE, US) and plan is_not free',
    path: `/dashboard/breakdown?series=event:page_view&by=property.path&range=28d&filters=${
      filtersParam(PAGE_FILTERS)
    }`,
    sql: (tx) =>
      propertyBreakdown(tx, 'page_view', 'property.path', { range: '28d' }, PAGE_FILTERS),
  },
  {
    name: 'all events by property.country 28d',
    path: '/dashboard/breakdown?series=events&by=property.country&range=28d',
    sql: (tx) => propertyBreakdown(tx, '*', 'property.country', { range: '28d' }),
  },
  {
    name: 'all events by property.country 7d',
    path: '/dashboard/breakdown?series=events&by=property.country&range=7d',
    sql: (tx) => propertyBreakdown(tx, '*', 'property.country', { range: '7d' }),
  },
  {
    name: 'all events by property.country 90d',
    path: '/dashboard/breakdown?series=events&by=property.country&range=90d',
    sql: (tx) => propertyBreakdown(tx, '*', 'property.country', { range: '90d' }),
  },
  {
    name: 'all events by property.plan 28d',
    path: '/dashboard/breakdown?series=events&by=property.plan&range=28d',
    sql: (tx) => propertyBreakdown(tx, '*', 'property.plan', { range: '28d' }),
  },
  {
    name: 'all events by property.path 28d, filtered country in (DE, US) and plan is_not free',
    path: `/dashboard/breakdown?series=events&by=property.path&range=28d&filters=${
      filtersParam(PAGE_FILTERS)
    }`,
    sql: (tx) => propertyBreakdown(tx, '*', 'property.path', { range: '28d' }, PAGE_FILTERS),
  },
  {
    name: 'active users 90d daily DAU/WAU/MAU',
    path: '/dashboard/active-users?range=90d',
    sql: (tx) => activeUsers(tx, { range: '90d' }),
  },
  {
    name: 'active users today (MAU)',
    path: '/dashboard/active-users',
    sql: (tx) => activeUsers(tx, null),
  },
  {
    name: 'series 90d page_view where plan is pro',
    path: `/dashboard/series?series=event:page_view&granularity=day&range=90d&filters=${
      filtersParam(PLAN_PRO)
    }`,
    sql: (tx) => series(tx, 'event:page_view', { range: '90d' }, PLAN_PRO),
  },
  {
    name: 'tiles 28d page_view where plan is pro + previous period',
    path: `/dashboard/tiles?series=event:page_view&range=28d&compare=previous_period&filters=${
      filtersParam(PLAN_PRO)
    }`,
    sql: (tx) => tiles(tx, 'event:page_view', { range: '28d' }, PLAN_PRO),
  },
  {
    name: 'feature usage 28d, first 20 names',
    path: '/dashboard/feature-usage?range=28d&limit=20',
    sql: (tx) => featureUsage(tx, { range: '28d' }),
  },
  {
    name: 'feature usage 7d, first 20 names',
    path: '/dashboard/feature-usage?range=7d&limit=20',
    sql: (tx) => featureUsage(tx, { range: '7d' }),
  },
  {
    name: 'feature usage 90d, first 20 names',
    path: '/dashboard/feature-usage?range=90d&limit=20',
    sql: (tx) => featureUsage(tx, { range: '90d' }),
  },
  {
    name: 'retention 8 weekly cohorts',
    path: '/dashboard/retention?cohort=week&cohorts=8',
    sql: (tx) => retention(tx, { cohort: 'week', cohorts: 8 }),
  },
  {
    name: 'retention 30 daily cohorts (day default)',
    path: '/dashboard/retention?cohort=day',
    sql: (tx) => retention(tx, { cohort: 'day' }),
  },
  {
    name: 'retention weekly cohorts, range=90d',
    path: '/dashboard/retention?cohort=week&range=90d',
    sql: (tx) => retention(tx, { cohort: 'week', range: '90d' }),
  },
  {
    name: 'retention daily cohorts, from/to first 14 days of data, 60 periods',
    path: '/dashboard/retention?cohort=day&from=2025-12-08&to=2025-12-21&periods=60',
    sql: (tx) =>
      retention(tx, { cohort: 'day', from: '2025-12-08', to: '2025-12-21', periods: 60 }),
  },
  {
    name: 'activity feed, first page of 50',
    path: '/dashboard/events?limit=50',
    sql: (tx) => feed(tx, 50),
  },
]
