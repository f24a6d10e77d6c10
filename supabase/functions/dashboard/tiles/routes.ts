/**
 * GET /dashboard/tiles: a headline number per series over the window, the same number
 * over the comparison window, the change, and a zero-filled daily sparkline.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import {
  checkFiltersApply,
  COMPARISONS,
  filtersParam,
  rangeQuerySchema,
  seriesListSchema,
  WindowSchema,
  withRangeRules,
} from '../../../../shared/analytics/mod.ts'
import { tilesReport } from '../../../../shared/analytics/tiles.ts'

export const MAX_TILES = 12

const TilesQuery = withRangeRules(rangeQuerySchema.extend({
  series: seriesListSchema(MAX_TILES),
  compare: z.enum(COMPARISONS).default('previous_period').openapi({
    description: 'Window to compare with (default previous_period).',
  }),
  filters: filtersParam.optional(),
})).superRefine((q, ctx) => checkFiltersApply(q.filters, q.series, ctx))

const Tile = z.object({
  series: z.string().openapi({ example: 'metric:sessions' }),
  value: z.number().openapi({ description: 'Sum over the window' }),
  comparison_value: z.number().nullable(),
  change: z.number().nullable().openapi({ description: 'value - comparison_value' }),
  percent_change: z.number().nullable().openapi({
    description: 'Change in percent of the comparison value; null when that is 0 or absent',
  }),
  sparkline: z.array(z.object({ date: z.string(), value: z.number() })).openapi({
    description: 'One point per day of the window, zero-filled',
  }),
}).openapi('Tile')

const Tiles = z.object({
  timezone: z.string(),
  window: WindowSchema,
  compare: z.enum(COMPARISONS),
  comparison: WindowSchema.nullable(),
  tiles: z.array(Tile),
}).openapi('Tiles')

const tilesRoute = userRoute({
  method: 'get',
  path: '/tiles',
  summary: 'Headline numbers with comparison and daily sparklines',
  description: 'Up to 12 series. Days are calendar days in the timezone (default: the ' +
    "organization's). Event counts are exact in any timezone.",
  request: { query: TilesQuery },
  responses: { 200: json(Tiles, 'One tile per requested series, in request order') },
})

export const tilesRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(tilesRoute, async (c) => {
    const q = c.req.valid('query')
    const body = await asUser(c.get('user').claims, (tx) => tilesReport(tx, q))
    return c.json(body, 200)
  })
