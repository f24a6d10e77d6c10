/**
 * Feature usage: per event name, how often it happened and how many distinct actors did it.
 *
 * Counts come from the event_name_days rollup (per organization day and name) in the
 * organization's timezone, else from event_counts (15-minute buckets, exact for any
 * timezone's days). Distinct actors come from the feature_actor_windows rollup (per
 * organization day and name, how many actors' previous day of that name lies more than k
 * days back, for every k below 92) for windows of up to 92 of the organization's days,
 * exactly, one row per name and day. Longer windows,
 * another timezone or a queued timezone rebuild count them from raw events, only for the
 * names on the requested page (at most 100), through the (org_id, name, occurred_at)
 * index; that grows with the page's events in range (docs/performance/dashboard.md), so
 * it has a time budget: past it, `actors` is null and the event counts still come back.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { queryInt, rangeQuerySchema, withRangeRules } from '../../../../shared/analytics/mod.ts'
import { featureUsageReport } from '../../../../shared/analytics/feature-usage.ts'

const query = withRangeRules(rangeQuerySchema.extend({
  limit: queryInt(1, 100).default(20).openapi({ description: 'Names per page (1-100)' }),
  offset: queryInt(0, 100_000).default(0).openapi({ description: 'Names to skip' }),
}))

const Feature = z.object({
  name: z.string(),
  events: z.number().int(),
  actors: z.number().int().nullable().openapi({
    description: 'Distinct actors with this event; null when there were too many events ' +
      'in the range to count them in time (narrow the range)',
  }),
}).openapi('FeatureUsageRow')

const FeatureUsage = z.object({
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  total_groups: z.number().int().openapi({ description: 'Event names with events in range' }),
  limit: z.number().int(),
  offset: z.number().int(),
  features: z.array(Feature).openapi({ description: 'Most frequent first, then by name' }),
}).openapi('FeatureUsage')

const featureUsageRoute = userRoute({
  method: 'get',
  path: '/feature-usage',
  summary: 'Events and distinct actors per event name',
  request: { query },
  responses: { 200: json(FeatureUsage, 'Feature usage, one page of event names') },
})

export const featureUsageRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(featureUsageRoute, async (c) => {
    const q = c.req.valid('query')
    const body = await asUser(c.get('user').claims, (tx) => featureUsageReport(tx, q))
    return c.json(body, 200)
  })
