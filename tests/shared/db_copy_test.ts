/**
 * shared/db-copy.ts against the stack's database: a COPY commits all its rows or none, a
 * failed one (a duplicate, a missing organization) answers false and leaves its
 * connection clean for the next request, and storeEvents then reports the real error.
 * Needs LYTICS_DB_URL (scripts/test sets it).
 */
import assert from 'node:assert/strict'
import postgres from 'postgres'
import { closeDb, db } from '../../shared/db.ts'
import { copyAsService, copyText } from '../../shared/db-copy.ts'
import { storeEvents } from '../../supabase/functions/events/ingest/queries.ts'

const dbUrl = Deno.env.get('LYTICS_DB_URL') ??
  'postgresql://postgres:postgres@127.0.0.1:55322/postgres'

// One connection, so every step below surely reuses the connection of the one before.
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

const admin = postgres(dbUrl, { max: 1, onnotice: () => {} })

function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false })
}

const COPY = 'copy public.events (org_id, id, occurred_at, name) from stdin'

async function scratchOrg(): Promise<string> {
  const slug = `copy-${crypto.randomUUID().slice(0, 8)}`
  const [org] = await admin<{ id: string }[]>`
    insert into public.organizations (name, slug, timezone) values (${slug}, ${slug}, 'UTC')
    returning id`
  return org.id
}

// One instant for every row: an event is its id and occurred_at.
const AT = new Date().toISOString()
const line = (orgId: string, id: string) => `${orgId}\t${copyText(id)}\t${AT}\tcopied\n`

async function storedIds(orgId: string): Promise<string[]> {
  const rows = await admin<{ id: string }[]>`
    select id from public.events where org_id = ${orgId} order by id`
  return rows.map((r) => r.id)
}

test('copyAsService commits every row and the rollups count them', async () => {
  const orgId = await scratchOrg()
  assert.equal(await copyAsService(COPY, line(orgId, 'a') + line(orgId, 'b')), true)
  assert.deepEqual(await storedIds(orgId), ['a', 'b'])
  const [{ n }] = await admin<{ n: number }[]>`
    select sum(events)::int as n from public.event_counts where org_id = ${orgId}`
  assert.equal(n, 2)
})

test('a COPY that repeats a stored row stores nothing and answers false', async () => {
  const orgId = await scratchOrg()
  assert.equal(await copyAsService(COPY, line(orgId, 'a')), true)
  assert.equal(await copyAsService(COPY, line(orgId, 'b') + line(orgId, 'a')), false)
  assert.deepEqual(await storedIds(orgId), ['a'])
  // The connection is clean: the next COPY on it (the pool holds one) works.
  assert.equal(await copyAsService(COPY, line(orgId, 'c')), true)
  assert.deepEqual(await storedIds(orgId), ['a', 'c'])
})

test("a COPY into a missing organization fails after its data, and that's reported", async () => {
  const missing = crypto.randomUUID()
  // The rollup trigger refuses the batch at the end of the COPY, after the data was sent.
  assert.equal(await copyAsService(COPY, line(missing, 'x')), false)
  await assert.rejects(
    storeEvents(
      { via: 'api_key', orgId: missing, keyId: crypto.randomUUID(), scopes: ['ingest'] },
      [
        { id: 'x', name: 'copied', occurred_at: AT },
      ],
    ),
    (err: { code?: string }) => err.code === '23503',
  )
  const orgId = await scratchOrg()
  assert.equal(await copyAsService(COPY, line(orgId, 'after')), true)
})

test('malformed COPY text fails cleanly too', async () => {
  const orgId = await scratchOrg()
  assert.equal(await copyAsService(COPY, `${orgId}\tonly two columns\n`), false)
  assert.equal(await copyAsService(COPY, line(orgId, 'fine')), true)
  assert.deepEqual(await storedIds(orgId), ['fine'])
})

test('closes its connections', async () => {
  await closeDb()
  await admin.end()
})
