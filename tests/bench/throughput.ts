/**
 * Throughput through the gateway: ingestion (POST /events in 1,000-event batches and
 * POST /metrics, with an ingest API key, from several concurrent clients) and requests
 * per second of the authentication path.
 *
 * Ingestion writes to an organization made for the run and deleted after it, with all it
 * received: repeated runs then measure the same database, not one that grows with each
 * run.
 */
import { dirname } from 'node:path'
import { newApiKey } from '../../shared/api-keys.ts'
import { type Bench, request } from './context.ts'
import { cpuPerRow, type CpuSplit, localStackCpu } from './cpu.ts'
import { concurrently, type Stats, stats } from './measure.ts'

/** Rows per second of one ingestion path. */
export type Ingestion = {
  path: string
  shape: string
  batches: number
  batchSize: number
  rows: number
  seconds: number
  latency: Stats
  /** CPU µs per row of the bench client, the gateway and Postgres, on a local stack. */
  cpu?: CpuSplit
}

const EVENT_BATCH = 1_000
const METRIC_BATCH = 5_000
const NAMES = ['page_view', 'page_view', 'page_view', 'signup', 'login', 'report_exported']
const PLANS = ['free', 'pro', 'team']

/** An organization for one run's ingestion, owned by bench-other's owner. */
type ScratchOrg = { id: string; key: string }

// Made in SQL: creating organizations and keys is not what is measured.
async function scratchOrg(bench: Bench, run: string): Promise<ScratchOrg> {
  const owner = bench.other.claims.sub
  const [org] = await bench.admin<{ id: string }[]>`
    insert into public.organizations (name, slug, timezone, created_by)
    values (${`Ingestion ${run}`}, ${run}, 'Europe/Berlin', ${owner})
    returning id`
  await bench.admin`
    insert into public.memberships (org_id, user_id, role) values (${org.id}, ${owner}, 'owner')
    on conflict do nothing`
  const { key, prefix, hash } = await newApiKey()
  await bench.admin`
    insert into public.api_keys (org_id, name, prefix, key_hash, scopes, created_by)
    values (${org.id}, 'bench', ${prefix}, ${hash}, '{ingest}', ${owner})`
  return { id: org.id, key }
}

/**
 * How a batch's events spread: `live` is what a backend sends in real time (the last ten
 * minutes, 200 actors per batch), `backfill` the worst case for the rollups (every event
 * a different actor and day, over a week), so each event upserts its own rollup rows.
 */
type Shape = 'live' | 'backfill'

// Bodies are built before the clock starts, so the figures are the server's.
function eventBodies(run: string, batches: number, shape: Shape): string[] {
  const now = Date.now()
  return Array.from({ length: batches }, (_, b) =>
    JSON.stringify({
      events: Array.from({ length: EVENT_BATCH }, (_, i) => {
        const n = b * EVENT_BATCH + i
        const live = shape === 'live'
        const actor = live ? (b * 200 + ((i * 7) % 200)) % 5_000 : (n * 31) % 5_000
        const age = live ? (i * 613) % 600_000 : (n * 7919) % (7 * 86_400_000)
        return {
          id: `${run}-${shape}-${n}`,
          name: NAMES[n % NAMES.length],
          occurred_at: new Date(now - age).toISOString(),
          actor_id: `u_${actor}`,
          session_id: `s_${run}_${actor}`,
          properties: { plan: PLANS[actor % 3], path: `/p/${n % 40}`, country: 'DE' },
        }
      }),
    }))
}

function metricBodies(run: string, batches: number): string[] {
  const today = Date.now()
  return Array.from({ length: batches }, (_, b) =>
    JSON.stringify({
      rows: Array.from({ length: METRIC_BATCH }, (_, i) => ({
        metric_name: 'bench_ingest',
        metric_date: new Date(today - (i % 365) * 86_400_000).toISOString().slice(0, 10),
        source: 'bench',
        dimension: `${run}-${b}-${Math.floor(i / 365)}`,
        value: (i * 37) % 1000,
      })),
    }))
}

async function ingest(
  bench: Bench,
  key: string,
  what: { path: '/events' | '/metrics'; shape: string; batchSize: number },
  bodies: string[],
): Promise<Ingestion> {
  const { path, batchSize } = what
  const send = (body: string) => request(bench, path, { token: key, method: 'POST', body })
  // One warm-up batch, not counted.
  await (await send(bodies[0])).body?.cancel()
  const sample = localStackCpu(dirname(bench.options.keys))
  const before = sample?.()
  const run = await concurrently(bench.options.clients, bodies.length - 1, async (job) => {
    await (await send(bodies[job + 1])).arrayBuffer()
  })
  const after = sample?.()
  const batches = bodies.length - 1
  const rows = batches * batchSize
  return {
    ...what,
    batches,
    rows,
    seconds: run.seconds,
    latency: stats(run.latencies),
    cpu: before && after ? cpuPerRow(before, after, rows) : undefined,
  }
}

/** Measures POST /events and POST /metrics. */
export async function measureIngestion(bench: Bench): Promise<Ingestion[]> {
  const run = `bench-ingest-${Date.now().toString(36)}`
  const org = await scratchOrg(bench, run)
  try {
    return await measureInto(bench, org.key, run)
  } finally {
    // The delete cascades to its events (by trigger), rollups, metrics and key; the vacuum
    // clears the dead rows now rather than in autovacuum during the next run.
    await bench.admin`delete from public.organizations where id = ${org.id}`
    await bench.admin.unsafe(
      'vacuum public.events, public.event_counts, public.event_actor_days, public.event_actors, ' +
        'public.metrics',
    )
  }
}

async function measureInto(bench: Bench, key: string, run: string): Promise<Ingestion[]> {
  const eventBatches = Math.max(2, Math.ceil(bench.options.ingestEvents / EVENT_BATCH) + 1)
  const metricBatches = Math.max(2, Math.ceil(bench.options.ingestMetrics / METRIC_BATCH) + 1)
  const events = (shape: Shape) => ({ path: '/events' as const, shape, batchSize: EVENT_BATCH })
  return [
    await ingest(bench, key, events('live'), eventBodies(run, eventBatches, 'live')),
    await ingest(bench, key, events('backfill'), eventBodies(run, eventBatches, 'backfill')),
    await ingest(
      bench,
      key,
      { path: '/metrics', shape: 'new keys, 365 days', batchSize: METRIC_BATCH },
      metricBodies(run, metricBatches),
    ),
  ]
}

/** Requests per second of one endpoint at the bench's concurrency. */
export type Rate = { name: string; status: number; requests: number; rps: number; latency: Stats }

// A valid token with one signature character changed: the full ES256 verification runs
// and fails, so the 401 costs what verifying costs, with no database work.
function tampered(token: string): string {
  const [head, body, sig] = token.split('.')
  const i = Math.floor(sig.length / 2)
  return `${head}.${body}.${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`
}

/**
 * Requests per second of: the gateway and Hono alone (`/health/live`, no token), the full
 * ES256 check alone (`/account/me` with a bad signature: 401 before any query, and never
 * remembered), an authenticated endpoint without database work (`/account/session`; the
 * token's check is remembered after its first request, as for any client), and a signed-in
 * request with one small transaction (`/account/me`: profile and memberships).
 */
export async function measureAuthPath(bench: Bench, requests: number): Promise<Rate[]> {
  const cases = [
    { name: 'GET /health/live (no token, no DB)', path: '/health/live', token: '', status: 200 },
    {
      name: 'GET /account/me, bad signature (ES256 check each time, no DB)',
      path: '/account/me',
      token: tampered(bench.bench.token),
      status: 401,
    },
    {
      name: 'GET /account/session (signed in, no DB)',
      path: '/account/session',
      token: bench.bench.token,
      status: 200,
    },
    {
      name: 'GET /account/me (signed in, 1 transaction)',
      path: '/account/me',
      token: bench.bench.token,
      status: 200,
    },
  ]
  const rates: Rate[] = []
  for (const c of cases) {
    const call = () => request(bench, c.path, { token: c.token, expect: c.status })
    await concurrently(bench.options.clients, 50, async () => (await call()).arrayBuffer())
    const run = await concurrently(
      bench.options.clients,
      requests,
      async () => (await call()).arrayBuffer(),
    )
    rates.push({
      name: c.name,
      status: c.status,
      requests,
      rps: requests / run.seconds,
      latency: stats(run.latencies),
    })
  }
  return rates
}
