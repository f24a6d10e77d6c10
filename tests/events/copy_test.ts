/**
 * POST /events with an API key stores through COPY (shared/db-copy.ts): text COPY would
 * misread (tabs, newlines, backslashes, `\N`) arrives exactly, duplicates sent twice or
 * within one batch are counted once, and a COPY that fails stores nothing and leaves the
 * statement path to say why.
 */
import assert from 'node:assert/strict'
import { adminSql, call, test } from '../_helpers/stack.ts'
import { createApiKey } from '../_helpers/api_keys.ts'
import { ago, yesterdayAgo } from '../_helpers/events.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'

async function keyedOrg() {
  const owner = await newOrgOwner()
  return { orgId: owner.orgId, key: await createApiKey(owner) }
}

async function tally(orgId: string) {
  const [row] = await adminSql<{ events: number; counted: number; actor_days: number }[]>`
    select (select count(*)::int from public.events where org_id = ${orgId}) as events,
           (select coalesce(sum(events), 0)::int from public.event_counts where org_id = ${orgId})
             as counted,
           (select count(*)::int from public.event_actor_days where org_id = ${orgId})
             as actor_days`
  return row
}

const awkward = [
  {
    id: 'tab\there',
    name: 'back\\slash',
    occurred_at: ago(1),
    actor_id: '\\N',
    session_id: 'line\nbreak',
    properties: { path: 'C:\\temp\\new', note: 'cr\rlf\r\n', dot: '\\.', emoji: '😀', n: 1.5 },
  },
  { id: '\\.', name: 'end marker', occurred_at: ago(2), actor_id: null, session_id: null },
  { name: 'no id', occurred_at: ago(3), actor_id: 'u1', properties: {} },
]

test('an API key batch arrives exactly as sent, text COPY would misread included', async () => {
  const { orgId, key } = await keyedOrg()
  const res = await call('POST', '/events', { token: key, body: { events: awkward } })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(res.body, { accepted: 3, duplicates: 0 })
  const rows = await adminSql<Record<string, unknown>[]>`
    select id, name, actor_id, session_id, properties, occurred_at, received_at
    from public.events where org_id = ${orgId} order by occurred_at desc`
  assert.equal(rows.length, 3)
  for (const [i, sent] of awkward.entries()) {
    const row = rows[i]
    if (sent.id) assert.equal(row.id, sent.id)
    else assert.match(String(row.id), /^[0-9a-f-]{36}$/)
    assert.equal(row.name, sent.name)
    assert.equal(row.actor_id, sent.actor_id)
    assert.equal(row.session_id, sent.session_id ?? null)
    assert.deepEqual(row.properties, sent.properties ?? {})
    assert.equal((row.occurred_at as Date).toISOString(), sent.occurred_at)
    assert.ok(row.received_at instanceof Date)
  }
  assert.deepEqual(await tally(orgId), { events: 3, counted: 3, actor_days: 2 })
})

test('a batch sent twice with a key is stored and counted once', async () => {
  const { orgId, key } = await keyedOrg()
  const events = Array.from({ length: 50 }, (_, i) => ({
    id: `twice-${i}`,
    name: i % 2 ? 'signup' : 'page_view',
    occurred_at: yesterdayAgo(i),
    actor_id: `u${i % 5}`,
  }))
  const first = await call('POST', '/events', { token: key, body: { events } })
  assert.deepEqual(first.body, { accepted: 50, duplicates: 0 })
  const again = await call('POST', '/events', { token: key, body: { events } })
  assert.deepEqual(again.body, { accepted: 0, duplicates: 50 })
  // Half old, half new: only the new ones are stored and counted.
  const more = events.slice(25).map((e) => ({ ...e, id: `${e.id}-b` }))
  const mixed = await call('POST', '/events', {
    token: key,
    body: { events: [...events, ...more] },
  })
  assert.deepEqual(mixed.body, { accepted: 25, duplicates: 50 })
  assert.deepEqual(await tally(orgId), { events: 75, counted: 75, actor_days: 5 })
})

test('an event repeated within one keyed batch is one event and one duplicate', async () => {
  const { orgId, key } = await keyedOrg()
  const event = { id: 'once', name: 'page_view', occurred_at: ago(1), actor_id: 'u1' }
  const res = await call('POST', '/events', { token: key, body: { events: [event, event] } })
  assert.deepEqual(res.body, { accepted: 1, duplicates: 1 })
  assert.deepEqual(await tally(orgId), { events: 1, counted: 1, actor_days: 1 })
})

test('concurrent keyed batches sharing events store each event once', async () => {
  const { orgId, key } = await keyedOrg()
  const events = Array.from({ length: 200 }, (_, i) => ({
    id: `race-${i}`,
    name: 'page_view',
    occurred_at: yesterdayAgo(i % 30),
    actor_id: `u${i % 17}`,
  }))
  const replies = await Promise.all(
    [0, 1, 2, 3].map(() => call('POST', '/events', { token: key, body: { events } })),
  )
  for (const r of replies) assert.equal(r.status, 200, r.text)
  assert.equal(replies.reduce((sum, r) => sum + r.body.accepted, 0), 200)
  assert.deepEqual(await tally(orgId), { events: 200, counted: 200, actor_days: 17 })
})
