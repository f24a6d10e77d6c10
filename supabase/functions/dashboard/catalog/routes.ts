/**
 * GET /dashboard/catalog: what the organization can chart, so a client can build its
 * pickers: each metric (its sources, dimensions, first and last day, and whether it is a
 * ratio re-aggregated from two others) and each event name (first and last seen).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import {
  catalogReport,
  MAX_DIMENSIONS,
  MAX_EVENT_NAMES,
  RECENT_DAYS,
} from '../../../../shared/analytics/catalog.ts'

const Metric = z.object({
  name: z.string().openapi({ example: 'ga4.sessions' }),
  aggregation: z.enum(['sum', 'unique_count', 'ratio', 'weighted_mean']).openapi({
    description: 'sum: tiles and series add days and dimensions up; unique_count: the same ' +
      'sum, but of daily distinct counts (users), so a multi-day total counts a person once ' +
      'per day; ratio: sum of `numerator` / sum of `denominator`; weighted_mean: ' +
      'sum(value × `weight`) / sum(`weight`)',
  }),
  numerator: z.string().nullable(),
  denominator: z.string().nullable(),
  weight: z.string().nullable(),
  sources: z.array(z.string()).openapi({ example: ['ga4'] }),
  dimensions: z.array(z.string()).openapi({
    description: `Dimensions seen in the metric's last ${RECENT_DAYS} days, at most ` +
      `${MAX_DIMENSIONS}`,
    example: ['channel:Organic Search'],
  }),
  dimensions_truncated: z.boolean(),
  first_date: z.string(),
  last_date: z.string(),
}).openapi('CatalogMetric')

const Event = z.object({
  name: z.string(),
  first_seen: z.string().openapi({ description: 'Start of the first 15-minute bucket' }),
  last_seen: z.string().openapi({ description: 'End of the last 15-minute bucket' }),
}).openapi('CatalogEvent')

const Catalog = z.object({
  timezone: z.string(),
  metrics: z.array(Metric),
  events: z.array(Event),
  events_truncated: z.boolean().openapi({
    description: `More than ${MAX_EVENT_NAMES} event names; the first ones by name are listed`,
  }),
}).openapi('Catalog')

const catalogRoute = userRoute({
  method: 'get',
  path: '/catalog',
  summary: 'The metrics and events of the active organization, for pickers',
  responses: { 200: json(Catalog, 'The catalogue') },
})

export const catalogRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(catalogRoute, async (c) => {
    const body = await asUser(c.get('user').claims, (tx) => catalogReport(tx))
    return c.json(body, 200)
  })
