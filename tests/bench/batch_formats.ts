/**
 * Measures how a 1,000-event batch is best handed to Postgres: one JSON parameter
 * (json_to_recordset or jsonb_to_recordset) or one array parameter per column (unnest).
 * Not a test: run it against a running stack, e.g.
 *
 *   LYTICS_STATE_DIR=.local/dev LYTICS_DB_URL=postgresql://postgres:postgres@127.0.0.1:54322/postgres \
 *     deno run -A tests/bench/batch_formats.ts
 *
 * It makes one organization, sends ROUNDS batches per method (interleaved) and prints the
 * median and p90 milliseconds per batch, JS preparation included.
 */
import { adminSql } from '../_helpers/stack.ts'

type Event = {
  id: string
  name: string
  occurred_at: string
  actor_id: string
  session_id: string
  properties: Record<string, unknown>
}
type Sql = typeof adminSql
type Method = (tx: Sql, orgId: string, events: Event[]) => Promise<number>

const ROUNDS = Number(Deno.env.get('ROUNDS') ?? 30)
const BATCH = 1000

const methods: Record<string, Method> = {
  json_to_recordset: async (tx, orgId, events) =>
    (await tx`
      insert into public.events (org_id, id, occurred_at, name, actor_id, session_id, properties)
      select ${orgId}::uuid, coalesce(e.id, gen_random_uuid()::text), e.occurred_at, e.name,
             e.actor_id, e.session_id, coalesce(e.properties, '{}'::jsonb)
      from json_to_recordset(${JSON.stringify(events)}::text::json) as e(
        id text, occurred_at timestamptz, name text, actor_id text, session_id text,
        properties jsonb)
      order by 2
      on conflict (org_id, id, occurred_at) do nothing`).count,
  jsonb_to_recordset: async (tx, orgId, events) =>
    (await tx`
      insert into public.events (org_id, id, occurred_at, name, actor_id, session_id, properties)
      select ${orgId}::uuid, coalesce(e.id, gen_random_uuid()::text), e.occurred_at, e.name,
             e.actor_id, e.session_id, coalesce(e.properties, '{}'::jsonb)
      from jsonb_to_recordset(${JSON.stringify(events)}::text::jsonb) as e(
        id text, occurred_at timestamptz, name text, actor_id text, session_id text,
        properties jsonb)
      order by 2
      on conflict (org_id, id, occurred_at) do nothing`).count,
  unnest_arrays: async (tx, orgId, events) => {
    const n = events.length
    const ids = new Array<string | null>(n)
    const times = new Array<string>(n)
    const names = new Array<string>(n)
    const actors = new Array<string | null>(n)
    const sessions = new Array<string | null>(n)
    const props = new Array<string | null>(n)
    for (let i = 0; i < n; i++) {
      const e = events[i]
      ids[i] = e.id ?? null
      times[i] = e.occurred_at
      names[i] = e.name
      actors[i] = e.actor_id ?? null
      sessions[i] = e.session_id ?? null
      props[i] = e.properties ? JSON.stringify(e.properties) : null
    }
    // Typed text[] so postgres.js passes the strings through instead of re-encoding them.
    return (await tx`
      insert into public.events (org_id, id, occurred_at, name, actor_id, session_id, properties)
      select ${orgId}::uuid, coalesce(e.id, gen_random_uuid()::text), e.occurred_at, e.name,
             e.actor_id, e.session_id, coalesce(e.properties, '{}'::jsonb)
      from unnest(${ids}::text[], ${times}::text[]::timestamptz[], ${names}::text[],
                  ${actors}::text[], ${sessions}::text[], ${props}::text[]::jsonb[])
        as e(id, occurred_at, name, actor_id, session_id, properties)
      order by 2
      on conflict (org_id, id, occurred_at) do nothing`).count
  },
}

function batch(round: number, method: string): Event[] {
  const now = Date.now()
  return Array.from({ length: BATCH }, (_, i) => ({
    id: `${method}-${round}-${i}`,
    name: ['page_view', 'signup', 'click', 'purchase'][i % 4],
    occurred_at: new Date(now - i * 1000).toISOString(),
    actor_id: `user-${i % 200}`,
    session_id: `s-${i % 50}`,
    properties: { path: `/docs/${i % 30}`, plan: i % 3 ? 'free' : 'pro', n: i },
  }))
}

const [owner] = await adminSql<{ id: string }[]>`
  insert into auth.users (email) values (${`bench-${crypto.randomUUID()}@test.local`}) returning id`
const [org] = await adminSql<{ id: string }[]>`
  insert into public.organizations (name, slug, created_by)
  values ('Bench', ${`bench-${crypto.randomUUID().slice(0, 8)}`}, ${owner.id}) returning id`

const times: Record<string, number[]> = Object.fromEntries(Object.keys(methods).map((m) => [m, []]))
for (let round = -2; round < ROUNDS; round++) {
  for (const [name, method] of Object.entries(methods)) {
    const events = batch(round, name)
    const started = performance.now()
    const stored = await adminSql.begin(async (tx) => {
      await tx`select set_config('role', 'service_role', true)`
      return await method(tx as unknown as Sql, org.id, events)
    })
    if (stored !== BATCH) throw new Error(`${name} stored ${stored}`)
    if (round >= 0) times[name].push(performance.now() - started) // two warm-up rounds
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * xs.length)]
for (const [name, xs] of Object.entries(times)) {
  console.log(
    `${name.padEnd(20)} median ${pct(xs, 0.5).toFixed(1)} ms  p90 ${pct(xs, 0.9).toFixed(1)} ms` +
      `  (${Math.round(BATCH / pct(xs, 0.5) * 1000)} events/s)`,
  )
}
await adminSql`delete from public.organizations where id = ${org.id}`
await adminSql`delete from auth.users where id = ${owner.id}`
await adminSql.end()
