/**
 * GET /dashboard/series: each series per hour, day, week or month bucket of the window,
 * zero-filled, optionally with the comparison window's buckets aligned by index; as JSON
 * or as a CSV attachment.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import {
  checkFiltersApply,
  COMPARISONS,
  filtersParam,
  GRANULARITIES,
  rangeQuerySchema,
  seriesListSchema,
  WindowSchema,
  withRangeRules,
} from '../../../../shared/analytics/mod.ts'
import { csvContent, csvResponse, formatParam, wantsCsv } from '../csv.ts'
import { seriesReport } from '../../../../shared/analytics/series.ts'

export const MAX_SERIES = 12

const SeriesQuery = withRangeRules(rangeQuerySchema.extend({
  series: seriesListSchema(MAX_SERIES),
  granularity: z.enum(GRANULARITIES).default('day').openapi({
    description: 'Bucket size (default day). Hour covers at most 31 days; weeks start on ' +
      'Monday (ISO); the first and last buckets are clipped to the range.',
  }),
  compare: z.enum(COMPARISONS).default('none').openapi({
    description: 'Comparison window (default none); its i-th bucket pairs with the i-th bucket.',
  }),
  filters: filtersParam.optional(),
  format: formatParam,
})).superRefine((q, ctx) => {
  checkFiltersApply(q.filters, q.series, ctx)
  const metric = q.series?.find((s) => s.kind === 'metric')
  if (q.granularity === 'hour' && metric) {
    ctx.addIssue({
      code: 'custom',
      path: ['granularity'],
      message: `metrics are daily, so hour applies to event series only (${metric.id})`,
    })
  }
})

const Bucket = z.object({
  label: z.string().openapi({
    description: 'Local start: YYYY-MM-DD, or for hours an ISO time with offset',
    example: '2026-03-08T03:00:00-04:00',
  }),
  start: z.string().openapi({ description: 'Start instant (inclusive), UTC' }),
  end: z.string().openapi({ description: 'End instant (exclusive), UTC' }),
}).openapi('Bucket')

const SeriesValues = z.object({
  series: z.string().openapi({ example: 'event:signup' }),
  total: z.number(),
  values: z.array(z.number()).openapi({ description: 'One value per bucket' }),
  comparison_total: z.number().nullable(),
  comparison_values: z.array(z.number()).nullable().openapi({
    description: 'One value per comparison bucket; null when compare=none',
  }),
}).openapi('SeriesValues')

const Series = z.object({
  timezone: z.string(),
  granularity: z.enum(GRANULARITIES),
  window: WindowSchema,
  compare: z.enum(COMPARISONS),
  comparison: WindowSchema.nullable(),
  buckets: z.array(Bucket),
  comparison_buckets: z.array(Bucket).nullable(),
  series: z.array(SeriesValues),
}).openapi('Series')

const seriesRoute = userRoute({
  method: 'get',
  path: '/series',
  summary: 'Time series per bucket, zero-filled, with an optional comparison',
  request: { query: SeriesQuery },
  responses: {
    200: {
      description: 'Every bucket of the window; CSV has one row per series and bucket',
      content: { ...json(Series, '').content, ...csvContent },
    },
  },
})

export const seriesRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(seriesRoute, async (c) => {
    const q = c.req.valid('query')
    const body = await asUser(c.get('user').claims, (tx) => seriesReport(tx, q))
    if (wantsCsv(c, q.format)) {
      return csvResponse(c, {
        filename: `series-${body.window.from}-${body.window.to}.csv`,
        header: [
          'series',
          'bucket',
          'start',
          'end',
          'value',
          'comparison_bucket',
          'comparison_value',
        ],
        rows: seriesRows(body),
      })
    }
    return c.json(body, 200)
  })

type SeriesBody = {
  buckets: { label: string; start: string; end: string }[]
  comparison_buckets: { label: string }[] | null
  series: { series: string; values: number[]; comparison_values: number[] | null }[]
}

/** CSV rows: one per series and bucket index, the comparison bucket beside its pair. */
function* seriesRows(body: SeriesBody): Generator<unknown[]> {
  const n = Math.max(body.buckets.length, body.comparison_buckets?.length ?? 0)
  for (const s of body.series) {
    for (let i = 0; i < n; i++) {
      const b = body.buckets[i]
      yield [
        s.series,
        b?.label,
        b?.start,
        b?.end,
        s.values[i],
        body.comparison_buckets?.[i]?.label,
        s.comparison_values?.[i],
      ]
    }
  }
}
