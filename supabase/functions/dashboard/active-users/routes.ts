/**
 * Active users: DAU (the day), WAU (the 7 days ending on it), MAU (the 30 days ending on
 * it) and stickiness (DAU / MAU), from the event_actor_days rollup, in the organization's
 * days (see report/org-days.ts).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { isoDate, orgDaysRangeSchema, withRangeRules } from '../../../../shared/analytics/mod.ts'
import {
  activeUsersReport,
  MAX_ACTIVE_USERS_DAYS,
} from '../../../../shared/analytics/active-users.ts'

export { MAX_ACTIVE_USERS_DAYS }

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
    const body = await asUser(c.get('user').claims, (tx) => activeUsersReport(tx, q))
    return c.json(body, 200)
  })
