/**
 * Retention: actors grouped into cohorts by the day or ISO week they were first seen
 * (event_actors.first_seen_day), and how many of each cohort came back, from the
 * event_actor_days rollup, in the organization's days (see report/org-days.ts).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { orgDaysRangeSchema, queryInt, withRangeRules } from '../../../../shared/analytics/mod.ts'
import { RETENTION_LIMITS, retentionReport } from '../../../../shared/analytics/retention.ts'

export { RETENTION_LIMITS }

const query = withRangeRules(
  orgDaysRangeSchema.extend({
    cohort: z.enum(['day', 'week']).default('week').openapi({
      description: 'Group actors by the day or the ISO week (Monday to Sunday) first seen',
    }),
    cohorts: queryInt(1, RETENTION_LIMITS.day.cohorts).optional().openapi({
      description: 'The last N cohorts up to today, instead of a range. Default: 8 weeks, ' +
        '30 days (when no range is given either).',
    }),
    periods: queryInt(0, RETENTION_LIMITS.day.periods).optional().openapi({
      description: 'Last period of the matrix (0..N). Default: 12 weeks, 30 days.',
    }),
  }),
  366,
).superRefine((q, ctx) => {
  if (q.cohorts !== undefined && (q.range !== undefined || q.from !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['cohorts'],
      message: 'give either cohorts or a range (range or from/to), not both',
    })
  }
  const limits = RETENTION_LIMITS[q.cohort]
  if (q.cohorts !== undefined && q.cohorts > limits.cohorts) {
    ctx.addIssue({
      code: 'custom',
      path: ['cohorts'],
      message: `must be at most ${limits.cohorts} for ${q.cohort} cohorts`,
    })
  }
  if (q.periods !== undefined && q.periods > limits.periods) {
    ctx.addIssue({
      code: 'custom',
      path: ['periods'],
      message: `must be at most ${limits.periods} for ${q.cohort} cohorts`,
    })
  }
})

const Period = z.object({
  period: z.number().int(),
  active: z.number().int().nullable().openapi({ description: 'null: not reached yet' }),
  share: z.number().nullable(),
}).openapi('RetentionPeriod')

const Cohort = z.object({
  start: z.string().openapi({ example: '2026-03-02', description: 'First day of the cohort' }),
  end: z.string().openapi({ example: '2026-03-08', description: 'Last day of the cohort' }),
  size: z.number().int(),
  day_1: z.number().nullable().openapi({
    description: 'Share active 1 day after their own first day; null while any member has ' +
      'not reached that day yet, or when the cohort is empty',
  }),
  day_7: z.number().nullable(),
  day_30: z.number().nullable(),
  matrix: z.array(Period).openapi({
    description: 'Period k: active on the k-th day (or ISO week) after the cohort started',
  }),
}).openapi('RetentionCohort')

const Retention = z.object({
  cohort: z.enum(['day', 'week']),
  timezone: z.string().openapi({ description: "The organization's timezone (its days)" }),
  today: z.string(),
  periods: z.number().int(),
  cohorts: z.array(Cohort).openapi({ description: 'Oldest first' }),
}).openapi('Retention')

const retentionRoute = userRoute({
  method: 'get',
  path: '/retention',
  summary: 'Retention of first-seen cohorts',
  description: "Cohorts of actors by first-seen day or ISO week, in the organization's days, " +
    'with the share active 1, 7 and 30 days after first seen and the cohort matrix. ' +
    'With a range, every cohort (whole weeks for cohort=week) that overlaps it.',
  request: { query },
  responses: { 200: json(Retention, 'Retention cohorts') },
})

export const retentionRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(retentionRoute, async (c) => {
    const q = c.req.valid('query')
    const body = await asUser(c.get('user').claims, (tx) => retentionReport(tx, q))
    return c.json(body, 200)
  })
