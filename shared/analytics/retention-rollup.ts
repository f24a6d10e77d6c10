/**
 * Retention's cells from the retention rollup (migration 20261201000720): actors per
 * (cohort day, active day) and per (cohort week, active week), kept exact at ingest. The
 * rows have the same meaning as the per-member query's in retention.ts, so cohortTable
 * builds the same response from either.
 */
import type { Tx } from '../db.ts'
import { addDays } from './mod.ts'
import type { Cohorts } from './cohorts.ts'
import type { RetentionCell } from './retention.ts'

/** Day cohorts, or week cohorts, from the rollup. */
export function cellsFromRollup(
  tx: Tx,
  opts: { orgId: string; cohorts: Cohorts },
): Promise<RetentionCell[]> {
  return opts.cohorts.length === 7 ? weekCells(tx, opts) : dayCells(tx, opts)
}

/**
 * Day cohorts: the cells (d, d + p) of each cohort day d for the matrix's periods and
 * day 1/7/30, one index range per cohort day. The (d, d) cell is the cohort's size (every
 * actor is active on its first day); a cohort without members has no cells.
 */
function dayCells(
  tx: Tx,
  { orgId, cohorts: c }: { orgId: string; cohorts: Cohorts },
): Promise<RetentionCell[]> {
  const last = addDays(c.first, c.count - 1)
  return tx<RetentionCell[]>`
    with cells as (
      select k.day as cohort, x.active_day - k.day as period, sum(x.actors)::int as active
      from generate_series(${c.first}::date, ${last}::date, interval '1 day') as g (d)
      cross join lateral (select g.d::date as day) as k
      join public.retention_day_cells x
        on x.org_id = ${orgId} and x.cohort_day = k.day
       and x.active_day between k.day and k.day + greatest(${c.periods}::int, 30)
      group by 1, 2
      having sum(x.actors) <> 0
    )
    select to_char(c.cohort, 'YYYY-MM-DD') as cohort, s.active as size,
           to_char(c.cohort, 'YYYY-MM-DD') as newest, c.period, c.active,
           case when c.period = 1 then c.active else 0 end as day_1,
           case when c.period = 7 then c.active else 0 end as day_7,
           case when c.period = 30 then c.active else 0 end as day_30
    from cells c
    join cells s on s.cohort = c.cohort and s.period = 0
    where c.period <= ${c.periods}::int or c.period in (1, 7, 30)
    order by c.cohort, c.period`
}

/**
 * Week cohorts: sizes and day 1/7/30 from the day cells (d, d + n) of the cohort weeks'
 * days (four index probes per day), the matrix from the week cells, whose distinct actors
 * per week cannot be summed from days. The day marks ride on each cohort's period-0 row.
 */
function weekCells(
  tx: Tx,
  { orgId, cohorts: c }: { orgId: string; cohorts: Cohorts },
): Promise<RetentionCell[]> {
  const lastDay = addDays(c.first, c.count * 7 - 1)
  const lastWeek = addDays(c.first, (c.count - 1) * 7)
  return tx<RetentionCell[]>`
    with marks as (
      select k.day, m.n, sum(x.actors)::int as actors
      from generate_series(${c.first}::date, ${lastDay}::date, interval '1 day') as g (d)
      cross join lateral (select g.d::date as day) as k
      cross join (values (0), (1), (7), (30)) as m (n)
      join public.retention_day_cells x
        on x.org_id = ${orgId} and x.cohort_day = k.day and x.active_day = k.day + m.n
      group by 1, 2
    ),
    cohorts as (
      select ${c.first}::date + (day - ${c.first}::date) / 7 * 7 as cohort,
             sum(actors) filter (where n = 0)::int as size,
             max(day) filter (where n = 0 and actors > 0) as newest,
             coalesce(sum(actors) filter (where n = 1), 0)::int as day_1,
             coalesce(sum(actors) filter (where n = 7), 0)::int as day_7,
             coalesce(sum(actors) filter (where n = 30), 0)::int as day_30
      from marks
      group by 1
      having sum(actors) filter (where n = 0) > 0
    ),
    periods as (
      select k.week as cohort, (x.active_week - k.week) / 7 as period,
             sum(x.actors)::int as active
      from generate_series(${c.first}::date, ${lastWeek}::date, interval '7 days') as g (w)
      cross join lateral (select g.w::date as week) as k
      join public.retention_week_cells x
        on x.org_id = ${orgId} and x.cohort_week = k.week
       and x.active_week between k.week and k.week + 7 * ${c.periods}::int
      group by 1, 2
      having sum(x.actors) <> 0
    )
    select to_char(s.cohort, 'YYYY-MM-DD') as cohort, s.size,
           to_char(s.newest, 'YYYY-MM-DD') as newest, p.period, coalesce(p.active, 0) as active,
           case when coalesce(p.period, 0) = 0 then s.day_1 else 0 end as day_1,
           case when coalesce(p.period, 0) = 0 then s.day_7 else 0 end as day_7,
           case when coalesce(p.period, 0) = 0 then s.day_30 else 0 end as day_30
    from cohorts s
    left join periods p on p.cohort = s.cohort
    order by s.cohort, p.period`
}
