/**
 * POST /events end to end: who may send, all-or-nothing validation with every problem
 * named by index, idempotent retries, and isolation between organizations.
 */
import assert from 'node:assert/strict'
import { adminSql, call, newUser, stack, test } from '../_helpers/stack.ts'
import { createApiKey } from '../_helpers/api_keys.ts'
import { ago } from '../_helpers/events.ts'
import { newOrg, newTeam } from '../_helpers/orgs.ts'
import { problems } from '../_helpers/validation.ts'
import { MAX_BODY_BYTES } from '../../supabase/functions/events/ingest/routes.ts'

let shared: ReturnType<typeof newTeam> | undefined
/** One organization with a user per role, made on first use and shared by these tests. */
const team = () => shared ??= newTeam()

async function stored(orgId: string) {
  const [row] = await adminSql<{ events: number; counted: number; actor_days: number }[]>`
    select (select count(*)::int from public.events where org_id = ${orgId}) as events,
           (select coalesce(sum(events), 0)::int from public.event_counts where org_id = ${orgId})
             as counted,
           (select count(*)::int from public.event_actor_days where org_id = ${orgId})
             as actor_days`
  return row
}

test('a member sends a batch and the rollups count it', async () => {
  const { member, orgId } = await team()
  const events = [
    {
      id: 'signup-1',
      name: 'signup',
      occurred_at: ago(1),
      actor_id: 'u1',
      properties: { plan: 'pro' },
    },
    { id: 'view-1', name: 'page_view', occurred_at: ago(1), actor_id: 'u1', session_id: 's1' },
    {
      name: 'page_view',
      occurred_at: new Date(Date.now() - 3 * 60_000).toISOString().replace('Z', '+00:00'),
    },
  ]
  const before = await stored(orgId)
  const res = await call('POST', '/events', { token: member.token, body: { events } })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(res.body, { accepted: 3, duplicates: 0 })
  const after = await stored(orgId)
  assert.equal(after.events - before.events, 3)
  assert.equal(after.counted - before.counted, 3)
  assert.equal(after.actor_days - before.actor_days, 1, 'u1 became active today')
  const [signup] = await adminSql`
    select name, actor_id, properties from public.events where org_id = ${orgId} and id = 'signup-1'`
  assert.deepEqual(signup, { name: 'signup', actor_id: 'u1', properties: { plan: 'pro' } })
  const [generated] = await adminSql`
    select id, properties from public.events
    where org_id = ${orgId} and name = 'page_view' and session_id is null`
  assert.match(generated.id, /^[0-9a-f-]{36}$/, 'an event without id gets a uuid')
  assert.deepEqual(generated.properties, {})
})

test('the same batch sent twice is stored once and counted once', async () => {
  const { admin, orgId } = await team()
  const events = Array.from({ length: 50 }, (_, i) => ({
    id: `retry-${i}`,
    name: i % 2 ? 'click' : 'view',
    occurred_at: ago(i),
    actor_id: `a${i % 5}`,
  }))
  const first = await call('POST', '/events', { token: admin.token, body: { events } })
  assert.deepEqual(first.body, { accepted: 50, duplicates: 0 })
  const totals = await stored(orgId)
  const again = await call('POST', '/events', { token: admin.token, body: { events } })
  assert.equal(again.status, 200)
  assert.deepEqual(again.body, { accepted: 0, duplicates: 50 })
  assert.deepEqual(await stored(orgId), totals)

  // A partly new batch: only the new events count.
  const more = [...events.slice(0, 10), { id: 'retry-new', name: 'view', occurred_at: ago(0) }]
  const mixed = await call('POST', '/events', { token: admin.token, body: { events: more } })
  assert.deepEqual(mixed.body, { accepted: 1, duplicates: 10 })
  assert.equal((await stored(orgId)).counted, totals.counted + 1)
})

test('an id repeated within one batch is stored once', async () => {
  const { member } = await team()
  const event = { id: 'twice-in-batch', name: 'view', occurred_at: ago(0) }
  const res = await call('POST', '/events', {
    token: member.token,
    body: { events: [event, event] },
  })
  assert.deepEqual(res.body, { accepted: 1, duplicates: 1 })
})

test('the same batch sent twice at once is stored once, and counted once', async () => {
  const { member, orgId } = await team()
  const events = Array.from({ length: 200 }, (_, i) => ({
    id: `concurrent-${i}`,
    name: 'concurrent',
    occurred_at: ago(i % 30),
    actor_id: `c${i % 7}`,
  }))
  const before = await stored(orgId)
  // Both start as plain inserts; one waits on the other's rows, fails on the primary key
  // once they commit, and is stored again skipping them.
  const [a, b] = await Promise.all([
    call('POST', '/events', { token: member.token, body: { events } }),
    call('POST', '/events', { token: member.token, body: { events } }),
  ])
  assert.equal(a.status, 200, a.text)
  assert.equal(b.status, 200, b.text)
  assert.equal(a.body.accepted + b.body.accepted, 200)
  assert.equal(a.body.duplicates + b.body.duplicates, 200)
  const after = await stored(orgId)
  assert.equal(after.events - before.events, 200)
  assert.equal(after.counted - before.counted, 200, 'the counts add each event once')
})

test('1,000 events are accepted, 1,001 refused', async () => {
  const { member, orgId } = await team()
  const batch = (n: number, prefix: string) =>
    Array.from(
      { length: n },
      (_, i) => ({ id: `${prefix}-${i}`, name: 'bulk', occurred_at: ago(i % 60) }),
    )
  const ok = await call('POST', '/events', {
    token: member.token,
    body: { events: batch(1000, 'max') },
  })
  assert.deepEqual(ok.body, { accepted: 1000, duplicates: 0 })
  const before = await stored(orgId)
  const tooMany = await call('POST', '/events', {
    token: member.token,
    body: { events: batch(1001, 'over') },
  })
  assert.equal(tooMany.status, 400)
  assert.match(tooMany.body.error.message, /body\.events: Too big/)
  assert.deepEqual(await stored(orgId), before)
})

test('one bad event refuses the batch, and every bad event is named by index', async () => {
  const { member, orgId } = await team()
  const before = await stored(orgId)
  const events = [
    { id: 'good-0', name: 'ok', occurred_at: ago(0) },
    { id: 'bad-1', name: 'ok', occurred_at: new Date(Date.now() + 10 * 60_000).toISOString() },
    { id: 'good-2', name: 'ok', occurred_at: ago(0) },
    { id: 'bad-3', name: 'ok', occurred_at: new Date(Date.now() - 401 * 86_400_000).toISOString() },
    { id: 'bad-4', name: '', occurred_at: ago(0), color: 'red' },
  ]
  const res = await call('POST', '/events', { token: member.token, body: { events } })
  assert.equal(res.status, 400)
  assert.equal(res.body.error.code, 'invalid_request')
  assert.deepEqual(problems(res.body).sort(), [
    'body.events[1].occurred_at: is more than 5 minutes in the future',
    'body.events[3].occurred_at: is older than 400 days',
    'body.events[4].color: unknown field',
    'body.events[4].name: Too small: expected string to have >=1 characters',
  ])
  assert.deepEqual(await stored(orgId), before, 'nothing of the batch was written')
})

test('timestamps need an offset and must be within 400 days back and 5 minutes ahead', async () => {
  const { member } = await team()
  const send = (occurred_at: unknown) =>
    call('POST', '/events', { token: member.token, body: { events: [{ name: 'x', occurred_at }] } })
  for (const ok of [ago(-4), ago(399 * 24 * 60), new Date().toISOString().replace('Z', '+05:30')]) {
    // +05:30 on a UTC clock reading is 5.5 h in the past: still fine.
    assert.equal((await send(ok)).status, 200, String(ok))
  }
  const farOffset = new Date().toISOString().replace('Z', '+16:00')
  for (
    const bad of [
      '2026-01-01T10:00:00',
      '2026-01-01',
      'yesterday',
      1767261600000,
      ago(-6),
      farOffset,
    ]
  ) {
    const res = await send(bad)
    assert.equal(res.status, 400, String(bad))
    assert.match(res.body.error.message, /^body\.events\[0\]\.occurred_at: /)
  }
})

test('every field is checked', async () => {
  const { member } = await team()
  const base = { name: 'x', occurred_at: ago(0) }
  const cases: [Record<string, unknown>, string][] = [
    [{ ...base, id: '' }, 'id'],
    [{ ...base, id: 'x'.repeat(129) }, 'id'],
    [{ ...base, id: 42 }, 'id'],
    [{ ...base, name: undefined }, 'name'],
    [{ ...base, name: 'x'.repeat(201) }, 'name'],
    [{ ...base, name: 'nul\u0000' }, 'name'],
    [{ ...base, occurred_at: null }, 'occurred_at'],
    [{ ...base, actor_id: '' }, 'actor_id'],
    [{ ...base, actor_id: 7 }, 'actor_id'],
    [{ ...base, session_id: 'x'.repeat(201) }, 'session_id'],
    [{ ...base, properties: [1, 2] }, 'properties'],
    [{ ...base, properties: 'plan=pro' }, 'properties'],
    [{ ...base, properties: { big: 'x'.repeat(9000) } }, 'properties'],
    // Text Postgres cannot store is named down to the property.
    [{ ...base, properties: { bad: 'a\u0000b' } }, 'properties.bad'],
    [{ ...base, properties: { half: '\ud800' } }, 'properties.half'],
    [{ ...base, properties: { 'k\u0000': 1 } }, 'properties'],
  ]
  for (const [event, field] of cases) {
    const res = await call('POST', '/events', { token: member.token, body: { events: [event] } })
    assert.equal(res.status, 400, `${field}: ${JSON.stringify(event).slice(0, 80)}`)
    assert.ok(
      problems(res.body).some((p) => p.startsWith(`body.events[0].${field}:`)),
      `${field}: ${res.text}`,
    )
  }
  for (
    const body of [{}, { events: [] }, { events: 'x' }, { events: [{ ...base }], extra: 1 }, []]
  ) {
    const res = await call('POST', '/events', { token: member.token, body })
    assert.equal(res.status, 400, JSON.stringify(body))
  }
  const malformed = await call('POST', '/events', { token: member.token, raw: '{"events": [' })
  assert.equal(malformed.status, 400)
})

test('a body over the batch limit is refused before it is read', async () => {
  const { member } = await team()
  // The 413 is answered while the body is still arriving, so the connection may close
  // before its JSON can be read: only the status is certain.
  const res = await fetch(`${stack.apiUrl}/functions/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json' },
    body: ' '.repeat(MAX_BODY_BYTES + 1),
  })
  assert.equal(res.status, 413)
  await res.body?.cancel().catch(() => {})
})

test('a viewer cannot send events with their token', async () => {
  const { viewer } = await team()
  const res = await call('POST', '/events', {
    token: viewer.token,
    body: { events: [{ name: 'x', occurred_at: ago(0) }] },
  })
  assert.equal(res.status, 403)
  assert.equal(res.body.error.code, 'forbidden')
})

test('no credential, a bad token or no organization: nothing is stored', async () => {
  const body = { events: [{ name: 'x', occurred_at: ago(0) }] }
  assert.equal((await call('POST', '/events', { body })).status, 401)
  assert.equal((await call('POST', '/events', { body, token: 'not-a-jwt' })).status, 401)
  const loner = await newUser('loner')
  const res = await call('POST', '/events', { body, token: loner.token })
  assert.equal(res.status, 404)
})

test("one organization's events never reach another's tables", async () => {
  const { member, orgId, admin } = await team()
  const other = await newUser('other-owner')
  const otherOrg = await newOrg(other)
  const otherKey = await createApiKey(other)
  const marker = `isolation-${crypto.randomUUID()}`
  const events = [{ id: marker, name: marker, occurred_at: ago(0), actor_id: marker }]
  assert.equal(
    (await call('POST', '/events', { token: member.token, body: { events } })).status,
    200,
  )
  const ours = await createApiKey(admin)
  assert.equal(
    (await call('POST', '/events', { token: ours, body: { events } })).body.duplicates,
    1,
  )

  // The same ids sent by the other organization are new there: ids are per organization.
  const theirs = await call('POST', '/events', { token: otherKey, body: { events } })
  assert.deepEqual(theirs.body, { accepted: 1, duplicates: 0 })
  const rows = await adminSql<{ org_id: string; n: number }[]>`
    select org_id, count(*)::int as n from (
      select org_id from public.events where name = ${marker}
      union all select org_id from public.event_counts where name = ${marker}
      union all select org_id from public.event_actor_days where actor_id = ${marker}
      union all select org_id from public.event_actors where actor_id = ${marker}) t
    group by org_id order by n`
  assert.deepEqual(
    rows.map((r) => [r.org_id, r.n]).sort(),
    [[orgId, 4], [otherOrg, 4]].sort(),
  )
  // And the other owner cannot see ours through their token on any route.
  const keys = await call('GET', '/events/keys', { token: other.token })
  assert.equal(keys.body.keys.length, 1)
})
