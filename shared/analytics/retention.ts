/**
 * Retention's query, over event_actors (first-seen day per actor) and the event_actor_days
 * rollup.
 */
import type { Tx } from '../db.ts'
import { addDays } from './mod.ts'
import type { Cohorts } from './cohorts.ts'

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
 * One row per (cohort, period) with activity, plus one per cohort with members.
 *
 * Members come from event_actors by (org_id, first_seen_day); each member's activity is
 * read and folded into periods on its own (an index-only scan of event_actor_days
 * (org_id, actor_id, day) from their first day to the last day the matrix or day 30
 * needs), so the cohort totals are plain counts, not a count(distinct) sorting every
 * active day. The cost follows the cohorts' members, never the organization's events
 * (figures in docs/performance/dashboard.md).
 */
export function retentionCells(
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
