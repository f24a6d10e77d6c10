/**
 * GET /metrics: which metrics the active organization has, and over which dates.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { listMetrics } from './queries.ts'

const MetricSummary = z.object({
  metric_name: z.string(),
  first_date: z.string().openapi({ example: '2026-01-01' }),
  last_date: z.string().openapi({ example: '2026-11-21' }),
  rows: z.number().int().openapi({ description: 'Stored values, over all sources and dimensions' }),
  sources: z.array(z.string()),
}).openapi('MetricSummary')

const list = userRoute({
  method: 'get',
  path: '/',
  summary: "List the active organization's metrics (any member)",
  responses: { 200: json(z.object({ metrics: z.array(MetricSummary) }), 'By name') },
})

/** GET /metrics. */
export const listRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(list, async (c) => {
    const metrics = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await listMetrics(tx, { orgId: org.id })
    })
    return c.json({ metrics }, 200)
  })
