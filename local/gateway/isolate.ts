/**
 * One function alone in a fresh Deno process, as a hosted isolate holds it, for measuring
 * its memory: `deno run -A local/gateway/isolate.ts <slug>`. It serves the function at
 * `/functions/v1/<slug>` behind the gateway's limits, and `/_internal/metric` with the
 * process's memory (heap + external sampled every 5 ms, and the resident peak).
 *
 * Prints `{"port":N}` on its first line of stdout once it listens (on a free port, or on
 * ISOLATE_PORT). The environment is the function's: SUPABASE_URL, SUPABASE_DB_URL, ...
 */
import { loadFunction } from './functions.ts'
import { createGateway } from './gateway.ts'
import { sampleMemory } from './memory.ts'

const [slug] = Deno.args
if (!slug) throw new Error('usage: isolate.ts <slug>')

sampleMemory()
const handler = await loadFunction(new URL('../../supabase/functions/', import.meta.url), slug)
const gateway = createGateway({
  functions: new Map([[slug, handler]]),
  auth: { fetch: () => Response.json({ error: 'no auth server here' }, { status: 404 }) },
  maxBodyBytes: 64 * 1024 * 1024,
  wallClockMs: 150_000,
  memoryLimitMb: 256,
})
Deno.serve({
  hostname: '127.0.0.1',
  port: Number(Deno.env.get('ISOLATE_PORT') ?? 0),
  onListen: ({ port }) => console.log(JSON.stringify({ port })),
}, gateway)
