/**
 * health: liveness without the database, readiness with it.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { assistantConfigProblems, configProblems } from '../../../shared/config.ts'
import { providersConfigSchema } from '../../../shared/providers/config.ts'
import { createApp } from '../../../shared/http/app.ts'
import { json } from '../../../shared/http/openapi.ts'
import { latestMigration } from './queries.ts'

const Live = z.object({ status: z.literal('ok') }).openapi('Live')
const Ready = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.object({
    reachable: z.boolean(),
    latency_ms: z.number().nullable(),
    migration: z.string().nullable().openapi({ description: 'Latest applied migration version' }),
  }),
  missing_config: z.array(z.string()).openapi({ description: 'Names of missing settings' }),
  missing_provider_config: z.array(z.string()).openapi({
    description: 'Names of missing or malformed data-source settings (Google, Instagram, ' +
      'the credential keys): the API is ready, but connecting or syncing those sources is not',
  }),
  missing_assistant_config: z.array(z.string()).openapi({
    description: "Names of missing or malformed settings of the assistant's model (OPENAI_*, " +
      'ASSISTANT_*): the API is ready, but questions answer 503 until a key is set here or ' +
      'stored by the organization; insights still work',
  }),
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

export const app = createApp('health', {
  title: 'Health',
  description: 'Liveness and readiness probes of the Lytics functions.',
})
  .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(ready, async (c) => {
    const missing = configProblems()
    let reachable = false
    let latency: number | null = null
    let migration: string | null = null
    if (missing.length === 0) {
      const started = performance.now()
      try {
        migration = await latestMigration()
        reachable = true
        latency = Math.round((performance.now() - started) * 10) / 10
      } catch {
        reachable = false
      }
    }
    const ok = reachable && missing.length === 0
    const body = {
      status: ok ? 'ready' as const : 'not_ready' as const,
      database: { reachable, latency_ms: latency, migration },
      missing_config: missing,
      missing_provider_config: configProblems(providersConfigSchema).filter((name) =>
        name !== 'SUPABASE_DB_URL'
      ),
      missing_assistant_config: assistantConfigProblems(),
    }
    return ok ? c.json(body, 200) : c.json(body, 503)
  })

/** The health API's routes and types, for a typed client (`hc<AppType>` from hono/client). */
export type AppType = typeof app
