/**
 * health: liveness without the database, readiness with it.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { configProblems } from '../../../shared/config.ts'
import { db } from '../../../shared/db.ts'
import { createApp } from '../../../shared/http/app.ts'
import { json } from '../../../shared/http/openapi.ts'

export const app = createApp('health', {
  title: 'Health',
  description: 'Liveness and readiness probes of the Lytics functions.',
})

const Live = z.object({ status: z.literal('ok') }).openapi('Live')
const Ready = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.object({
    reachable: z.boolean(),
    latency_ms: z.number().nullable(),
    migration: z.string().nullable().openapi({ description: 'Latest applied migration version' }),
  }),
  missing_config: z.array(z.string()).openapi({ description: 'Names of missing settings' }),
}).openapi('Ready')

const live = createRoute({
  method: 'get',
  path: '/live',
  summary: 'The function is up (no database round trip)',
  responses: { 200: json(Live, 'Alive') },
})

const ready = createRoute({
  method: 'get',
  path: '/ready',
  summary: 'The database answers and the configuration is complete',
  responses: { 200: json(Ready, 'Ready'), 503: json(Ready, 'Not ready') },
})

app.openapi(live, (c) => c.json({ status: 'ok' as const }, 200))

app.openapi(ready, async (c) => {
  const missing = configProblems()
  let reachable = false
  let latency: number | null = null
  let migration: string | null = null
  if (missing.length === 0) {
    const started = performance.now()
    try {
      const [row] = await db()`
        select (select max(version) from supabase_migrations.schema_migrations) as version`
      reachable = true
      latency = Math.round((performance.now() - started) * 10) / 10
      migration = row?.version ?? null
    } catch {
      reachable = false
    }
  }
  const ok = reachable && missing.length === 0
  const body = {
    status: ok ? 'ready' as const : 'not_ready' as const,
    database: { reachable, latency_ms: latency, migration },
    missing_config: missing,
  }
  return ok ? c.json(body, 200) : c.json(body, 503)
})
