/**
 * Active users' queries: over the active_actor_gaps rollup (per organization day, how many
 * actors were active with each gap to their previous active day; migration
 * 20261201000500_event_detail_rollups.sql), at most 31 rows per day. While a timezone
 * rebuild of that rollup is queued, over event_actor_days (one row per actor and day).
 */
import type { Tx } from '../db.ts'
import { badRequest } from '../http/errors.ts'
import { activeOrg } from '../tenant.ts'
import { addDays, type RangeQuery, resolveWindow, share, todayIn } from './mod.ts'

/** Longest daily series of active users, in days: a year, so every preset fits. */
export const MAX_ACTIVE_USERS_DAYS = 366

/** DAU, WAU, MAU and stickiness of one organization day. */
export type ActiveUsersDay = {
  date: string
  dau: number
  wau: number
  mau: number
  stickiness: number | null
}

/**
 * DAU, WAU and MAU of one day: each actor's last active day in the 30 days, by a hash
 * aggregate (no sort), then three counts.
 */
export async function activeUsersOn(
  tx: Tx,
  { orgId, date }: { orgId: string; date: string },
): Promise<ActiveUsersDay> {
  if (await gapsReady(tx, orgId)) {
    const [day] = await activeUsersFromGaps(tx, { orgId, from: date, to: date })
    return day
  }
  const [row] = await tx<{ dau: number; wau: number; mau: number }[]>`
    select count(*) filter (where last_day = ${date}::date)::int as dau,
           count(*) filter (where last_day > ${addDays(date, -7)}::date)::int as wau,
           count(*)::int as mau
    from (
      select max(day) as last_day
      from public.event_actor_days
      where org_id = ${orgId} and day between ${addDays(date, -29)}::date and ${date}::date
      group by actor_id
    ) as actors`
  return { date, ...row, stickiness: share(row.dau, row.mau) }
}

/**
 * DAU, WAU and MAU of every day from `from` to `to`, in one pass over the rollup.
 *
 * Each active (actor, day) keeps the actor counted for the next 1, 7 or 30 days, or until
 * their next active day starts a new span. One actor's spans never overlap, so a running
 * sum of span starts (+1) and ends (-1) counts distinct actors without a distinct per day.
 */
export async function activeUsersByDay(
  tx: Tx,
  { orgId, from, to }: { orgId: string; from: string; to: string },
): Promise<ActiveUsersDay[]> {
  if (await gapsReady(tx, orgId)) return await activeUsersFromGaps(tx, { orgId, from, to })
  const rows = await tx<{ date: string; dau: number; wau: number; mau: number }[]>`
    with active as (
      -- Ordered by actor then day: a sort for short spans, the (org_id, actor_id, day)
      -- index for long ones, as the planner finds cheaper.
      select day, lead(day) over (partition by actor_id order by day) - day as gap
      from public.event_actor_days
      where org_id = ${orgId} and day between ${addDays(from, -29)}::date and ${to}::date
    ),
    spans as (
      select day, least(gap, 30) as gap, count(*)::int as actors from active group by 1, 2
    ),
    changes as (
      select s.size, c.day, c.actors
      from spans
      cross join (values (1), (7), (30)) as s (size)
      cross join lateral (
        values (spans.day, spans.actors),
               (spans.day + least(s.size, coalesce(spans.gap, s.size)), -spans.actors)
      ) as c (day, actors)
    ),
    deltas as (
      select day,
             sum(actors) filter (where size = 1) as dau,
             sum(actors) filter (where size = 7) as wau,
             sum(actors) filter (where size = 30) as mau
      from changes
      group by day
    ),
    running as (
      select g.day::date as day,
             sum(coalesce(d.dau, 0)) over w as dau,
             sum(coalesce(d.wau, 0)) over w as wau,
             sum(coalesce(d.mau, 0)) over w as mau
      from generate_series(${addDays(from, -29)}::date, ${to}::date, interval '1 day') as g (day)
      left join deltas d on d.day = g.day::date
      window w as (order by g.day)
    )
    select to_char(day, 'YYYY-MM-DD') as date, dau::int, wau::int, mau::int
    from running
    where day >= ${from}::date
    order by day`
  return rows.map((r) => ({ ...r, stickiness: share(r.dau, r.mau) }))
}

/** What an active-users report asks for: a headline day, and a range for a daily series. */
export type ActiveUsersReportQuery = Omit<RangeQuery, 'timezone'> & { date?: string }

/**
 * The active-users report as GET /dashboard/active-users answers it (and the assistant's
 * tool): DAU, WAU, MAU and stickiness of the headline day, and with a range one entry per
 * day of it, in the organization's days.
 */
export async function activeUsersReport(tx: Tx, q: ActiveUsersReportQuery) {
  const wantsSeries = q.range !== undefined || q.from !== undefined
  const org = await activeOrg(tx)
  const window = wantsSeries ? resolveWindow(q, org.timezone) : null
  if (window && window.days > MAX_ACTIVE_USERS_DAYS) {
    throw badRequest(`query.range: longer than ${MAX_ACTIVE_USERS_DAYS} days`)
  }
  const date = q.date ?? window?.to ?? todayIn(org.timezone)
  // A headline day inside the range comes from the same pass as the series.
  const series = window
    ? await activeUsersByDay(tx, { orgId: org.id, from: window.from, to: window.to })
    : null
  const headline = series?.find((d) => d.date === date) ??
    await activeUsersOn(tx, { orgId: org.id, date })
  return { ...headline, timezone: org.timezone, series }
}

async function gapsReady(tx: Tx, orgId: string): Promise<boolean> {
  const [row] = await tx<{ ready: boolean }[]>`
    select private.detail_rollups_ready(${orgId}::uuid) as ready`
  return row.ready
}

/**
 * DAU, WAU and MAU of every day from `from` to `to` from the gap histogram.
 *
 * An actor active on day x whose previous active day was `gap` days earlier (31: none
 * within 30) is counted, in an s-day window ending on d, through x exactly when x is their
 * first active day in the window: for d in [x + max(0, s - gap), x + s - 1]. So each
 * histogram row adds its actors on the first of those days and removes them after the
 * last, and a running sum gives every day's distinct actors. Rows from `from` - 29 on
 * reach every day of the range.
 */
async function activeUsersFromGaps(
  tx: Tx,
  { orgId, from, to }: { orgId: string; from: string; to: string },
): Promise<ActiveUsersDay[]> {
  const rows = await tx<{ date: string; dau: number; wau: number; mau: number }[]>`
    with gaps as (
      select day, gap, sum(actors)::int as actors
      from public.active_actor_gaps
      where org_id = ${orgId} and day between ${addDays(from, -29)}::date and ${to}::date
      group by 1, 2
    ),
    changes as (
      select s.size, c.day, c.actors
      from gaps
      cross join (values (1), (7), (30)) as s (size)
      cross join lateral (
        values (gaps.day + greatest(0, s.size - gaps.gap), gaps.actors),
               (gaps.day + s.size, -gaps.actors)
      ) as c (day, actors)
    ),
    deltas as (
      select day,
             sum(actors) filter (where size = 1) as dau,
             sum(actors) filter (where size = 7) as wau,
             sum(actors) filter (where size = 30) as mau
      from changes
      group by day
    ),
    running as (
      select g.day::date as day,
             sum(coalesce(d.dau, 0)) over w as dau,
             sum(coalesce(d.wau, 0)) over w as wau,
             sum(coalesce(d.mau, 0)) over w as mau
      from generate_series(${addDays(from, -29)}::date, ${to}::date, interval '1 day') as g (day)
      left join deltas d on d.day = g.day::date
      window w as (order by g.day)
    )
    select to_char(day, 'YYYY-MM-DD') as date, dau::int, wau::int, mau::int
    from running
    where day >= ${from}::date
    order by day`
  return rows.map((r) => ({ ...r, stickiness: share(r.dau, r.mau) }))
}
