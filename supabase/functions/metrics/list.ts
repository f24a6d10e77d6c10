/**
 * GET /metrics: which metrics the active organization has, and over which dates.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../shared/db.ts'
import { json, userRoute } from '../../../shared/http/openapi.ts'
import { validationFailed } from '../../../shared/http/validation.ts'
import { activeOrg } from '../../../shared/tenant.ts'

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

/** Registers GET /metrics. */
export const listRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(list, async (c) => {
    const metrics = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await tx<z.infer<typeof MetricSummary>[]>`
        select metric_name, min(metric_date)::text as first_date,
               max(metric_date)::text as last_date, count(*)::int as rows,
               array_agg(distinct source order by source) as sources
        from public.metrics where org_id = ${org.id}
        group by metric_name order by metric_name`
    })
    return c.json({ metrics }, 200)
  })
