/**
 * One postgres.js client per isolate, and the two ways to use it:
 * `asUser` (RLS decides what the caller sees) and `asService` (trusted server work).
 */
import postgres from 'postgres'
import { config } from './config.ts'
import type { JWTClaims } from './auth.ts'

export type Sql = postgres.Sql
export type Tx = postgres.TransactionSql

let client: Sql | undefined

/** The isolate's client, built on first use and reused by every request. */
export function db(): Sql {
  if (client) return client
  const cfg = config()
  const url = cfg.DATABASE_URL ?? cfg.SUPABASE_DB_URL
  if (!url) throw new Error('SUPABASE_DB_URL or DATABASE_URL must be set')
  client = postgres(url, {
    // Supavisor's transaction mode has no prepared statements.
    prepare: false,
    max: cfg.DB_POOL_MAX,
    idle_timeout: 20,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: 'lytics' },
    types: { bigint: postgres.BigInt },
  })
  return client
}

/** Closes the isolate's client (tests and graceful shutdown). */
export async function closeDb(): Promise<void> {
  const c = client
  client = undefined
  await c?.end({ timeout: 5 })
}

/** Whose rights a statement runs with: a user's (under RLS) or the service's. */
export type Actor = { claims: JWTClaims } | 'service'

/**
 * How long one statement may run. Supabase gives the `authenticated` role 8 s, but as a
 * role setting, which applies at login and not to `set role` inside a transaction; so it
 * is set here. Service work (ingestion batches, health checks) gets longer.
 */
const STATEMENT_TIMEOUT = { user: '8s', service: '30s' }

/**
 * The transaction-local settings of an actor, in one statement: set_config(..., true) is
 * like SET LOCAL. A user gets their claims (for auth.uid() and RLS) and the authenticated
 * role; the service gets service_role. JIT is off because our queries are short and
 * index-bound: misestimated joins crossed its cost threshold and spent ~20 ms compiling
 * per request.
 */
function settingsOf(sql: Sql | Tx, actor: Actor) {
  return actor === 'service'
    ? sql`select set_config('role', 'service_role', true), set_config('jit', 'off', true),
                 set_config('statement_timeout', ${STATEMENT_TIMEOUT.service}, true)`
    : sql`select set_config('request.jwt.claims', ${JSON.stringify(actor.claims)}, true),
                 set_config('role', 'authenticated', true),
                 set_config('jit', 'off', true),
                 set_config('statement_timeout', ${STATEMENT_TIMEOUT.user}, true)`
}

/**
 * Runs `work` in one transaction as the `authenticated` role with the caller's claims, so
 * every query is filtered by RLS exactly as PostgREST would filter it.
 *
 * @example
 * const orgs = await asUser(user.claims, (tx) => tx`select * from organizations`)
 */
export function asUser<T>(claims: JWTClaims, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db().begin(async (tx) => {
    await settingsOf(tx, { claims })
    return await work(tx)
  }) as Promise<T>
}

/**
 * Runs `work` in one transaction with the connection's own privileges (bypassing RLS).
 * Only for work no user request drives directly: API-key ingestion after the key is
 * verified, the sync worker, health checks.
 */
export function asService<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return db().begin(async (tx) => {
    await settingsOf(tx, 'service')
    return await work(tx)
  }) as Promise<T>
}

/** A connection held for one transaction; statements on it are sent in order. */
export type Reserved = postgres.ReservedSql

/**
 * Runs one statement in a transaction of its own, as `asUser` or `asService` would, in a
 * single round trip: BEGIN, the settings, the statement and COMMIT are sent together on
 * one connection. Row locks the statement takes (the rollup rows every event batch
 * updates) are so held for the server's commit only, never while this isolate's event
 * loop is busy with another request; concurrent batches queued behind those locks left
 * the CPU idle ~15% of the time when each step waited for the client.
 *
 * If the statement fails, Postgres turns the COMMIT into a ROLLBACK and the statement's
 * error is thrown.
 */
export async function inOneTrip<R extends postgres.Row[] = postgres.Row[]>(
  actor: Actor,
  statement: (sql: Reserved) => postgres.PendingQuery<R>,
): Promise<postgres.RowList<R>> {
  const sql = await db().reserve()
  try {
    // execute() queues each now, in this order; awaiting them one by one would not.
    const steps = [sql`begin`, settingsOf(sql, actor), statement(sql), sql`commit`]
      .map((q) => q.execute())
    const settled = await Promise.allSettled(steps)
    for (const step of settled) if (step.status === 'rejected') throw step.reason
    return (settled[2] as PromiseFulfilledResult<postgres.RowList<R>>).value
  } finally {
    sql.release()
  }
}
