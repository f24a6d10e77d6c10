/**
 * Active users: DAU (the day), WAU (the 7 days ending on it), MAU (the 30 days ending on
 * it) and stickiness (DAU / MAU), from the event_actor_days rollup, in the organization's
 * days (see org-days.ts).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser, type Tx } from '../../../shared/db.ts'
import { badRequest } from '../../../shared/http/errors.ts'
import { json, userRoute } from '../../../shared/http/openapi.ts'
import { validationFailed } from '../../../shared/http/validation.ts'
import { activeOrg } from '../../../shared/tenant.ts'
import { orgDaysRangeSchema, share } from './org-days.ts'
import { addDays, isoDate, resolveWindow, todayIn, withRangeRules } from './range.ts'

/** Longest daily series of active users, in days: a year, so every preset fits. */
export const MAX_ACTIVE_USERS_DAYS = 366

const query = withRangeRules(
  orgDaysRangeSchema.extend({
    date: isoDate.optional().openapi({
      description: 'Day of the headline numbers. Default: the last day of the range when a ' +
        'range is given, else today (organization timezone).',
    }),
  }),
  MAX_ACTIVE_USERS_DAYS,
)

const ActiveUsersDay = z.object({
  date: z.string().openapi({ example: '2026-03-09' }),
  dau: z.number().int(),
  wau: z.number().int(),
  mau: z.number().int(),
  stickiness: z.number().nullable().openapi({ description: 'DAU / MAU; null when MAU is 0' }),
}).openapi('ActiveUsersDay')

const ActiveUsers = ActiveUsersDay.extend({
  timezone: z.string().openapi({ description: "The organization's timezone (its days)" }),
  series: z.array(ActiveUsersDay).nullable().openapi({
    description: 'One entry per day of the range; null when no range was asked for',
  }),
}).openapi('ActiveUsers')

const activeUsersRoute = userRoute({
  method: 'get',
  path: '/active-users',
  summary: 'Daily, weekly and monthly active users and stickiness',
  description: 'Distinct actors active on the day (DAU), in the 7 days (WAU) and 30 days ' +
    "(MAU) ending on it, in the organization's days. With range or from/to, also a daily " +
    `series (at most ${MAX_ACTIVE_USERS_DAYS} days).`,
  request: { query },
  responses: { 200: json(ActiveUsers, 'Active users') },
})

export const activeUsers = new OpenAPIHono({ defaultHook: validationFailed })

activeUsers.openapi(activeUsersRoute, async (c) => {
  const q = c.req.valid('query')
  const wantsSeries = q.range !== undefined || q.from !== undefined
  const body = await asUser(c.get('user').claims, async (tx) => {
    const org = await activeOrg(tx)
    const window = wantsSeries ? resolveWindow(q, org.timezone) : null
    if (window && window.days > MAX_ACTIVE_USERS_DAYS) {
      throw badRequest(`query.range: longer than ${MAX_ACTIVE_USERS_DAYS} days`)
    }
    const date = q.date ?? window?.to ?? todayIn(org.timezone)
    // A headline day inside the range comes from the same pass as the series.
    const series = window ? await activeUsersByDay(tx, org.id, window.from, window.to) : null
    const headline = series?.find((d) => d.date === date) ??
      await activeUsersOn(tx, org.id, date)
    return { ...headline, timezone: org.timezone, series }
  })
  return c.json(body, 200)
})

type ActiveUsersDay = z.infer<typeof ActiveUsersDay>

/**
 * DAU, WAU and MAU of one day: each actor's last active day in the 30 days, by a hash
 * aggregate (no sort), then three counts.
 */
export async function activeUsersOn(tx: Tx, orgId: string, date: string): Promise<ActiveUsersDay> {
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
  orgId: string,
  from: string,
  to: string,
): Promise<ActiveUsersDay[]> {
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
