/**
 * GET /dashboard/catalog: what the organization can chart, so a client can build its
 * pickers: each metric (its sources, dimensions, first and last day, and whether it is a
 * ratio re-aggregated from two others) and each event name (first and last seen).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { reaggregationOf } from '../../../../shared/analytics/mod.ts'
import {
  eventCatalog,
  MAX_DIMENSIONS,
  MAX_EVENT_NAMES,
  metricCatalog,
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
    const body = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      const metrics = await metricCatalog(tx, { orgId: org.id })
      const events = await eventCatalog(tx, { orgId: org.id })
      return {
        timezone: org.timezone,
        metrics: metrics.map((m) => {
          const rule = reaggregationOf(m.meta)
          return {
            name: m.name,
            aggregation: rule?.aggregation ??
              (m.meta?.aggregation === 'unique_count' ? 'unique_count' as const : 'sum' as const),
            numerator: rule?.aggregation === 'ratio' ? rule.numerator : null,
            denominator: rule?.aggregation === 'ratio' ? rule.denominator : null,
            weight: rule?.aggregation === 'weighted_mean' ? rule.weight : null,
            sources: m.sources,
            dimensions: m.dimensions.slice(0, MAX_DIMENSIONS),
            dimensions_truncated: m.dimensions.length > MAX_DIMENSIONS,
            first_date: m.first_date,
            last_date: m.last_date,
          }
        }),
        events: events.slice(0, MAX_EVENT_NAMES).map((e) => ({
          name: e.name,
          first_seen: e.first_seen.toISOString(),
          last_seen: e.last_seen.toISOString(),
        })),
        events_truncated: events.length > MAX_EVENT_NAMES,
      }
    })
    return c.json(body, 200)
  })
