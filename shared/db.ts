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
let mode: PoolMode = 'session'

/**
 * How the database URL shares server connections. `session`: each client connection has a
 * server connection of its own (direct 5432, or Supavisor's session mode on 5432).
 * `transaction`: a server connection is lent per transaction (Supavisor's 6543,
 * PgBouncer), and a query written before the previous reply arrived can be lost or reach
 * another client's backend (porsager/postgres#970, supabase/supavisor#1061, #1172).
 */
export type PoolMode = 'session' | 'transaction'

/** DB_POOL_MODE when set; otherwise port 6543, Supavisor's transaction port, means transaction. */
export function poolModeOf(url: string, setting?: PoolMode): PoolMode {
  if (setting) return setting
  try {
    return new URL(url).port === '6543' ? 'transaction' : 'session'
  } catch {
    return 'session'
  }
}

/** The pool mode of the isolate's client (after its first `db()`). */
export function poolMode(): PoolMode {
  return mode
}

/** The isolate's client, built on first use and reused by every request. */
export function db(): Sql {
  if (client) return client
  guardAgainstDeadSockets()
  const cfg = config()
  const url = cfg.DATABASE_URL ?? cfg.SUPABASE_DB_URL
  if (!url) throw new Error('SUPABASE_DB_URL or DATABASE_URL must be set')
  mode = poolModeOf(url, cfg.DB_POOL_MODE)
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

/**
 * Replaces the client after one of its connections was lost. postgres.js 3.4 may go on
 * writing to that connection's closed socket (porsager/postgres#1154, #1208, unfixed in
 * 3.4.9): a transaction's own ROLLBACK after the loss does, and a reserved connection's
 * next query would. So the next request gets a fresh client; the old one has 5 s to
 * finish what it has in flight.
 */
export function discardClient(suspect: Sql | undefined = client): void {
  if (!suspect) return
  if (client === suspect) client = undefined
  suspect.end({ timeout: 5 }).catch(() => {})
}

// That write throws from a timer, outside any promise: uncaught, it ends the isolate and
// every request in it. Deno dispatches such an exception as the global `error` event,
// which is caught here. Supabase's edge runtime does not: its bootstrap
// (supabase/edge-runtime ext/runtime/js/bootstrap.js) never calls
// core.setReportExceptionCallback, so deno_core's default, op_dispatch_exception, ends
// the worker (crates/base/src/worker/driver/user.rs, UncaughtException). So on hosted
// this listener never runs, and the code below avoids the write instead: a transaction
// that lost its connection never asks postgres.js for its ROLLBACK (see inTransaction),
// and a reserved connection that lost it is never used again (see inOneTrip).
let guarded = false
let deadSocketWrites = 0
function guardAgainstDeadSockets(): void {
  if (guarded) return
  guarded = true
  globalThis.addEventListener('error', (event) => {
    if (!isDeadSocketWrite(event.error)) return
    event.preventDefault()
    deadSocketWrites++
    discardClient()
  })
}

/** How many dead-socket writes the `error` listener caught; tests expect none. */
export function deadSocketWriteCount(): number {
  return deadSocketWrites
}

/** The TypeError of postgres.js writing to a closed socket, and nothing else. */
export function isDeadSocketWrite(err: unknown): boolean {
  // The module's path differs between the Deno cache (postgres/3.4.9/src/) and a deployed
  // bundle (postgres@3.4.9/src/).
  return err instanceof TypeError &&
    /reading 'write'|evaluating 'socket\.write'/.test(err.message) &&
    /postgres[@/][^\s]*connection\.js/.test(err.stack ?? '')
}

/** Closes the isolate's client (tests and graceful shutdown). */
export async function closeDb(): Promise<void> {
  const c = client
  client = undefined
  await c?.end({ timeout: 5 })
}

const connectionLostCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  '57P01', // admin shutdown (the backend was terminated)
  '57P02', // crash shutdown
  '57P03', // cannot connect now
  '53300', // too many connections
])

/** True when `err` means the connection to the database is gone or was never made. */
export function isConnectionLost(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code
  return typeof code === 'string' && connectionLostCodes.has(code)
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
 * index-bound: misestimated joins crossed its cost threshold and spent longer compiling
 * than running (docs/performance/ingestion.md).
 */
export function settingsOf(sql: Sql | Tx, actor: Actor) {
  return actor === 'service'
    ? sql`select set_config('role', 'service_role', true), set_config('jit', 'off', true),
                 set_config('statement_timeout', ${STATEMENT_TIMEOUT.service}, true)`
    : sql`select private.assert_live_session(${
      sessionOf(actor.claims)
    }::uuid, ${actor.claims.sub}::uuid),
                 set_config('request.jwt.claims', ${JSON.stringify(actor.claims)}, true),
                 set_config('role', 'authenticated', true),
                 set_config('jit', 'off', true),
                 set_config('statement_timeout', ${STATEMENT_TIMEOUT.user}, true)`
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const NO_SUCH_SESSION = '00000000-0000-0000-0000-000000000000'

/**
 * The session a user's token belongs to, checked by the settings statement above so a
 * signed-out session stops working at no extra round trip (LY401, answered 401). A token
 * without session_id has no session to end (minted by the project's own key, never by
 * sign-in) and passes; a session_id that is not a UUID matches no session.
 */
function sessionOf(claims: JWTClaims): string | null {
  const id = claims.session_id
  if (id === undefined || id === null) return null
  return typeof id === 'string' && UUID.test(id) ? id : NO_SUCH_SESSION
}

/**
 * Runs `work` in one transaction as the `authenticated` role with the caller's claims, so
 * every query is filtered by RLS exactly as PostgREST would filter it.
 *
 * @example
 * const orgs = await asUser(user.claims, (tx) => tx`select * from organizations`)
 */
export function asUser<T>(claims: JWTClaims, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inTransaction({ claims }, work)
}

/**
 * Runs `work` in one transaction with the connection's own privileges (bypassing RLS).
 * Only for work no user request drives directly: API-key ingestion after the key is
 * verified, the sync worker, health checks.
 */
export function asService<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return inTransaction('service', work)
}

async function inTransaction<T>(actor: Actor, work: (tx: Tx) => Promise<T>): Promise<T> {
  const sql = db()
  try {
    return await sql.begin(async (tx) => {
      try {
        await settingsOf(tx, actor)
        return await work(tx)
      } catch (err) {
        // postgres.js answers a failed callback with ROLLBACK on the same connection; once
        // that connection is lost the ROLLBACK goes to its closed socket from a timer, which
        // ends a hosted worker (see guardAgainstDeadSockets). The server rolled back when
        // the connection dropped, and sql.begin rejects on its own when the connection
        // closes, so the callback is left unsettled.
        if (isConnectionLost(err)) return await new Promise<never>(() => {})
        throw err
      }
    }) as T
  } catch (err) {
    if (isConnectionLost(err)) discardClient(sql)
    throw err
  }
}

/** A connection held for one transaction; statements on it are sent in order. */
export type Reserved = postgres.ReservedSql

/**
 * Runs one statement in a transaction of its own, as `asUser` or `asService` would, with
 * BEGIN, the settings, the statement and COMMIT queued together on one connection, so no
 * step waits for this isolate's event loop between them: row locks the statement takes
 * (the rollup rows every event batch updates) are not held while the loop is busy with
 * another request, where concurrent batches would queue behind them
 * (docs/performance/ingestion.md). Not one round trip, though: with `prepare: false`
 * postgres.js 3.4.9 sends a statement with parameters as Parse/Describe first and its
 * Bind/Execute only on the reply (connection.js `describeFirst`), about five trips in all.
 *
 * If the statement fails, Postgres turns the COMMIT into a ROLLBACK and the statement's
 * error is thrown.
 */
export async function inOneTrip<R extends postgres.Row[] = postgres.Row[]>(
  actor: Actor,
  statement: (sql: Sql) => postgres.PendingQuery<R>,
): Promise<postgres.RowList<R>> {
  const pool = db()
  // Through a transaction pooler nothing is pipelined: the steps go one at a time, as
  // asUser's do: a few more round trips, and no request written ahead of a reply.
  // (A transaction's sql tags statements exactly as the reserved one does; only the
  // connection-level methods its type lacks differ, and a statement uses none.)
  if (mode === 'transaction') {
    return await inTransaction(actor, (tx) => statement(tx as unknown as Sql))
  }
  const sql = await pool.reserve()
  let queries
  try {
    // Built first, sent below: a statement that fails to build leaves nothing half-sent.
    queries = [sql`begin`, settingsOf(sql, actor), statement(sql), sql`commit`]
  } catch (err) {
    sql.release()
    throw err
  }
  // execute() queues each now, in this order; awaiting them one by one would not.
  const steps = queries.map((q) => q.execute())
  // When the connection is lost, postgres.js 3.4 fails the step in flight but may leave
  // the steps queued behind it unsettled for ever: stop waiting at the first loss.
  const lost = new Promise<{ lost: unknown }>((resolve) => {
    for (const step of steps) step.catch((err) => isConnectionLost(err) && resolve({ lost: err }))
  })
  const outcome = await Promise.race([Promise.allSettled(steps).then((all) => ({ all })), lost])
  const failures = 'lost' in outcome
    ? [outcome.lost]
    : outcome.all.flatMap((s) => s.status === 'rejected' ? [s.reason] : [])
  // A lost connection must not be handed out again (see discardClient). Anything else has
  // settled, COMMIT included, and the connection is fine.
  if (failures.some(isConnectionLost)) discardClient(pool)
  else sql.release()
  if (failures.length > 0) throw failures[0]
  return (await steps[2]) as postgres.RowList<R>
}
