/**
 * Retention's query: from the retention rollup (retention-rollup.ts), or, while a
 * timezone rebuild of the detail rollups is queued, over event_actors (first-seen day per
 * actor) and the event_actor_days rollup.
 */
import type { Tx } from '../db.ts'
import { badRequest } from '../http/errors.ts'
import { activeOrg } from '../tenant.ts'
import { addDays, daysBetween, type RangeQuery, resolveWindow, todayIn } from './mod.ts'
import { type Cohorts, cohortTable, startOfIsoWeek } from './cohorts.ts'
import { cellsFromRollup } from './retention-rollup.ts'

/** Most cohorts and matrix periods one request may ask for. */
export const RETENTION_LIMITS = {
  day: { cohorts: 92, periods: 90, defaultCohorts: 30, defaultPeriods: 30 },
  week: { cohorts: 53, periods: 52, defaultCohorts: 8, defaultPeriods: 12 },
} as const

/** Actors of one cohort active in one period, with how many of them hit day 1, 7, 30. */
export type RetentionCell = {
  cohort: string
  size: number
  newest: string
  period: number | null
  active: number
  day_1: number
  day_7: number
  day_30: number
}

/**
 * One row per (cohort, period) with activity (or with day 1/7/30 counts), for every cohort
 * with members; cohortTable sums a cohort's day counts over its rows.
 *
 * From the retention rollup: a few hundred cells whatever the cohorts' size. Its days
 * follow the organization's timezone, so while a timezone rebuild is queued
 * (private.detail_rollups_ready) the cells come from the cohorts' members instead.
 */
export async function retentionCells(
  tx: Tx,
  opts: { orgId: string; cohorts: Cohorts },
): Promise<RetentionCell[]> {
  return await cellsFromRollup(tx, opts) ?? await cellsFromMembers(tx, opts)
}

/**
 * Members come from event_actors by (org_id, first_seen_day); each member's activity is
 * read and folded into periods on its own (an index-only scan of event_actor_days
 * (org_id, actor_id, day) from their first day to the last day the matrix or day 30
 * needs), so the cohort totals are plain counts, not a count(distinct) sorting every
 * active day. The cost follows the cohorts' members (figures in
 * docs/performance/dashboard.md).
 */
function cellsFromMembers(
  tx: Tx,
  { orgId, cohorts: c }: { orgId: string; cohorts: Cohorts },
): Promise<RetentionCell[]> {
  const lastDay = addDays(c.first, c.count * c.length - 1)
  const span = c.length * (c.periods + 1) - 1
  return tx<RetentionCell[]>`
    with members as (
      select actor_id, first_seen_day,
             case when ${c.length}::int = 7
                  then first_seen_day - (extract(isodow from first_seen_day)::int - 1)
                  else first_seen_day end as cohort
      from public.event_actors
      where org_id = ${orgId} and first_seen_day between ${c.first}::date and ${lastDay}::date
    ),
    sizes as (
      select cohort, count(*)::int as size, max(first_seen_day) as newest
      from members group by cohort
    ),
    cells as (
      select m.cohort, p.period, count(*)::int as active, sum(p.day_1)::int as day_1,
             sum(p.day_7)::int as day_7, sum(p.day_30)::int as day_30
      from members m
      cross join lateral (
        select (a.day - m.cohort) / ${c.length}::int as period,
               count(*) filter (where a.day = m.first_seen_day + 1) as day_1,
               count(*) filter (where a.day = m.first_seen_day + 7) as day_7,
               count(*) filter (where a.day = m.first_seen_day + 30) as day_30
        from public.event_actor_days a
        where a.org_id = ${orgId} and a.actor_id = m.actor_id
          and a.day >= m.first_seen_day
          and a.day <= greatest(m.cohort + ${span}::int, m.first_seen_day + 30)
        group by 1
      ) as p
      group by 1, 2
    )
    select to_char(s.cohort, 'YYYY-MM-DD') as cohort, s.size,
           to_char(s.newest, 'YYYY-MM-DD') as newest, c.period,
           coalesce(c.active, 0) as active, coalesce(c.day_1, 0) as day_1,
           coalesce(c.day_7, 0) as day_7, coalesce(c.day_30, 0) as day_30
    from sizes s
    left join cells c on c.cohort = s.cohort
    order by s.cohort, c.period`
}

/** What a retention report asks for: day or week cohorts, the last N or a range, periods. */
export type RetentionReportQuery = Omit<RangeQuery, 'timezone'> & {
  cohort: 'day' | 'week'
  cohorts?: number
  periods?: number
}

/**
 * The retention report as GET /dashboard/retention answers it (and the assistant's
 * retention tool): cohorts in the organization's days, oldest first, with day 1/7/30
 * shares and the matrix.
 */
export async function retentionReport(tx: Tx, q: RetentionReportQuery) {
  const limits = RETENTION_LIMITS[q.cohort]
  const length = q.cohort === 'week' ? 7 : 1
  const periods = q.periods ?? limits.defaultPeriods
  const org = await activeOrg(tx)
  const today = todayIn(org.timezone)
  const align = (day: string) => length === 7 ? startOfIsoWeek(day) : day
  let first: string
  let last = align(today)
  if (q.range !== undefined || q.from !== undefined) {
    const window = resolveWindow(q, org.timezone)
    first = align(window.from)
    last = align(window.to)
  } else {
    first = addDays(last, -length * ((q.cohorts ?? limits.defaultCohorts) - 1))
  }
  const count = daysBetween(first, last) / length + 1
  if (count > limits.cohorts) {
    throw badRequest(`query.range: covers ${count} ${q.cohort} cohorts, at most ${limits.cohorts}`)
  }
  const cohorts: Cohorts = { first, count, length, periods }
  const cells = await retentionCells(tx, { orgId: org.id, cohorts })
  return {
    cohort: q.cohort,
    timezone: org.timezone,
    today,
    periods,
    cohorts: cohortTable(cohorts, cells, today),
  }
}
