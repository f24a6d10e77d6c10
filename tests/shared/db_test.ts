/**
 * shared/db.ts against the stack's database: asUser runs as `authenticated` with the
 * caller's claims, only inside its transaction; asService runs as service_role.
 * Needs LYTICS_DB_URL (scripts/test sets it).
 */
import assert from 'node:assert/strict'
import postgres from 'postgres'
import type { JWTClaims } from '../../shared/auth.ts'
import {
  asService,
  asUser,
  closeDb,
  db,
  deadSocketWriteCount,
  inOneTrip,
  isConnectionLost,
  isDeadSocketWrite,
  poolMode,
  poolModeOf,
  type Sql,
  type Tx,
} from '../../shared/db.ts'

const dbUrl = Deno.env.get('LYTICS_DB_URL') ??
  'postgresql://postgres:postgres@127.0.0.1:55322/postgres'

// config() is read once, on the first db(): give it this database and one connection, so
// "the next query" surely runs on the same connection, then put the environment back.
const overrides: Record<string, string> = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_DB_URL: dbUrl,
  DB_POOL_MAX: '1',
}
const saved = Object.fromEntries(Object.keys(overrides).map((k) => [k, Deno.env.get(k)]))
const savedDatabaseUrl = Deno.env.get('DATABASE_URL')
for (const [k, v] of Object.entries(overrides)) Deno.env.set(k, v)
Deno.env.delete('DATABASE_URL')
try {
  db()
} finally {
  for (const [k, v] of Object.entries(saved)) {
    v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v)
  }
  if (savedDatabaseUrl !== undefined) Deno.env.set('DATABASE_URL', savedDatabaseUrl)
}

function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false })
}

function claimsOf(id: string, email = `${id.slice(0, 8)}@db-test.local`): JWTClaims {
  return { sub: id, role: 'authenticated', email, aud: 'authenticated', aal: 'aal1' }
}

type Who = {
  uid: string | null
  role: string | null
  current_user: string
  email: string | null
  pid: number
}

const whoAmI = (sql: Sql | Tx) =>
  sql<Who[]>`
    select auth.uid()::text as uid, auth.role() as role, current_user::text as current_user,
           auth.email() as email, pg_backend_pid() as pid`

/** A user made directly in auth.users, with an organization of their own. */
async function userWithOrg(label: string) {
  const id = crypto.randomUUID()
  const slug = `${label}-${id.slice(0, 8)}`
  await db()`insert into auth.users (id, email) values (${id}, ${`${slug}@db-test.local`})`
  const [org] = await db()<{ id: string }[]>`
    insert into public.organizations (name, slug, created_by) values (${label}, ${slug}, ${id})
    returning id`
  return { id, orgId: org.id }
}

test('asUser: auth.uid(), auth.email() and the authenticated role inside the transaction', async () => {
  const id = crypto.randomUUID()
  const [inside] = await asUser(claimsOf(id, 'inside@db-test.local'), (tx) => whoAmI(tx))
  assert.equal(inside.uid, id)
  assert.equal(inside.role, 'authenticated')
  assert.equal(inside.current_user, 'authenticated')
  assert.equal(inside.email, 'inside@db-test.local')
})

test('asUser/asService/inOneTrip: each statement may run 8 s for a user, 30 s for the service', async () => {
  const timeout = (sql: Sql | Tx) =>
    sql<{ t: string }[]>`select current_setting('statement_timeout') as t`
  const claims = claimsOf(crypto.randomUUID())
  assert.equal((await asUser(claims, timeout))[0].t, '8s')
  assert.equal((await inOneTrip({ claims }, timeout))[0].t, '8s')
  assert.equal((await asService(timeout))[0].t, '30s')
  assert.equal((await inOneTrip('service', timeout))[0].t, '30s')
  assert.equal((await timeout(db()))[0].t, '0', 'and nothing stays on the connection')
})

test('asUser: a statement over its time is canceled (57014)', async () => {
  const failed = await asUser(claimsOf(crypto.randomUUID()), async (tx) => {
    await tx`select set_config('statement_timeout', '50ms', true)`
    await tx`select pg_sleep(1)`
  }).then(() => undefined, (e) => e)
  assert.equal((failed as { code?: string })?.code, '57014')
})

test('asUser: nothing leaks to the next query on the same connection', async () => {
  const [inside] = await asUser(claimsOf(crypto.randomUUID()), (tx) => whoAmI(tx))
  const [after] = await whoAmI(db())
  assert.equal(after.pid, inside.pid, 'the pool has one connection')
  assert.equal(after.uid, null)
  assert.equal(after.role, null)
  assert.equal(after.current_user, 'postgres')
})

test('asUser: nothing leaks after a failed transaction either', async () => {
  const failed = await asUser(claimsOf(crypto.randomUUID()), async (tx) => {
    await tx`select 1`
    throw new Error('work failed')
  }).then(() => undefined, (e) => e)
  assert.equal((failed as Error)?.message, 'work failed')
  const [after] = await whoAmI(db())
  assert.equal(after.uid, null)
  assert.equal(after.current_user, 'postgres')
})

test('asUser: consecutive callers each see only their own claims', async () => {
  const a = crypto.randomUUID()
  const b = crypto.randomUUID()
  const [first] = await asUser(claimsOf(a), (tx) => whoAmI(tx))
  const [second] = await asUser(claimsOf(b), (tx) => whoAmI(tx))
  assert.equal(first.uid, a)
  assert.equal(second.uid, b)
  assert.equal(first.pid, second.pid)
})

test('asUser: RLS decides what the caller sees and may write', async () => {
  const alice = await userWithOrg('alice')
  const bob = await userWithOrg('bob')
  const seen = await asUser(
    claimsOf(alice.id),
    (tx) =>
      tx<
        { id: string }[]
      >`select id from public.organizations where id in (${alice.orgId}, ${bob.orgId})`,
  )
  assert.deepEqual(seen.map((r) => r.id), [alice.orgId])
  const renamed = await asUser(
    claimsOf(alice.id),
    (tx) =>
      tx`update public.organizations set name = 'taken over' where id = ${bob.orgId} returning id`,
  )
  assert.equal(renamed.length, 0, "another organization's row is invisible to updates")
  const [bobs] = await db()<
    { name: string }[]
  >`select name from public.organizations where id = ${bob.orgId}`
  assert.equal(bobs.name, 'bob')
})

test('asService: runs as service_role, bypassing RLS, without leaking the role', async () => {
  const alice = await userWithOrg('svc')
  const [inside] = await asService((tx) => whoAmI(tx))
  assert.equal(inside.current_user, 'service_role')
  assert.equal(inside.uid, null)
  const [row] = await asService((tx) =>
    tx<
      { n: number }[]
    >`select count(*)::int as n from public.organizations where id = ${alice.orgId}`
  )
  assert.equal(row.n, 1)
  const [after] = await whoAmI(db())
  assert.equal(after.pid, inside.pid)
  assert.equal(after.current_user, 'postgres')
})

test('asUser/asService: the result of the work is returned', async () => {
  assert.equal(await asUser(claimsOf(crypto.randomUUID()), () => Promise.resolve(42)), 42)
  assert.deepEqual(await asService(() => Promise.resolve({ ok: true })), { ok: true })
})

test("inOneTrip: a user's statement runs under their claims, and nothing leaks after it", async () => {
  const alice = await userWithOrg('trip')
  const bob = await userWithOrg('trip-other')
  const [inside] = await inOneTrip({ claims: claimsOf(alice.id) }, (sql) => whoAmI(sql))
  assert.equal(inside.uid, alice.id)
  assert.equal(inside.current_user, 'authenticated')
  const seen = await inOneTrip(
    { claims: claimsOf(alice.id) },
    (sql) => sql`select id from public.organizations where id in (${alice.orgId}, ${bob.orgId})`,
  )
  assert.deepEqual(seen.map((r) => r.id), [alice.orgId], 'RLS applies')
  const [after] = await whoAmI(db())
  assert.equal(after.pid, inside.pid)
  assert.equal(after.uid, null)
  assert.equal(after.current_user, 'postgres')
})

test('inOneTrip: the service statement commits; a failing one throws and writes nothing', async () => {
  const { orgId } = await userWithOrg('trip-svc')
  const [inside] = await inOneTrip('service', (sql) => whoAmI(sql))
  assert.equal(inside.current_user, 'service_role')
  const renamed = await inOneTrip(
    'service',
    (sql) => sql`update public.organizations set name = 'renamed' where id = ${orgId}`,
  )
  assert.equal(renamed.count, 1)
  const failed = await inOneTrip(
    'service',
    (sql) =>
      sql`update public.organizations set name = 'lost', slug = 'NOT A SLUG' where id = ${orgId}`,
  ).then(() => undefined, (e) => e)
  assert.equal((failed as { code?: string })?.code, '23514', "the statement's own error")
  const [row] = await db()<{ name: string }[]>`
    select name from public.organizations where id = ${orgId}`
  assert.equal(row.name, 'renamed', 'the first commit stayed, the failed update left nothing')
  const [after] = await whoAmI(db())
  assert.equal(after.current_user, 'postgres', 'the connection came back clean')
})

Deno.test('poolModeOf: DB_POOL_MODE decides; unset, only port 6543 means transaction', () => {
  const pooler = 'postgresql://postgres.ref:pw@aws-0-eu-west-2.pooler.supabase.com'
  assert.equal(poolModeOf(`${pooler}:6543/postgres`), 'transaction')
  assert.equal(poolModeOf(`${pooler}:5432/postgres`), 'session')
  assert.equal(poolModeOf('postgresql://postgres:pw@db.ref.supabase.co:5432/postgres'), 'session')
  assert.equal(
    poolModeOf('postgresql://postgres:pw@127.0.0.1:6432/postgres', 'transaction'),
    'transaction',
  )
  assert.equal(poolModeOf(`${pooler}:6543/postgres`, 'session'), 'session')
  assert.equal(poolModeOf('not a url'), 'session')
  assert.equal(poolMode(), 'session', 'this file connects directly')
})

/** A user with a signed-in session made directly in auth.sessions. */
async function userWithSession() {
  const { id } = await userWithOrg('session')
  const session = crypto.randomUUID()
  await db()`insert into auth.sessions (id, user_id) values (${session}, ${id})`
  return { id, session, claims: { ...claimsOf(id), session_id: session } }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(() => 'ok', (e) => (e as { code?: string }).code ?? String(e))

test('asUser/inOneTrip: a live session passes; a signed-out or expired one fails with LY401', async () => {
  const { session, claims } = await userWithSession()
  const who = (sql: Sql | Tx) => whoAmI(sql)
  assert.equal(await codeOf(asUser(claims, who)), 'ok')
  assert.equal(await codeOf(inOneTrip({ claims }, who)), 'ok')
  await db()`update auth.sessions set not_after = now() - interval '1 second' where id = ${session}`
  assert.equal(await codeOf(asUser(claims, who)), 'LY401')
  assert.equal(await codeOf(inOneTrip({ claims }, who)), 'LY401')
  await db()`update auth.sessions set not_after = null where id = ${session}`
  assert.equal(await codeOf(asUser(claims, who)), 'ok')
  await db()`delete from auth.sessions where id = ${session}`
  assert.equal(await codeOf(asUser(claims, who)), 'LY401')
  assert.equal(await codeOf(inOneTrip({ claims }, who)), 'LY401')
  const [after] = await whoAmI(db())
  assert.equal(after.current_user, 'postgres', 'the refused transaction left nothing behind')
})

test("asUser: another user's session, or a session_id that is not a UUID, fails with LY401", async () => {
  const { session } = await userWithSession()
  const other = await userWithOrg('session-other')
  const borrowed = { ...claimsOf(other.id), session_id: session }
  assert.equal(await codeOf(asUser(borrowed, (tx) => whoAmI(tx))), 'LY401')
  const odd = { ...claimsOf(other.id), session_id: 'x' }
  assert.equal(await codeOf(asUser(odd, (tx) => whoAmI(tx))), 'LY401')
  assert.equal(await codeOf(asUser(claimsOf(other.id), (tx) => whoAmI(tx))), 'ok', 'no session_id')
})

/** Runs `run` with a 3 s statement whose backend is terminated after 300 ms. */
async function withLostConnection(run: (statement: string) => Promise<unknown>) {
  const terminator = postgres(dbUrl, { max: 1, onnotice: () => {} })
  const marker = `lost-${crypto.randomUUID()}`
  // The marker is in the query's text, which pg_stat_activity shows (parameters it does not).
  const kill = setTimeout(() =>
    terminator`
      select pg_terminate_backend(pid) from pg_stat_activity
      where query like ${`%${marker}%`} and pid <> pg_backend_pid()`.catch(() => {}), 300)
  try {
    return await run(`select pg_sleep(3) -- ${marker}`).then(() => undefined, (e) => e)
  } finally {
    clearTimeout(kill)
    await terminator.end()
  }
}

// postgres.js 3.4 writes to the dead socket afterwards, from a timer; uncaught, that ended
// the process. Every call after the loss must work, on a fresh client.
async function assertRecovered() {
  // Nothing was written to the dead socket: on Supabase's edge runtime that write ends the
  // worker, as no `error` listener can catch it there (see shared/db.ts).
  assert.equal(deadSocketWriteCount(), 0, 'postgres.js wrote to a closed socket')
  for (let i = 0; i < 3; i++) {
    const [viaTrip] = await inOneTrip('service', (sql) => whoAmI(sql))
    assert.equal(viaTrip.current_user, 'service_role')
    const [viaUser] = await asUser(claimsOf(crypto.randomUUID()), (tx) => whoAmI(tx))
    assert.equal(viaUser.current_user, 'authenticated')
    const [plain] = await whoAmI(db())
    assert.equal(plain.current_user, 'postgres')
  }
}

test('inOneTrip: a connection lost mid-statement fails that call, and the next ones work', async () => {
  const failed = await withLostConnection((statement) =>
    inOneTrip('service', (sql) => sql.unsafe(statement))
  )
  assert.ok(isConnectionLost(failed), `a lost connection, got ${failed}`)
  await assertRecovered()
})

test('asService: a connection lost mid-transaction fails that call, and the next ones work', async () => {
  const failed = await withLostConnection((statement) => asService((tx) => tx.unsafe(statement)))
  assert.ok(isConnectionLost(failed), `a lost connection, got ${failed}`)
  await assertRecovered()
})

Deno.test('isDeadSocketWrite: only the TypeError of postgres.js writing to a closed socket', () => {
  const withStack = (err: Error, stack: string) => Object.assign(err, { stack })
  const message = "Cannot read properties of null (reading 'write')"
  for (
    const path of [
      'file:///root/.cache/deno/npm/registry.npmjs.org/postgres/3.4.9/src/connection.js:255:22',
      'file:///var/tmp/sb-compile-edge-runtime/node_modules/localhost/postgres@3.4.9/src/connection.js:255:22',
    ]
  ) {
    assert.ok(isDeadSocketWrite(withStack(new TypeError(message), `at nextWrite (${path})`)), path)
  }
  const ours = 'at handler (file:///work/shared/http/app.ts:10:5)'
  assert.equal(isDeadSocketWrite(withStack(new TypeError(message), ours)), false)
  const other = 'at nextWrite (file:///x/postgres/3.4.9/src/connection.js:1:1)'
  assert.equal(isDeadSocketWrite(withStack(new Error(message), other)), false)
  assert.equal(isDeadSocketWrite(withStack(new TypeError('x is not a function'), other)), false)
})

test('db: close the client', async () => {
  await closeDb()
})
