/**
 * Memory of each ingestion route at its largest allowed batch, each in a fresh isolate
 * (local/gateway/isolate.ts: one function alone in a new Deno process), against a
 * running stack (`deno task bench:memory -- --help` lists the options).
 *
 * Prints, per route, the batch (items and bytes), the process's resident size after a
 * warm-up request, its resident peak (VmHWM) and the peak of V8 heap + external memory
 * (what the edge runtime counts against a function's 256 MB) over `--batches` batches.
 * Figures, not pass/fail; tests/http/memory_test.ts holds the routes to a budget.
 */
import { createClient } from '@supabase/supabase-js'
import { MAX_EVENTS } from '../../supabase/functions/events/ingest/routes.ts'
import { MAX_BODY_BYTES as EVENTS_MAX_BODY } from '../../supabase/functions/events/ingest/routes.ts'
import { MAX_ROWS } from '../../supabase/functions/metrics/write/routes.ts'
import { MAX_BODY_BYTES as METRICS_MAX_BODY } from '../../supabase/functions/metrics/write/routes.ts'
import type { MemoryReport } from '../../local/gateway/memory.ts'
import { commandLine } from '../../scripts/cli.ts'
import { count, printTable } from './measure.ts'

/** The largest batch a route accepts, made anew for each send (fresh ids and values). */
export type IngestionRoute = {
  slug: 'events' | 'metrics'
  maxItems: number
  maxBodyBytes: number
  batch(items: number, run: number): string
}

/** A JSON object of many small keys, `bytes` long at most: the costliest shape to parse. */
function manyKeys(bytes: number, seed: number): Record<string, number> {
  const out: Record<string, number> = {}
  // `"k0000":123456,` is 15 bytes.
  for (let i = 0; i < Math.floor((bytes - 2) / 15); i++) {
    out[`k${String(i).padStart(4, '0')}`] = 100_000 + ((seed + i) % 900_000)
  }
  return out
}

/**
 * The largest batch within `maxItems` and `maxBodyBytes`: every item carries the most
 * `extra` bytes (of many-key JSON, the costliest shape to hold in memory) that let all
 * `maxItems` fit, up to `maxExtra`.
 */
function fill(
  maxItems: number,
  maxBodyBytes: number,
  envelope: (items: unknown[]) => string,
  item: (i: number, extraBytes: number) => unknown,
  maxExtra: number,
): string {
  const room = Math.floor((maxBodyBytes - 64) / maxItems) - 1
  const bare = JSON.stringify(item(0, 0)).length
  const extra = Math.max(0, Math.min(maxExtra, room - bare - 16))
  const body = envelope(Array.from({ length: maxItems }, (_, i) => item(i, extra)))
  if (body.length > maxBodyBytes) throw new Error(`batch of ${body.length} bytes is over the limit`)
  return body
}

export const INGESTION_ROUTES: IngestionRoute[] = [
  {
    slug: 'events',
    maxItems: MAX_EVENTS,
    maxBodyBytes: EVENTS_MAX_BODY,
    batch: (items, run) => {
      const now = Date.now()
      return fill(items, EVENTS_MAX_BODY, (events) => JSON.stringify({ events }), (i, extra) => ({
        id: `${crypto.randomUUID()}-${run}`,
        name: `memory_probe_${i % 50}`,
        occurred_at: new Date(now - i * 1000).toISOString(),
        actor_id: `actor-${i % 200}`,
        session_id: `session-${run}-${i % 400}`,
        properties: manyKeys(extra, i + run),
      }), 8192)
    },
  },
  {
    slug: 'metrics',
    maxItems: MAX_ROWS,
    maxBodyBytes: METRICS_MAX_BODY,
    batch: (items, run) =>
      fill(items, METRICS_MAX_BODY, (rows) => JSON.stringify({ rows }), (i, extra) => ({
        metric_date: new Date(Date.UTC(2026, 0, 1) + (i % 365) * 86_400_000).toISOString()
          .slice(0, 10),
        metric_name: `memory_probe_${run}_${i % 20}`,
        value: run * 1000 + i,
        source: 'bench-memory',
        dimension: `dimension-${Math.floor(i / 365)}`,
        meta: manyKeys(extra, i + run),
      }), 1024),
  },
]

/** What one route's isolate measured. */
export type RouteMemory = {
  route: IngestionRoute
  items: number
  bodyBytes: number
  statuses: number[]
  /** After the warm-up request. */
  baseline: MemoryReport
  /** After the max batches; its peaks cover them. */
  after: MemoryReport
}

export type MemoryOptions = {
  url: string
  keysFile: string
  dbUrl: string
  token: string
  batches: number
}

async function listening(child: Deno.ChildProcess): Promise<number> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  while (!text.includes('\n')) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`the isolate exited before listening: ${text}`)
    text += value
  }
  reader.releaseLock()
  return JSON.parse(text.split('\n')[0]).port
}

/** Boots `route`'s function in a fresh process and sends it `batches` largest batches. */
export async function measureRoute(
  route: IngestionRoute,
  options: MemoryOptions,
): Promise<RouteMemory> {
  const keys = JSON.parse(await Deno.readTextFile(options.keysFile))
  const isolate = new URL('../../local/gateway/isolate.ts', import.meta.url).pathname
  const child = new Deno.Command(Deno.execPath(), {
    args: ['run', '--allow-all', isolate, route.slug],
    env: {
      SUPABASE_URL: options.url,
      SUPABASE_DB_URL: options.dbUrl,
      SUPABASE_JWKS: JSON.stringify({ keys: [keys.publicJwk] }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
      LOG_LEVEL: 'error',
      ACCESS_LOG: 'off',
    },
    stdout: 'piped',
    stderr: 'inherit',
  }).spawn()
  try {
    const base = `http://127.0.0.1:${await listening(child)}`
    const send = async (body: string) => {
      const res = await fetch(`${base}/functions/v1/${route.slug}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body,
      })
      const text = await res.text()
      // A failure is reported in the table rather than ending the run.
      if (res.status !== 200) console.error(`${route.slug}: ${res.status} ${text.slice(0, 300)}`)
      return res.status
    }
    const metric = async () => await (await fetch(`${base}/_internal/metric`)).json()
    await send(route.batch(1, 0))
    const baseline: MemoryReport = await metric()
    const statuses: number[] = []
    let bodyBytes = 0
    for (let run = 1; run <= options.batches; run++) {
      const body = route.batch(route.maxItems, run)
      bodyBytes = body.length
      statuses.push(await send(body))
    }
    return { route, items: route.maxItems, bodyBytes, statuses, baseline, after: await metric() }
  } finally {
    child.kill('SIGTERM')
    await child.status
    await child.stdout.cancel().catch(() => {})
  }
}

/** Signs up a fresh user on the stack and gives them an organization to ingest into. */
export async function ingestingUser(url: string, publishableKey: string): Promise<string> {
  const client = createClient(url, publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })
  const email = `memory-${crypto.randomUUID().slice(0, 12)}@bench.local`
  const { data, error } = await client.auth.signUp({ email, password: crypto.randomUUID() })
  if (error || !data.session) throw new Error(`sign-up failed: ${error?.message}`)
  const token = data.session.access_token
  const res = await fetch(`${url}/functions/v1/orgs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Memory bench' }),
  })
  if (res.status !== 201) throw new Error(`creating the organization: ${await res.text()}`)
  await res.body?.cancel()
  return token
}

/** Prints one row per route. */
export function printMemory(results: RouteMemory[]): void {
  const mb = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)}`)
  printTable(
    'Memory of the largest allowed batch, one fresh isolate per route (MB; hosted limit 256)',
    [
      'route',
      'items',
      'body MB',
      'statuses',
      'RSS after warm-up',
      'peak RSS',
      'peak heap+external',
      'heap+external after warm-up',
    ],
    results.map((r) => [
      `POST /${r.route.slug}`,
      count(r.items),
      mb(r.bodyBytes / (1024 * 1024)),
      r.statuses.join(' '),
      mb(r.baseline.rss_mb),
      mb(r.after.peak_rss_mb),
      mb(r.after.peak_heap_external_mb),
      mb(r.baseline.heap_used_mb + r.baseline.external_mb),
    ]),
  )
}

const cli = commandLine(
  `usage: deno task bench:memory -- [options]

Measures each ingestion route's memory at its largest batch, in a fresh isolate.

  --url URL          the API gateway (default $LYTICS_API_URL or http://127.0.0.1:54321)
  --db URL           the database, as postgres (default $LYTICS_DB_URL or the dev stack's)
  --keys FILE        the stack's keys (default .local/dev/keys.json)
  --routes LIST      any of ${INGESTION_ROUTES.map((r) => r.slug).join(',')} (default all)
  --batches N        batches per route (default 3)
  -h, --help         this text`,
  {
    url: { type: 'string', default: Deno.env.get('LYTICS_API_URL') ?? 'http://127.0.0.1:54321' },
    db: {
      type: 'string',
      default: Deno.env.get('LYTICS_DB_URL') ??
        'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
    },
    keys: { type: 'string', default: '.local/dev/keys.json' },
    routes: { type: 'string', default: 'events,metrics' },
    batches: { type: 'string', default: '3' },
  } as const,
)

if (import.meta.main) {
  const values = cli.parse()
  const batches = cli.wholeNumber('batches', values.batches, { min: 1 })
  const routes = values.routes.split(',').map((slug) => {
    const route = INGESTION_ROUTES.find((r) => r.slug === slug.trim())
    return route ?? cli.fail(`--routes: no ingestion route '${slug.trim()}'`)
  })
  const keys = JSON.parse(await Deno.readTextFile(values.keys))
  const token = await ingestingUser(values.url, keys.publishableKey)
  const results: RouteMemory[] = []
  for (const route of routes) {
    results.push(
      await measureRoute(route, {
        url: values.url,
        keysFile: values.keys,
        dbUrl: values.db,
        token,
        batches,
      }),
    )
  }
  printMemory(results)
}
