/**
 * GET /dashboard/breakdown: groups by dimension, source, event name and event property,
 * shares of the grand total, sorting, pagination with total_groups, filters, isolation,
 * and a 400 per bad parameter.
 */
import assert from 'node:assert/strict'
import { test } from '../_helpers/stack.ts'
import { newOrgOwner, type OrgOwner } from '../_helpers/orgs.ts'
import { insertEvents } from '../_helpers/events.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { getReport, insertMetrics } from './_reports.ts'

const window = { from: '2026-04-01', to: '2026-04-30' }

async function arrange(): Promise<OrgOwner> {
  const user = await newOrgOwner({ timezone: 'UTC' })
  await insertMetrics(user.orgId, [
    ['sessions', '2026-04-01', 'ga', 'organic', 30],
    ['sessions', '2026-04-30', 'ga', 'organic', 20],
    ['sessions', '2026-04-02', 'ga', 'paid', 10],
    ['sessions', '2026-04-02', 'instagram', 'paid', 20],
    ['sessions', '2026-04-03', 'ga', 'email', 15],
    ['sessions', '2026-04-03', 'api', '', 5],
    ['sessions', '2026-05-01', 'ga', 'late', 1000], // outside the window
    ['users', '2026-04-03', 'ga', 'other-metric', 1000],
  ])
  await insertEvents(user.orgId, [
    { name: 'signup', at: '2026-04-05T10:00:00Z', properties: { plan: 'pro' } },
    { name: 'signup', at: '2026-04-06T10:00:00Z', properties: { plan: 'pro' } },
    { name: 'signup', at: '2026-04-07T10:00:00Z', properties: { plan: 'free' } },
    { name: 'login', at: '2026-04-08T10:00:00Z' },
    { name: 'login', at: '2026-04-30T23:59:59Z' },
    { name: 'login', at: '2026-05-01T00:00:00Z' }, // outside the window
  ])
  return user
}

type Group = { key: string | null; value: number; share: number | null }
const keys = (groups: Group[]) => groups.map((g) => g.key)

test('breakdown: metric by dimension, sorted by value, with shares and pages', async () => {
  const user = await arrange()
  const page = (query: Record<string, string>) =>
    getReport(user, 'breakdown', {
      series: 'metric:sessions',
      by: 'dimension',
      ...window,
      ...query,
    })
  const first = await page({ limit: '2' })
  assert.equal(first.status, 200, first.text)
  assert.equal(first.body.total_groups, 4)
  assert.equal(first.body.total, 100)
  assert.equal(first.body.sort, 'value_desc')
  assert.deepEqual(first.body.groups, [
    { key: 'organic', value: 50, share: 0.5 },
    { key: 'paid', value: 30, share: 0.3 },
  ])
  const second = await page({ limit: '2', offset: '2' })
  assert.deepEqual(second.body.groups, [
    { key: 'email', value: 15, share: 0.15 },
    { key: '', value: 5, share: 0.05 },
  ])
  const beyond = await page({ limit: '2', offset: '4' })
  assert.equal(beyond.status, 200, beyond.text)
  assert.deepEqual(beyond.body.groups, [])
  assert.equal(beyond.body.total_groups, 4)
  assert.equal(beyond.body.total, 100)

  assert.deepEqual(keys((await page({ sort: 'value_asc' })).body.groups), [
    '',
    'email',
    'paid',
    'organic',
  ])
  assert.deepEqual(keys((await page({ sort: 'key_asc' })).body.groups), [
    '',
    'email',
    'organic',
    'paid',
  ])
  assert.deepEqual(keys((await page({ sort: 'key_desc' })).body.groups), [
    'paid',
    'organic',
    'email',
    '',
  ])
})

test('breakdown: metric by source, and with a filter', async () => {
  const user = await arrange()
  const bySource = await getReport(user, 'breakdown', {
    series: 'metric:sessions',
    by: 'source',
    ...window,
  })
  assert.equal(bySource.status, 200, bySource.text)
  assert.deepEqual(bySource.body.groups, [
    { key: 'ga', value: 75, share: 0.75 },
    { key: 'instagram', value: 20, share: 0.2 },
    { key: 'api', value: 5, share: 0.05 },
  ])
  const filtered = await getReport(user, 'breakdown', {
    series: 'metric:sessions',
    by: 'source',
    ...window,
    filters: JSON.stringify([{ field: 'dimension', op: 'is', value: 'paid' }]),
  })
  assert.deepEqual(filtered.body.groups, [
    { key: 'instagram', value: 20, share: 20 / 30 },
    { key: 'ga', value: 10, share: 10 / 30 },
  ])
  assert.equal(filtered.body.total, 30)
})

test('breakdown: events by name and by property (null when absent)', async () => {
  const user = await arrange()
  const byName = await getReport(user, 'breakdown', {
    series: 'events',
    by: 'event_name',
    ...window,
  })
  assert.equal(byName.status, 200, byName.text)
  assert.equal(byName.body.total, 5)
  assert.deepEqual(byName.body.groups, [
    { key: 'signup', value: 3, share: 0.6 },
    { key: 'login', value: 2, share: 0.4 },
  ])
  const byPlan = await getReport(user, 'breakdown', {
    series: 'events',
    by: 'property.plan',
    ...window,
  })
  assert.equal(byPlan.status, 200, byPlan.text)
  assert.deepEqual(byPlan.body.groups, [
    { key: 'pro', value: 2, share: 0.4 },
    { key: null, value: 2, share: 0.4 },
    { key: 'free', value: 1, share: 0.2 },
  ])
  const signupPlans = await getReport(user, 'breakdown', {
    series: 'event:signup',
    by: 'property.plan',
    ...window,
    filters: JSON.stringify([{ field: 'property.plan', op: 'is_not', value: 'free' }]),
  })
  assert.deepEqual(signupPlans.body.groups, [{ key: 'pro', value: 2, share: 1 }])
})

test('breakdown: no data means no groups and a zero total', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const res = await getReport(user, 'breakdown', { series: 'events', by: 'event_name', ...window })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(
    { groups: res.body.groups, total: res.body.total, total_groups: res.body.total_groups },
    { groups: [], total: 0, total_groups: 0 },
  )
})

test("breakdown: another organization's user sees nothing", async () => {
  await arrange()
  const other = await newOrgOwner({ timezone: 'UTC', label: 'other' })
  for (const [series, by] of [['metric:sessions', 'dimension'], ['events', 'property.plan']]) {
    const res = await getReport(other, 'breakdown', { series, by, ...window })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.total_groups, 0)
    assert.equal(res.body.total, 0)
  }
})

test('breakdown: every bad parameter is a 400 naming it', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const base = { series: 'metric:sessions', by: 'dimension', ...window }
  const bad = (query: Record<string, string>) => getReport(user, 'breakdown', { ...base, ...query })
  assertInvalid(await bad({ by: 'country' }), 'query.by')
  assertInvalid(await bad({ by: 'event_name' }), 'query.by', /does not apply to metric series/)
  assertInvalid(await bad({ series: 'events', by: 'dimension' }), 'query.by', /event series/)
  assertInvalid(await bad({ series: 'events', by: 'source' }), 'query.by')
  assertInvalid(await bad({ series: 'events,metric:sessions' }), 'query.series', /at most 1/)
  assertInvalid(await bad({ limit: '0' }), 'query.limit')
  assertInvalid(await bad({ limit: '1001' }), 'query.limit')
  assertInvalid(await bad({ limit: 'ten' }), 'query.limit')
  assertInvalid(await bad({ offset: '-1' }), 'query.offset')
  assertInvalid(await bad({ offset: '1.5' }), 'query.offset')
  assertInvalid(await bad({ sort: 'random' }), 'query.sort')
  assertInvalid(await bad({ format: 'pdf' }), 'query.format')
  assertInvalid(await bad({ from: '2026-04-31' }), 'query.from')
  const { by: _by, ...noBy } = base
  assertInvalid(await getReport(user, 'breakdown', noBy), 'query.by')
})
