/**
 * Events per second through HTTP (gateway → events function → Postgres) with 1,000-event
 * batches and an API key. Not a test: run it against a running stack, e.g.
 *
 *   LYTICS_STATE_DIR=.local/dev LYTICS_API_URL=http://127.0.0.1:54321 \
 *   LYTICS_DB_URL=postgresql://postgres:postgres@127.0.0.1:54322/postgres \
 *     deno run -A tests/ingest/bench_ingest.ts
 *
 * BATCHES (default 200) batches are sent by CONCURRENCY (default 4) loops, bounded in count,
 * to this machine only. Bodies are built before the clock starts, so the client's own work
 * is little more than sending them.
 */
import { sha256Hex } from '../../shared/crypto.ts'
import { newApiKey } from '../../shared/ingest-auth.ts'
import { adminSql, stack } from '../_helpers/stack.ts'

const stateDir = Deno.env.get('LYTICS_STATE_DIR') ?? '.local/test'
const TICKS_PER_SECOND = 100

// CPU seconds used so far by the gateway and by every Postgres process of the stack, from
// /proc (Linux only; 0 elsewhere). Wall-clock figures depend on whatever else the machine
// runs; CPU per event says what the stack itself costs.
function stackCpuSeconds(): { gateway: number; postgres: number } {
  const ticks = (pid: number) => {
    try {
      const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(') ')[1].split(' ')
      return { ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]) }
    } catch {
      return { ppid: 0, cpu: 0 }
    }
  }
  const read = (path: string) => {
    try {
      return Number(Deno.readTextFileSync(path).split('\n')[0])
    } catch {
      return 0
    }
  }
  const gateway = read(`${stateDir}/gateway.pid`)
  const postmaster = read(`${stateDir}/db/postmaster.pid`)
  let postgres = postmaster ? ticks(postmaster).cpu : 0
  try {
    for (const entry of Deno.readDirSync('/proc')) {
      const pid = Number(entry.name)
      if (!pid || !postmaster) continue
      const t = ticks(pid)
      if (t.ppid === postmaster) postgres += t.cpu
    }
  } catch {
    // No /proc: report zeros.
  }
  return { gateway: ticks(gateway).cpu / TICKS_PER_SECOND, postgres: postgres / TICKS_PER_SECOND }
}

const BATCHES = Number(Deno.env.get('BATCHES') ?? 200)
const CONCURRENCY = Number(Deno.env.get('CONCURRENCY') ?? 4)
const BATCH = 1000

const [owner] = await adminSql<{ id: string }[]>`
  insert into auth.users (email) values (${`bench-${crypto.randomUUID()}@test.local`}) returning id`
const [org] = await adminSql<{ id: string }[]>`
  insert into public.organizations (name, slug, created_by)
  values ('Bench', ${`bench-${crypto.randomUUID().slice(0, 8)}`}, ${owner.id}) returning id`
const { key, prefix } = await newApiKey()
await adminSql`insert into public.api_keys (org_id, name, prefix, key_hash)
               values (${org.id}, 'bench', ${prefix}, ${await sha256Hex(key)})`

// Spread like real traffic: a week of timestamps, 5,000 actors, a few event names, so each
// batch touches about a thousand rows of every rollup.
const NAMES = ['page_view', 'page_view', 'page_view', 'signup', 'login', 'report_exported']
const now = Date.now()
const bodies = Array.from({ length: BATCHES }, (_, b) =>
  JSON.stringify({
    events: Array.from({ length: BATCH }, (_, i) => {
      const n = b * BATCH + i
      return {
        id: `b${b}-${i}`,
        name: NAMES[n % NAMES.length],
        occurred_at: new Date(now - ((n * 7919) % (7 * 86_400_000))).toISOString(),
        actor_id: `u_${(n * 31) % 5_000}`,
        session_id: `s_${Math.floor(n / 20)}`,
        properties: { plan: ['free', 'pro', 'team'][n % 3], path: `/p/${n % 40}` },
      }
    }),
  }))

async function send(body: string): Promise<number> {
  const started = performance.now()
  const res = await fetch(`${stack.apiUrl}/functions/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  })
  const reply = await res.json()
  if (res.status !== 200 || reply.accepted !== BATCH) {
    throw new Error(`batch refused: ${res.status} ${JSON.stringify(reply)}`)
  }
  return performance.now() - started
}

await send(JSON.stringify({ events: [{ name: 'warm_up', occurred_at: new Date().toISOString() }] }))
  .catch(() => {}) // the warm-up batch holds one event, so it "fails" the count check
const latencies: number[] = []
let next = 0
const cpuBefore = stackCpuSeconds()
const started = performance.now()
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (next < BATCHES) latencies.push(await send(bodies[next++]))
}))
const seconds = (performance.now() - started) / 1000
const cpuAfter = stackCpuSeconds()
const perBatch = (k: 'gateway' | 'postgres') => (cpuAfter[k] - cpuBefore[k]) / BATCHES * 1000

latencies.sort((a, b) => a - b)
const [stored] = await adminSql<{ n: number }[]>`
  select count(*)::int as n from public.events where org_id = ${org.id}`
console.log(
  `${BATCHES} batches × ${BATCH} events, concurrency ${CONCURRENCY}: ` +
    `${Math.round((BATCHES * BATCH) / seconds)} events/s; ` +
    `latency p50 ${latencies[Math.floor(latencies.length / 2)].toFixed(1)} ms, ` +
    `p95 ${latencies[Math.floor(latencies.length * 0.95)].toFixed(1)} ms; ${stored.n} stored`,
)
console.log(
  `CPU per batch: gateway ${perBatch('gateway').toFixed(1)} ms, ` +
    `postgres ${perBatch('postgres').toFixed(1)} ms ` +
    `(two idle cores would allow about ${
      Math.round(2 * BATCH * 1000 / (perBatch('gateway') + perBatch('postgres')))
    } events/s before the client's own work)`,
)
await adminSql`delete from public.organizations where id = ${org.id}`
await adminSql`delete from auth.users where id = ${owner.id}`
await adminSql.end()
