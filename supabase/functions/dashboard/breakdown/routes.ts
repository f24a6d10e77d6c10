/**
 * GET /dashboard/breakdown: one series over the window split by dimension, source,
 * event name or an event property, sorted and paginated, with each group's share of the
 * total; as JSON or as a CSV attachment.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import {
  checkFiltersApply,
  fieldApplies,
  fieldMismatch,
  fieldName,
  filtersParam,
  parseField,
  rangeQuerySchema,
  seriesListSchema,
  WindowSchema,
  withRangeRules,
} from '../../../../shared/analytics/mod.ts'
import { csvContent, csvResponse, formatParam, wantsCsv } from '../csv.ts'
import { breakdownReport, SORTS } from '../../../../shared/analytics/breakdown.ts'

const BreakdownQuery = withRangeRules(rangeQuerySchema.extend({
  series: seriesListSchema(1).openapi({
    type: 'string',
    description: 'One series: metric:<name>, event:<name> or events',
    example: 'metric:sessions',
  }),
  by: fieldName.openapi({
    description: 'dimension or source (metric series); event_name or property.<key> (events)',
    example: 'dimension',
  }),
  limit: z.coerce.number().int().min(1).max(1000).default(10),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  sort: z.enum(SORTS).default('value_desc'),
  filters: filtersParam.optional(),
  format: formatParam,
})).superRefine((q, ctx) => {
  checkFiltersApply(q.filters, q.series, ctx)
  const spec = q.series?.[0]
  if (spec && q.by && !fieldApplies(parseField(q.by), spec)) {
    ctx.addIssue({ code: 'custom', path: ['by'], message: fieldMismatch(q.by, spec) })
  }
})

const Group = z.object({
  key: z.string().nullable().openapi({
    description: "The group's value; '' is a metric without dimension, null an event " +
      'without the property',
  }),
  value: z.number(),
  share: z.number().nullable().openapi({ description: 'value / total (0-1); null if total is 0' }),
}).openapi('BreakdownGroup')

const Breakdown = z.object({
  timezone: z.string(),
  window: WindowSchema,
  series: z.string(),
  by: z.string(),
  sort: z.enum(SORTS),
  limit: z.number().int(),
  offset: z.number().int(),
  total_groups: z.number().int(),
  total: z.number().openapi({ description: 'Grand total over all groups' }),
  groups: z.array(Group),
}).openapi('Breakdown')

const breakdownRoute = userRoute({
  method: 'get',
  path: '/breakdown',
  summary: 'One series split into groups, sorted and paginated',
  request: { query: BreakdownQuery },
  responses: {
    200: {
      description: 'A page of groups; CSV has the columns key, value, share',
      content: { ...json(Breakdown, '').content, ...csvContent },
    },
  },
})

export const breakdownRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(breakdownRoute, async (c) => {
    const q = c.req.valid('query')
    const body = await asUser(c.get('user').claims, (tx) => breakdownReport(tx, q))
    if (wantsCsv(c, q.format)) {
      return csvResponse(c, {
        filename: `breakdown-${q.by}-${body.window.from}-${body.window.to}.csv`,
        header: ['key', 'value', 'share'],
        rows: body.groups.map((g) => [g.key, g.value, g.share]),
      })
    }
    return c.json(body, 200)
  })
