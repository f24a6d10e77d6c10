/**
 * The filter language through tiles and series: each op on each field, filters that do
 * not apply to a series kind, malformed filters, and values that look like SQL.
 */
import assert from 'node:assert/strict'
import { test } from '../_helpers/stack.ts'
import { newOrgOwner, type OrgOwner } from '../_helpers/orgs.ts'
import { insertEvents } from '../_helpers/events.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { getReport, insertMetrics } from './_reports.ts'

const day = { from: '2026-01-10', to: '2026-01-10', compare: 'none' }

async function arrange(): Promise<OrgOwner> {
  const user = await newOrgOwner({ timezone: 'UTC' })
  await insertMetrics(user.orgId, [
    ['sessions', '2026-01-10', 'ga', 'organic', 10],
    ['sessions', '2026-01-10', 'ga', 'paid', 20],
    ['sessions', '2026-01-10', 'api', '', 5],
    ['sessions', '2026-01-10', 'instagram', 'Organic Social', 7],
  ])
  await insertEvents(user.orgId, [
    { name: 'signup', at: '2026-01-10T09:00:00Z', properties: { plan: 'pro', seats: 3 } },
    { name: 'signup', at: '2026-01-10T10:00:00Z', properties: { plan: 'free', seats: 1 } },
    { name: 'signup', at: '2026-01-10T11:00:00Z' },
    { name: 'login', at: '2026-01-10T12:00:00Z', properties: { plan: 'pro', trial: true } },
  ])
  return user
}

/** The tile value of `series` under `filters`. */
async function valueWith(user: OrgOwner, series: string, filters: unknown[]): Promise<number> {
  const res = await getReport(user, 'tiles', { series, ...day, filters: JSON.stringify(filters) })
  assert.equal(res.status, 200, res.text)
  return res.body.tiles[0].value
}

test('filters: each op on dimension and source', async () => {
  const user = await arrange()
  const m = 'metric:sessions'
  assert.equal(await valueWith(user, m, []), 42)
  assert.equal(await valueWith(user, m, [{ field: 'dimension', op: 'is', value: 'organic' }]), 10)
  assert.equal(await valueWith(user, m, [{ field: 'dimension', op: 'is', value: '' }]), 5)
  assert.equal(
    await valueWith(user, m, [{ field: 'dimension', op: 'is_not', value: 'organic' }]),
    32,
  )
  // contains ignores case: "organic" and "Organic Social".
  assert.equal(
    await valueWith(user, m, [{ field: 'dimension', op: 'contains', value: 'ORGANIC' }]),
    17,
  )
  assert.equal(
    await valueWith(user, m, [{ field: 'dimension', op: 'in', value: ['organic', 'paid'] }]),
    30,
  )
  assert.equal(await valueWith(user, m, [{ field: 'source', op: 'is', value: 'ga' }]), 30)
  assert.equal(
    await valueWith(user, m, [{ field: 'source', op: 'in', value: ['api', 'instagram'] }]),
    12,
  )
  // Filters are ANDed.
  assert.equal(
    await valueWith(user, m, [
      { field: 'source', op: 'is', value: 'ga' },
      { field: 'dimension', op: 'is_not', value: 'paid' },
    ]),
    10,
  )
})

test('filters: each op on event_name (rollup) and on event properties (raw events)', async () => {
  const user = await arrange()
  assert.equal(
    await valueWith(user, 'events', [{ field: 'event_name', op: 'is', value: 'signup' }]),
    3,
  )
  assert.equal(
    await valueWith(user, 'events', [{ field: 'event_name', op: 'is_not', value: 'signup' }]),
    1,
  )
  assert.equal(
    await valueWith(user, 'events', [{ field: 'event_name', op: 'contains', value: 'LOG' }]),
    1,
  )
  assert.equal(
    await valueWith(user, 'events', [{
      field: 'event_name',
      op: 'in',
      value: ['signup', 'login'],
    }]),
    4,
  )
  const plan = (op: string, value: unknown) => [{ field: 'property.plan', op, value }]
  assert.equal(await valueWith(user, 'events', plan('is', 'pro')), 2)
  assert.equal(await valueWith(user, 'event:signup', plan('is', 'pro')), 1)
  // An event without the property is "not pro".
  assert.equal(await valueWith(user, 'event:signup', plan('is_not', 'pro')), 2)
  assert.equal(await valueWith(user, 'events', plan('contains', 'FR')), 1)
  assert.equal(await valueWith(user, 'events', plan('in', ['pro', 'free'])), 3)
  // Numbers and booleans compare with the property's text.
  assert.equal(
    await valueWith(user, 'events', [{ field: 'property.seats', op: 'is', value: 3 }]),
    1,
  )
  assert.equal(
    await valueWith(user, 'events', [{ field: 'property.trial', op: 'is', value: true }]),
    1,
  )
  // A property filter and an event-name filter together.
  assert.equal(
    await valueWith(user, 'events', [
      { field: 'event_name', op: 'is', value: 'login' },
      { field: 'property.plan', op: 'is', value: 'pro' },
    ]),
    1,
  )
})

test('filters: apply to series buckets too', async () => {
  const user = await arrange()
  const res = await getReport(user, 'series', {
    series: 'event:signup',
    granularity: 'hour',
    ...day,
    filters: JSON.stringify([{ field: 'property.plan', op: 'in', value: ['pro', 'free'] }]),
  })
  assert.equal(res.status, 200, res.text)
  const values: number[] = res.body.series[0].values
  assert.equal(values.length, 24)
  assert.deepEqual([values[9], values[10], values[11]], [1, 1, 0])
})

test('filters: values are bound parameters, never SQL', async () => {
  const user = await arrange()
  const sneaky = "organic' or '1'='1"
  assert.equal(
    await valueWith(user, 'metric:sessions', [{ field: 'dimension', op: 'is', value: sneaky }]),
    0,
  )
  assert.equal(
    await valueWith(user, 'events', [{ field: 'property.plan', op: 'contains', value: "%' --" }]),
    0,
  )
  const res = await getReport(user, 'tiles', {
    series: 'events',
    ...day,
    filters: JSON.stringify([{ field: "property.x') or true --", op: 'is', value: 'a' }]),
  })
  assertInvalid(res, 'query.filters[0].field')
})

test('filters: a filter that does not apply to a series kind is a 400', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const tiles = (series: string, filters: unknown[]) =>
    getReport(user, 'tiles', { series, ...day, filters: JSON.stringify(filters) })
  assertInvalid(
    await tiles('metric:sessions', [{ field: 'property.plan', op: 'is', value: 'pro' }]),
    'query.filters[0].field',
    /does not apply to metric series \(metric:sessions\)/,
  )
  assertInvalid(
    await tiles('events', [
      { field: 'event_name', op: 'is', value: 'x' },
      { field: 'dimension', op: 'is', value: 'organic' },
    ]),
    'query.filters[1].field',
    /does not apply to event series \(events\)/,
  )
  assertInvalid(
    await tiles('event:signup,metric:sessions', [{ field: 'source', op: 'is', value: 'ga' }]),
    'query.filters[0].field',
  )
  assertInvalid(
    await tiles('metric:sessions', [{ field: 'event_name', op: 'is', value: 'x' }]),
    'query.filters[0].field',
  )
})

test('filters: malformed filters are a 400 naming the place', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const raw = (filters: string) => getReport(user, 'tiles', { series: 'events', ...day, filters })
  const json = (filters: unknown) => raw(JSON.stringify(filters))
  assertInvalid(await raw('[{"field":'), 'query.filters', /JSON/)
  assertInvalid(await json({ field: 'event_name', op: 'is', value: 'x' }), 'query.filters')
  assertInvalid(
    await json([{ field: 'event_name', op: 'equals', value: 'x' }]),
    'query.filters[0].op',
  )
  assertInvalid(await json([{ field: 'country', op: 'is', value: 'x' }]), 'query.filters[0].field')
  assertInvalid(
    await json([{ field: 'property.', op: 'is', value: 'x' }]),
    'query.filters[0].field',
  )
  assertInvalid(await json([{ op: 'is', value: 'x' }]), 'query.filters[0].field')
  assertInvalid(
    await json([{ field: 'event_name', op: 'in', value: 'x' }]),
    'query.filters[0].value',
  )
  assertInvalid(
    await json([{ field: 'event_name', op: 'in', value: [] }]),
    'query.filters[0].value',
  )
  assertInvalid(
    await json([{ field: 'event_name', op: 'in', value: ['a', {}] }]),
    'query.filters[0].value[1]',
  )
  assertInvalid(
    await json([{ field: 'event_name', op: 'is', value: ['x'] }]),
    'query.filters[0].value',
  )
  assertInvalid(await json([{ field: 'event_name', op: 'is' }]), 'query.filters[0].value')
  assertInvalid(
    await json([{ field: 'event_name', op: 'is', value: 'x'.repeat(201) }]),
    'query.filters[0].value',
  )
  assertInvalid(
    await json([{ field: 'event_name', op: 'is', value: 'x', extra: 1 }]),
    'query.filters[0].extra',
  )
  const many = Array.from({ length: 21 }, () => ({ field: 'event_name', op: 'is', value: 'x' }))
  assertInvalid(await json(many), 'query.filters', /at most 20/)
  // Valid filters alongside: only the bad one is named.
  assertInvalid(
    await json([{ field: 'event_name', op: 'is', value: 'x' }, {
      field: 'event_name',
      op: 'nope',
      value: 'x',
    }]),
    'query.filters[1].op',
  )
})
