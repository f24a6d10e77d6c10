/**
 * What every part of the benchmark needs: the stack's URLs and keys, the bench user's
 * session, and a database client that runs SQL as that user exactly like shared/db.ts.
 */
import { createClient } from '@supabase/supabase-js'
import { decodeJwt } from 'jose'
import postgres from 'postgres'
import type { JWTClaims } from '../../shared/auth.ts'
import type { Tx } from '../../shared/db.ts'
import { BENCH_EMAIL, BENCH_PASSWORD, BENCH_SLUG, OTHER_EMAIL } from '../../scripts/seed-large.ts'

/** Where the stack is and how hard to push it. */
export type BenchOptions = {
  url: string
  db: string
  keys: string
  requests: number
  warmup: number
  /** Seconds one dashboard case may take before it stops sampling. */
  budget: number
  clients: number
  ingestEvents: number
  ingestMetrics: number
  authRequests: number
  explain: boolean
}

/** A signed-in user of the stack. */
export type Session = { token: string; claims: JWTClaims }

/** Everything a measurement needs. */
export type Bench = {
  options: BenchOptions
  publishableKey: string
  /** bench@lytics.dev, whose default organization is `bench`. */
  bench: Session
  /** The owner of `bench-other`, who also owns each run's ingestion organization. */
  other: Session
  /** Superuser connection, for counts and EXPLAIN. */
  admin: postgres.Sql
  /** Same settings as shared/db.ts's client; statements are recorded while `capture.on`. */
  sql: postgres.Sql
  capture: Capture
}

/** Statements the bench's client sent while `on`, for EXPLAIN. */
export type Capture = { on: boolean; statements: { text: string; params: unknown[] }[] }

/** The bench organization as seed:large left it. */
export type BenchOrg = { id: string; events: number; metrics: number }

/** Finds the bench organization, or undefined when seed:large has not run. */
export async function findBenchOrg(admin: postgres.Sql): Promise<BenchOrg | undefined> {
  // The rollup sums to the event count and reads a fraction of the rows.
  const [org] = await admin<{ id: string; events: string | null; metrics: string }[]>`
    select o.id,
           (select sum(c.events) from public.event_counts c where c.org_id = o.id) as events,
           (select count(*) from public.metrics m where m.org_id = o.id) as metrics
    from public.organizations o where o.slug = ${BENCH_SLUG}`
  if (!org || !org.events) return undefined
  return { id: org.id, events: Number(org.events), metrics: Number(org.metrics) }
}

/** Signs in with supabase-js, as an app would, and returns the access token and its claims. */
export async function signIn(
  url: string,
  publishableKey: string,
  email: string,
): Promise<Session> {
  const client = createClient(url, publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })
  const { data, error } = await client.auth.signInWithPassword({ email, password: BENCH_PASSWORD })
  if (error || !data.session) throw new Error(`sign-in as ${email} failed: ${error?.message}`)
  const token = data.session.access_token
  return { token, claims: decodeJwt(token) as JWTClaims }
}

/** Connects and signs in; the caller has checked that the bench organization exists. */
export async function openBench(options: BenchOptions, admin: postgres.Sql): Promise<Bench> {
  const keys = JSON.parse(await Deno.readTextFile(options.keys))
  const capture: Capture = { on: false, statements: [] }
  // The options of shared/db.ts db(), so the raw path pays what the functions pay.
  const sql = postgres(options.db, {
    prepare: false,
    max: 4,
    idle_timeout: 20,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: 'lytics-bench' },
    types: { bigint: postgres.BigInt },
    debug: (_connection, text, params) => {
      if (capture.on) capture.statements.push({ text, params })
    },
  })
  const publishableKey = keys.publishableKey as string
  return {
    options,
    publishableKey,
    bench: await signIn(options.url, publishableKey, BENCH_EMAIL),
    other: await signIn(options.url, publishableKey, OTHER_EMAIL),
    admin,
    sql,
    capture,
  }
}

/**
 * shared/db.ts asUser, over the bench's own client: one transaction, the caller's claims,
 * role and JIT setting in one round trip, then the work.
 */
export function asUser<T>(
  sql: postgres.Sql,
  claims: JWTClaims,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
                    set_config('role', 'authenticated', true),
                    set_config('jit', 'off', true)`
    return await work(tx)
  }) as Promise<T>
}

/** GET/POST through the gateway; throws unless the status is the expected one. */
export async function request(
  bench: Bench,
  path: string,
  init: { token: string; method?: string; body?: string; expect?: number },
): Promise<Response> {
  const res = await fetch(`${bench.options.url}/functions/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body,
  })
  const expect = init.expect ?? 200
  if (res.status !== expect) {
    const text = await res.text()
    throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text.slice(0, 300)}`)
  }
  return res
}
