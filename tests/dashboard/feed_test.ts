/**
 * GET /dashboard/events and /dashboard/events/:id: order, keyset pagination while events
 * keep arriving, filters, one event by id, isolation and input validation.
 */
import assert from 'node:assert/strict'
import { call, test } from '../_helpers/stack.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { type CraftedEvent, insertEvents } from '../_helpers/events.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { dashboard } from './_activity.ts'

// Newest first the feed is g, f, e, d, c, b, a: a and b share an instant (id breaks the
// tie), c and d are one and two microseconds later (the same millisecond).
const events: CraftedEvent[] = [
  {
    id: 'a',
    at: '2026-03-01T10:00:00Z',
    name: 'page_view',
    actor: 'u1',
    session: 's1',
    properties: { plan: 'pro', count: 3 },
  },
  {
    id: 'b',
    at: '2026-03-01T10:00:00Z',
    name: 'page_view',
    actor: 'u2',
    properties: { plan: 'free' },
  },
  { id: 'c', at: '2026-03-01T10:00:00.000001Z', name: 'click', actor: 'u1' },
  {
    id: 'd',
    at: '2026-03-01T10:00:00.000002Z',
    name: 'click',
    actor: 'u3',
    properties: { plan: 'pro' },
  },
  {
    id: 'e',
    at: '2026-03-01T11:00:00Z',
    name: 'signup',
    actor: 'u2',
    properties: { plan: 'free', flag: true },
  },
  {
    id: 'f',
    at: '2026-03-02T09:00:00Z',
    name: 'click',
    actor: 'u1',
    properties: { plan: 'pro', ref: { source: 'ads' } },
  },
  {
    id: 'g',
    at: '2026-03-03T09:00:00Z',
    name: 'page_view',
    actor: null,
    properties: { count: '3' },
  },
]

type Page = { events: { id: string }[]; next_cursor: string | null }
const ids = (page: Page) => page.events.map((e) => e.id)

test('feed: newest first; pages stay put while newer events arrive', async () => {
  const owner = await newOrgOwner()
  await insertEvents(owner.orgId, events)
  const all = await dashboard<Page>(owner, '/events?limit=7')
  assert.equal(all.status, 200, all.text)
  assert.deepEqual(ids(all.body), ['g', 'f', 'e', 'd', 'c', 'b', 'a'])
  assert.equal(all.body.next_cursor, null)

  const seen: string[] = []
  let page = await dashboard<Page>(owner, '/events?limit=2')
  const pages: string[][] = []
  for (let n = 0; n < 10; n++) {
    assert.equal(page.status, 200, page.text)
    pages.push(ids(page.body))
    seen.push(...ids(page.body))
    // New events, all newer than the first page, arrive between fetches.
    await insertEvents(owner.orgId, [
      { id: `new-${n}`, at: new Date().toISOString(), name: 'late' },
      { id: `newer-${n}`, at: '2026-03-04T00:00:00Z', name: 'late' },
    ])
    if (!page.body.next_cursor) break
    page = await dashboard<Page>(owner, `/events?limit=2&cursor=${page.body.next_cursor}`)
  }
  // The d|c boundary is one microsecond, the b|a boundary none: no gap, no duplicate.
  assert.deepEqual(pages, [['g', 'f'], ['e', 'd'], ['c', 'b'], ['a']])
  assert.equal(new Set(seen).size, seen.length)

  const fresh = await dashboard<Page>(owner, '/events?limit=3')
  assert.equal(ids(fresh.body)[0].startsWith('new-'), true)
})

test('feed: filters by name, actor, time and properties', async () => {
  const owner = await newOrgOwner()
  await insertEvents(owner.orgId, events)
  const cases: [string, string[]][] = [
    ['name=page_view', ['g', 'b', 'a']],
    ['actor_id=u1', ['f', 'c', 'a']],
    ['name=click&actor_id=u1', ['f', 'c']],
    // from is inclusive, to exclusive.
    ['from=2026-03-01T10:00:00.000001Z&to=2026-03-02T09:00:00Z', ['e', 'd', 'c']],
    ['to=2026-03-01T12:00:00%2B01:00', ['d', 'c', 'b', 'a']],
    ['from=2026-03-02T00:00:00Z', ['g', 'f']],
    ['property.plan=pro', ['f', 'd', 'a']],
    // A number, boolean or null value matches the JSON value as well as the string.
    ['property.count=3', ['g', 'a']],
    ['property.flag=true', ['e']],
    ['property.plan=pro&name=click', ['f', 'd']],
    ['property.plan=pro&property.count=3', ['a']],
    ['property.plan=enterprise', []],
    ['property.missing=x', []],
    ['name=nothing', []],
  ]
  for (const [qs, expected] of cases) {
    const res = await dashboard<Page>(owner, `/events?${qs}`)
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(ids(res.body), expected, qs)
    assert.equal(res.body.next_cursor, null, qs)
  }
  const filtered = await dashboard<Page>(owner, '/events?actor_id=u1&limit=2')
  assert.deepEqual(ids(filtered.body), ['f', 'c'])
  const rest = await dashboard<Page>(
    owner,
    `/events?actor_id=u1&limit=2&cursor=${filtered.body.next_cursor}`,
  )
  assert.deepEqual([ids(rest.body), rest.body.next_cursor], [['a'], null])
})

test('feed: one event by id, 404 for unknown ids and for other organizations', async () => {
  const a = await newOrgOwner()
  const b = await newOrgOwner()
  await insertEvents(a.orgId, [...events, { id: 'shared', at: '2026-03-05T00:00:00Z', name: 'a' }])
  await insertEvents(b.orgId, [{ id: 'shared', at: '2026-03-04T00:00:00Z', name: 'b-only' }])

  const res = await dashboard(a, '/events/a')
  assert.equal(res.status, 200, res.text)
  assert.equal(typeof res.body.received_at, 'string')
  delete res.body.received_at
  assert.deepEqual(res.body, {
    id: 'a',
    name: 'page_view',
    actor_id: 'u1',
    session_id: 's1',
    occurred_at: '2026-03-01T10:00:00.000000Z',
    properties: { plan: 'pro', count: 3 },
  })
  const missing = await dashboard(a, '/events/nope')
  assert.equal(missing.status, 404, missing.text)
  assert.equal(missing.body.error.code, 'not_found')

  // B sees neither A's event nor anything of A's in its feed, even with A's filters.
  const hidden = await dashboard(b, '/events/a')
  assert.equal(hidden.status, 404, hidden.text)
  assert.deepEqual(hidden.body, missing.body)
  assert.equal((await dashboard(b, '/events/shared')).body.name, 'b-only')
  assert.equal((await dashboard(a, '/events/shared')).body.name, 'a')
  const feedB = await dashboard<Page>(b, '/events?limit=200')
  assert.deepEqual(ids(feedB.body), ['shared'])
  assert.deepEqual(ids((await dashboard<Page>(b, '/events?actor_id=u1')).body), [])
  // A cursor made from A's feed does not open A's events to B.
  const pageA = await dashboard<Page>(a, '/events?limit=1')
  const afterA = await dashboard<Page>(b, `/events?cursor=${pageA.body.next_cursor}`)
  assert.deepEqual(ids(afterA.body), ['shared'])
})

test('feed: every parameter is validated', async () => {
  const owner = await newOrgOwner()
  const cursorOf = (value: unknown) =>
    btoa(JSON.stringify(value)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
  const tooMany = Array.from({ length: 11 }, (_, i) => `property.k${i}=v`).join('&')
  const cases: [string, string][] = [
    ['limit=0', 'query.limit'],
    ['limit=201', 'query.limit'],
    ['limit=many', 'query.limit'],
    ['cursor=not!base64', 'query.cursor'],
    ['cursor=bm90IGpzb24', 'query.cursor'], // "not json"
    [`cursor=${cursorOf({ at: '2026-03-01', id: 'a' })}`, 'query.cursor'],
    [`cursor=${cursorOf(['2026-03-01T10:00:00Z', 'a'])}`, 'query.cursor'],
    [`cursor=${cursorOf(['2026-02-30T10:00:00.000000Z', 'a'])}`, 'query.cursor'],
    [`cursor=${cursorOf(['2026-03-01T10:00:00.000000Z', ''])}`, 'query.cursor'],
    ['from=2026-03-01', 'query.from'],
    ['to=yesterday', 'query.to'],
    ['from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'query.from'],
    ['name=', 'query.name'],
    ['name=a&name=b', 'query.name'],
    [`actor_id=${'x'.repeat(201)}`, 'query.actor_id'],
    ['colour=red', 'query.colour'],
    ['property.=x', 'query.property.'],
    ['property.plan=a&property.plan=b', 'query.property.plan'],
    [`property.plan=${'x'.repeat(501)}`, 'query.property.plan'],
    [tooMany, 'query.property.k10'],
  ]
  for (const [qs, field] of cases) {
    assertInvalid(await dashboard(owner, `/events?${qs}`), field)
  }
  assertInvalid(await dashboard(owner, `/events/${'x'.repeat(129)}`), 'param.id')
  for (const path of ['/dashboard/events', '/dashboard/events/a']) {
    const anonymous = await call('GET', path)
    assert.equal(anonymous.status, 401, anonymous.text)
  }
})
