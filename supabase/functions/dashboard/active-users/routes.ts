/**
 * Active users: DAU (the day), WAU (the 7 days ending on it), MAU (the 30 days ending on
 * it) and stickiness (DAU / MAU), from the event_actor_days rollup, in the organization's
 * days (see report/org-days.ts).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { badRequest } from '../../../../shared/http/errors.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import {
  isoDate,
  orgDaysRangeSchema,
  resolveWindow,
  todayIn,
  withRangeRules,
} from '../../../../shared/analytics/mod.ts'
import { activeUsersByDay, activeUsersOn } from '../../../../shared/analytics/active-users.ts'

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

export const activeUsersRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(activeUsersRoute, async (c) => {
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
      const series = window
        ? await activeUsersByDay(tx, { orgId: org.id, from: window.from, to: window.to })
        : null
      const headline = series?.find((d) => d.date === date) ??
        await activeUsersOn(tx, { orgId: org.id, date })
      return { ...headline, timezone: org.timezone, series }
    })
    return c.json(body, 200)
  })
