/**
 * Retention's cells from the retention rollup (migration 20261201000720): actors per
 * (cohort day, active day) and per (cohort week, active week), kept exact at ingest. The
 * rows have the same meaning as the per-member query's in retention.ts, so cohortTable
 * builds the same response from either.
 */
import type { Tx } from '../db.ts'
import type { Cohorts } from './cohorts.ts'
import type { RetentionCell } from './retention.ts'

/**
 * Day cohorts, or week cohorts, from the rollup; null while a timezone rebuild of the
 * detail rollups is queued (their days may still be the old zone's). The readiness test
 * rides in the same statement (a row of nulls when not ready): one round trip fewer.
 */
export async function cellsFromRollup(
  tx: Tx,
  opts: { orgId: string; cohorts: Cohorts },
): Promise<RetentionCell[] | null> {
  const rows = await (opts.cohorts.length === 7 ? weekCells(tx, opts) : dayCells(tx, opts))
  return rows.length === 1 && rows[0].cohort === null ? null : rows as RetentionCell[]
}

type Row = RetentionCell | { [key in keyof RetentionCell]: null }

/**
 * Day cohorts: the cells (d, d + p) of each cohort day d for the matrix's periods and
 * day 1/7/30, from the index range of the cohorts' days. The (d, d) cell is the cohort's
 * size (every actor is active on its first day); a cohort without members has no cells. The
 * cohort days
 * come from an integer generate_series, whose row count the planner knows: a date series is
 * guessed at 1,000 rows, which made a merge join over every cell of the organization.
 */
function dayCells(
  tx: Tx,
  { orgId, cohorts: c }: { orgId: string; cohorts: Cohorts },
): Promise<Row[]> {
  return tx<Row[]>`
    with ready as (select private.detail_rollups_ready(${orgId}::uuid) as ok),
    cells as (
      select k.day as cohort, x.active_day - k.day as period, sum(x.actors)::int as active
      from generate_series(0, ${c.count - 1}::int) as g (i)
      cross join lateral (select ${c.first}::date + g.i as day) as k
      join public.retention_day_cells x
        on x.org_id = ${orgId} and x.cohort_day = k.day
       and x.active_day between k.day and k.day + greatest(${c.periods}::int, 30)
      -- The cohorts' range as constants too: the scan stays within them whatever the plan.
      where x.cohort_day between ${c.first}::date and ${c.first}::date + ${c.count - 1}::int
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
    where (select ok from ready) and (c.period <= ${c.periods}::int or c.period in (1, 7, 30))
    union all
    select null, null, null, null, null, null, null, null where not (select ok from ready)
    order by 1, 4`
}

/**
 * Week cohorts: sizes and day 1/7/30 from the day cells (d, d + n) of the cohort weeks'
 * days, n in 0, 1, 7, 30; the matrix from the week cells, whose distinct actors
 * per week cannot be summed from days. The day marks ride on each cohort's period-0 row.
 */
function weekCells(
  tx: Tx,
  { orgId, cohorts: c }: { orgId: string; cohorts: Cohorts },
): Promise<Row[]> {
  return tx<Row[]>`
    with ready as (select private.detail_rollups_ready(${orgId}::uuid) as ok),
    marks as (
      select k.day, m.n, sum(x.actors)::int as actors
      from generate_series(0, ${c.count * 7 - 1}::int) as g (i)
      cross join lateral (select ${c.first}::date + g.i as day) as k
      cross join (values (0), (1), (7), (30)) as m (n)
      join public.retention_day_cells x
        on x.org_id = ${orgId} and x.cohort_day = k.day and x.active_day = k.day + m.n
      where x.cohort_day between ${c.first}::date and ${c.first}::date + ${c.count * 7 - 1}::int
        and x.active_day <= ${c.first}::date + ${c.count * 7 - 1 + 30}::int
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
      from generate_series(0, ${c.count - 1}::int) as g (i)
      cross join lateral (select ${c.first}::date + 7 * g.i as week) as k
      join public.retention_week_cells x
        on x.org_id = ${orgId} and x.cohort_week = k.week
       and x.active_week between k.week and k.week + 7 * ${c.periods}::int
      where x.cohort_week between ${c.first}::date and ${c.first}::date + ${(c.count - 1) * 7}::int
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
    where (select ok from ready)
    union all
    select null, null, null, null, null, null, null, null where not (select ok from ready)
    order by 1, 4`
}
