/**
 * GET /dashboard/feature-usage: events and distinct actors per name, order, paging,
 * timezone days, isolation and input validation.
 */
import assert from 'node:assert/strict'
import { call, test } from '../_helpers/stack.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { type CraftedEvent, insertEvents } from '../_helpers/events.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { dashboard } from './_activity.ts'

const events: CraftedEvent[] = [
  { id: 'pv1', at: '2026-03-10T08:00:00Z', name: 'page_view', actor: 'p1' },
  { id: 'pv2', at: '2026-03-10T09:00:00Z', name: 'page_view', actor: 'p1' },
  { id: 'pv3', at: '2026-03-11T10:00:00Z', name: 'page_view', actor: 'p1' },
  { id: 'pv4', at: '2026-03-11T11:00:00Z', name: 'page_view', actor: null },
  // 23:30 UTC on the 11th is already the 12th in Tokyo.
  { id: 'pv5', at: '2026-03-11T23:30:00Z', name: 'page_view', actor: 'p2' },
  { id: 'c1', at: '2026-03-10T12:00:00Z', name: 'click', actor: 'p1' },
  { id: 'c2', at: '2026-03-11T12:00:00Z', name: 'click', actor: 'p1' },
  { id: 's1', at: '2026-03-10T12:00:00Z', name: 'signup', actor: 's1' },
  { id: 's2', at: '2026-03-11T12:00:00Z', name: 'signup', actor: 's2' },
  // 23:30 UTC on the 9th is the 10th in Tokyo.
  { id: 'x1', at: '2026-03-09T23:30:00Z', name: 'export', actor: 'e1' },
  { id: 'old', at: '2026-02-01T12:00:00Z', name: 'legacy', actor: 'p1' },
]

type Feature = { name: string; events: number; actors: number }
const rows = (features: Feature[]) => features.map((f) => [f.name, f.events, f.actors])

test('feature usage: events and distinct actors per name, most frequent first', async () => {
  const owner = await newOrgOwner()
  await insertEvents(owner.orgId, events)
  const res = await dashboard(owner, '/feature-usage?from=2026-03-10&to=2026-03-11')
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(
    { ...res.body, features: rows(res.body.features) },
    {
      from: '2026-03-10',
      to: '2026-03-11',
      timezone: 'UTC',
      total_groups: 3,
      limit: 20,
      offset: 0,
      // Ties (click and signup, 2 each) go by name; an event without actor is no actor.
      features: [['page_view', 5, 2], ['click', 2, 1], ['signup', 2, 2]],
    },
  )
})

test('feature usage: limit and offset page through names, total_groups counts all', async () => {
  const owner = await newOrgOwner()
  await insertEvents(owner.orgId, events)
  const range = 'from=2026-03-10&to=2026-03-11'
  const first = await dashboard(owner, `/feature-usage?${range}&limit=2`)
  assert.deepEqual(rows(first.body.features), [['page_view', 5, 2], ['click', 2, 1]])
  assert.equal(first.body.total_groups, 3)
  const second = await dashboard(owner, `/feature-usage?${range}&limit=2&offset=2`)
  assert.deepEqual(rows(second.body.features), [['signup', 2, 2]])
  const beyond = await dashboard(owner, `/feature-usage?${range}&offset=10`)
  assert.equal(beyond.status, 200, beyond.text)
  assert.deepEqual([beyond.body.features, beyond.body.total_groups], [[], 3])
})

test("feature usage: days follow the timezone asked for, else the organization's", async () => {
  const owner = await newOrgOwner({ timezone: 'Asia/Tokyo' })
  await insertEvents(owner.orgId, events)
  const tokyo = await dashboard(owner, '/feature-usage?from=2026-03-10&to=2026-03-11')
  assert.equal(tokyo.status, 200, tokyo.text)
  assert.equal(tokyo.body.timezone, 'Asia/Tokyo')
  assert.deepEqual(rows(tokyo.body.features), [
    ['page_view', 4, 1],
    ['click', 2, 1],
    ['signup', 2, 2],
    ['export', 1, 1],
  ])
  const utc = await dashboard(owner, '/feature-usage?from=2026-03-10&to=2026-03-11&timezone=UTC')
  assert.deepEqual(rows(utc.body.features)[0], ['page_view', 5, 2])
  assert.equal(utc.body.total_groups, 3)
})

test("feature usage: another organization's events are never counted", async () => {
  const a = await newOrgOwner()
  const b = await newOrgOwner()
  await insertEvents(a.orgId, events)
  await insertEvents(b.orgId, [{ id: 'b1', at: '2026-03-10T12:00:00Z', name: 'mine', actor: 'b' }])
  const res = await dashboard(b, '/feature-usage?from=2026-03-01&to=2026-03-31')
  assert.equal(res.status, 200, res.text)
  assert.deepEqual([rows(res.body.features), res.body.total_groups], [[['mine', 1, 1]], 1])
})

test('feature usage: every parameter is validated', async () => {
  const owner = await newOrgOwner()
  const cases: [string, string][] = [
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['offset=-1', 'query.offset'],
    ['offset=1.5', 'query.offset'],
    ['timezone=Mars/Olympus', 'query.timezone'],
    ['range=1y', 'query.range'],
    ['from=2026-03-11&to=2026-03-10', 'query.from'],
    ['from=2026-03-11', 'query.to'],
    ['from=2020-01-01&to=2026-03-10', 'query.to'],
    ['from=2026-02-29&to=2026-03-10', 'query.from'],
  ]
  for (const [qs, field] of cases) {
    assertInvalid(await dashboard(owner, `/feature-usage?${qs}`), field)
  }
  const anonymous = await call('GET', '/dashboard/feature-usage')
  assert.equal(anonymous.status, 401, anonymous.text)
})
