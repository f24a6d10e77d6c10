/**
 * The inputs that answered 500 before issue 7, one by one: NUL in each named text field,
 * numbers beyond numeric's range in property filters, and metric values whose sums
 * overflowed float8. Each is now a 400 naming the field, or a correct answer, and a refused
 * request writes nothing.
 */
import assert from 'node:assert/strict'
import { adminSql, call, type Reply, test } from '../_helpers/stack.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { insertEvents } from '../_helpers/events.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { getReport, insertMetrics } from '../dashboard/_reports.ts'

/** The day `n` days before today (UTC), as YYYY-MM-DD. */
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

const NUL_MESSAGE = /must not contain NUL/

function assertNul(res: Reply, field: string) {
  assertInvalid(res, field, NUL_MESSAGE)
}

test('NUL in an account, organization or key name is a 400 naming it; nothing changes', async () => {
  const user = await newOrgOwner({ name: 'Untouched Org' })
  const token = user.token
  assertNul(
    await call('PATCH', '/account/me', { token, body: { display_name: 'Ada\u0000' } }),
    'body.display_name',
  )
  assert.equal((await call('GET', '/account/me', { token })).body.display_name, null)

  assertNul(await call('POST', '/orgs', { token, body: { name: 'a\u0000b' } }), 'body.name')
  assertNul(
    await call('PATCH', `/orgs/${user.orgId}`, { token, body: { name: '\u0000' } }),
    'body.name',
  )
  const orgs = await call('GET', '/orgs', { token })
  assert.deepEqual(orgs.body.organizations.map((o: { name: string }) => o.name), ['Untouched Org'])

  assertNul(await call('POST', '/events/keys', { token, body: { name: 'k\u0000' } }), 'body.name')
  assert.deepEqual((await call('GET', '/events/keys', { token })).body.keys, [])
})

test('NUL in a feed, report or filter parameter is a 400 naming it', async () => {
  const { token } = await newOrgOwner()
  const filters = (value: unknown) =>
    encodeURIComponent(JSON.stringify([{ field: 'event_name', op: 'in', value }]))
  const cases: [string, string][] = [
    ['/dashboard/events?name=a%00b', 'query.name'],
    ['/dashboard/events?actor_id=%00', 'query.actor_id'],
    ['/dashboard/events?property.plan=pro%00', 'query.property.plan'],
    ['/dashboard/events/evt%00', 'param.id'],
    ['/dashboard/tiles?series=event:a%00', 'query.series[0].name'],
    ['/dashboard/series?series=events,event:a%00', 'query.series[1].name'],
    [
      `/dashboard/tiles?series=events&filters=${filters(['ok', 'a\u0000'])}`,
      'query.filters[0].value[1]',
    ],
    [
      `/dashboard/breakdown?series=events&by=event_name&filters=${filters(['\u0000'])}`,
      'query.filters[0].value[0]',
    ],
  ]
  for (const [path, field] of cases) assertNul(await call('GET', path, { token }), field)
})

test('NUL in an event or a metric refuses the whole batch, naming it; nothing is stored', async () => {
  const user = await newOrgOwner()
  const now = new Date().toISOString()
  const events = [
    { name: 'fine', occurred_at: now },
    { name: 'fine', occurred_at: now, properties: { plan: 'pro\u0000' } },
    { name: 'fine', occurred_at: now, properties: { ['pl\u0000an']: 'pro' } },
    { name: 'bad\u0000', occurred_at: now },
  ]
  const res = await call('POST', '/events', { token: user.token, body: { events } })
  assertNul(res, 'body.events[1].properties.plan')
  const paths = res.body.error.details.map((p: { path: string }) => p.path)
  assert.deepEqual(paths.sort(), [
    'body.events[1].properties.plan',
    'body.events[2].properties',
    'body.events[3].name',
  ])
  const rows = [{ metric_date: daysAgo(1), metric_name: 'm', value: 1, dimension: 'x\u0000' }]
  assertNul(
    await call('POST', '/metrics', { token: user.token, body: { rows } }),
    'body.rows[0].dimension',
  )
  const [stored] = await adminSql<{ events: number; metrics: number }[]>`
    select (select count(*)::int from public.events where org_id = ${user.orgId}) as events,
           (select count(*)::int from public.metrics where org_id = ${user.orgId}) as metrics`
  assert.deepEqual(stored, { events: 0, metrics: 0 })
})

test('property filters beyond numeric range answer 200, matching numbers as ingestion read them', async () => {
  const user = await newOrgOwner()
  const at = new Date(Date.now() - 60_000).toISOString()
  await insertEvents(user.orgId, [
    { name: 'zero', at, properties: { plan: 0 } },
    { name: 'text', at, properties: { plan: '1e999999' } },
    { name: 'large', at, properties: { plan: 1e300 } },
  ])
  const names = async (value: string) => {
    const res = await call('GET', `/dashboard/events?property.plan=${value}`, { token: user.token })
    assert.equal(res.status, 200, res.text)
    return res.body.events.map((e: { name: string }) => e.name).sort()
  }
  assert.deepEqual(await names('1e999999'), ['text'], 'no double spells it: a string only')
  assert.deepEqual(await names('-1e400000'), [])
  assert.deepEqual(await names('1e-99999'), ['zero'], 'JSON.parse reads it as 0')
  assert.deepEqual(await names('1e300'), ['large'])
  assert.deepEqual(await names('1.0e300'), ['large'], 'the same double, spelled otherwise')
})

test('metric values beyond ±1e15 are refused by the API and by the database', async () => {
  const user = await newOrgOwner()
  for (const value of [1e308, -1e308, 1e15 + 2, -1e16]) {
    const rows = [{ metric_date: daysAgo(1), metric_name: 'big', value }]
    const res = await call('POST', '/metrics', { token: user.token, body: { rows } })
    assertInvalid(res, 'body.rows[0].value', /between -1e15 and 1e15/)
  }
  await assert.rejects(
    insertMetrics(user.orgId, [['big', daysAgo(1), 'api', '', 1e308]]),
    (err: { code?: string; constraint_name?: string }) =>
      err.code === '23514' && err.constraint_name === 'metrics_value_bounded',
  )
})

test('sums of values at the bound answer 200 on tiles, series, breakdown and CSV', async () => {
  const user = await newOrgOwner()
  const [day1, day2] = [daysAgo(2), daysAgo(1)]
  const rows = ['a', 'b', 'c'].map((dimension) => ({
    metric_date: day1,
    metric_name: 'big',
    value: 1e15,
    dimension,
  }))
  rows.push({ metric_date: day2, metric_name: 'big', value: 1e15, dimension: 'a' })
  const written = await call('POST', '/metrics', { token: user.token, body: { rows } })
  assert.equal(written.status, 200, written.text)
  const window = { series: 'metric:big', from: day1, to: day2 }

  const tiles = await getReport(user, 'tiles', window)
  assert.equal(tiles.status, 200, tiles.text)
  assert.equal(tiles.body.tiles[0].value, 4e15)

  const series = await getReport(user, 'series', window)
  assert.equal(series.status, 200, series.text)
  assert.deepEqual(series.body.series[0].values, [3e15, 1e15])
  const seriesCsv = await getReport(user, 'series', { ...window, format: 'csv' })
  assert.equal(seriesCsv.status, 200, seriesCsv.text)
  assert.match(seriesCsv.text, /,3000000000000000,/)

  const breakdown = await getReport(user, 'breakdown', { ...window, by: 'dimension' })
  assert.equal(breakdown.status, 200, breakdown.text)
  assert.equal(breakdown.body.total, 4e15)
  assert.deepEqual(breakdown.body.groups[0], { key: 'a', value: 2e15, share: 0.5 })
  const breakdownCsv = await getReport(user, 'breakdown', {
    ...window,
    by: 'dimension',
    format: 'csv',
  })
  assert.equal(breakdownCsv.status, 200, breakdownCsv.text)
  assert.match(breakdownCsv.text, /^a,2000000000000000,0\.5\r$/m)
})
