/**
 * GET /dashboard/tiles: sums over the window and the comparison window, change and
 * percent change (null on a zero baseline), zero-filled daily sparklines, the timezone's
 * days, isolation between organizations, and a 400 for every bad parameter.
 */
import assert from 'node:assert/strict'
import { newUser, test } from '../_helpers/stack.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { insertEvents } from '../_helpers/events.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { getReport, insertMetrics } from './_reports.ts'

const week = { from: '2026-02-08', to: '2026-02-14' }

async function arrangeWeek() {
  const user = await newOrgOwner({ timezone: 'UTC' })
  await insertMetrics(user.orgId, [
    ['sessions', '2026-02-08', 'ga', 'organic', 10],
    ['sessions', '2026-02-10', 'ga', 'organic', 3],
    ['sessions', '2026-02-10', 'instagram', '', 2],
    ['sessions', '2026-02-14', 'api', '', 1],
    ['sessions', '2026-02-15', 'api', '', 1000], // after the window
    ['sessions', '2026-02-01', 'ga', 'organic', 4], // previous period
    ['sessions', '2026-02-07', 'ga', 'paid', 4],
    ['sessions', '2026-01-31', 'ga', 'paid', 500], // before the previous period
    ['sessions', '2025-02-10', 'ga', 'organic', 32], // a year before
    ['revenue', '2026-02-09', 'api', '', 0.1],
    ['revenue', '2026-02-09', 'stripe', '', 0.2],
  ])
  await insertEvents(user.orgId, [
    { name: 'signup', at: '2026-02-08T00:00:00Z' },
    { name: 'signup', at: '2026-02-11T12:00:00Z' },
    { name: 'signup', at: '2026-02-14T23:59:59Z' },
    { name: 'signup', at: '2026-02-15T00:00:00Z' }, // after the window
    { name: 'login', at: '2026-02-09T08:15:00Z' },
    { name: 'login', at: '2026-02-05T10:00:00Z' }, // previous period
  ])
  return user
}

test('tiles: values, previous period, change, zero baseline and sparklines', async () => {
  const user = await arrangeWeek()
  const res = await getReport(user, 'tiles', {
    series: 'metric:sessions,event:signup,events,metric:revenue',
    ...week,
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.timezone, 'UTC')
  assert.deepEqual(res.body.window, { from: '2026-02-08', to: '2026-02-14', days: 7 })
  assert.deepEqual(res.body.comparison, { from: '2026-02-01', to: '2026-02-07', days: 7 })
  const [sessions, signup, events, revenue] = res.body.tiles
  assert.deepEqual(sessions, {
    series: 'metric:sessions',
    value: 16,
    comparison_value: 8,
    change: 8,
    percent_change: 100,
    sparkline: [
      { date: '2026-02-08', value: 10 },
      { date: '2026-02-09', value: 0 },
      { date: '2026-02-10', value: 5 },
      { date: '2026-02-11', value: 0 },
      { date: '2026-02-12', value: 0 },
      { date: '2026-02-13', value: 0 },
      { date: '2026-02-14', value: 1 },
    ],
  })
  // No signups before: the change is known, the percentage is not.
  assert.equal(signup.series, 'event:signup')
  assert.equal(signup.value, 3)
  assert.equal(signup.comparison_value, 0)
  assert.equal(signup.change, 3)
  assert.equal(signup.percent_change, null)
  assert.deepEqual(signup.sparkline.map((p: { value: number }) => p.value), [1, 0, 0, 1, 0, 0, 1])
  assert.equal(events.value, 4)
  assert.equal(events.comparison_value, 1)
  assert.equal(events.percent_change, 300)
  // Decimal metric values are summed exactly.
  assert.equal(revenue.value, 0.3)
})

test('tiles: compare=none has no comparison; previous_year compares the same dates', async () => {
  const user = await arrangeWeek()
  const none = await getReport(user, 'tiles', {
    series: 'metric:sessions',
    compare: 'none',
    ...week,
  })
  assert.equal(none.status, 200, none.text)
  assert.equal(none.body.comparison, null)
  assert.deepEqual(
    { ...none.body.tiles[0], sparkline: undefined },
    {
      series: 'metric:sessions',
      value: 16,
      comparison_value: null,
      change: null,
      percent_change: null,
      sparkline: undefined,
    },
  )

  const year = await getReport(user, 'tiles', {
    series: 'metric:sessions',
    compare: 'previous_year',
    ...week,
  })
  assert.equal(year.status, 200, year.text)
  assert.deepEqual(year.body.comparison, { from: '2025-02-08', to: '2025-02-14', days: 7 })
  assert.equal(year.body.tiles[0].comparison_value, 32)
  assert.equal(year.body.tiles[0].change, -16)
  assert.equal(year.body.tiles[0].percent_change, -50)
})

test("tiles: days are the timezone's days (the org's by default)", async () => {
  const user = await newOrgOwner({ timezone: 'America/New_York' })
  await insertEvents(user.orgId, [
    { name: 'signup', at: '2026-02-08T00:30:00Z' }, // 2026-02-07 19:30 in New York
    { name: 'signup', at: '2026-02-15T04:30:00Z' }, // 2026-02-14 23:30 in New York
  ])
  const local = await getReport(user, 'tiles', { series: 'event:signup', ...week })
  assert.equal(local.status, 200, local.text)
  assert.equal(local.body.timezone, 'America/New_York')
  assert.equal(local.body.tiles[0].value, 1)
  assert.equal(local.body.tiles[0].comparison_value, 1)
  assert.equal(local.body.tiles[0].sparkline[6].value, 1)

  const utc = await getReport(user, 'tiles', { series: 'event:signup', timezone: 'UTC', ...week })
  assert.equal(utc.body.timezone, 'UTC')
  assert.equal(utc.body.tiles[0].value, 1)
  assert.equal(utc.body.tiles[0].comparison_value, 0)
  assert.equal(utc.body.tiles[0].sparkline[0].value, 1)
})

test('tiles: a preset ends today and the sparkline has a point per day', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const res = await getReport(user, 'tiles', { series: 'events', range: '28d' })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.window.to, new Date().toISOString().slice(0, 10))
  assert.equal(res.body.window.days, 28)
  assert.equal(res.body.comparison.days, 28)
  assert.equal(res.body.tiles[0].sparkline.length, 28)
  assert.equal(res.body.tiles[0].value, 0)
})

test("tiles: another organization's user sees zeros for the same query", async () => {
  await arrangeWeek()
  const other = await newOrgOwner({ timezone: 'UTC', label: 'other' })
  const res = await getReport(other, 'tiles', {
    series: 'metric:sessions,event:signup,events',
    ...week,
  })
  assert.equal(res.status, 200, res.text)
  for (const tile of res.body.tiles) {
    assert.equal(tile.value, 0)
    assert.equal(tile.comparison_value, 0)
    assert.ok(tile.sparkline.every((p: { value: number }) => p.value === 0))
  }
})

test('tiles: sign-in and an organization are required', async () => {
  const anonymous = await getReport(null, 'tiles', { series: 'events' })
  assert.equal(anonymous.status, 401, anonymous.text)
  const orgless = await newUser('orgless')
  const res = await getReport(orgless, 'tiles', { series: 'events' })
  assert.equal(res.status, 404, res.text)
})

test('tiles: every bad parameter is a 400 naming it', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const bad = (query: Record<string, string>) => getReport(user, 'tiles', query)
  assertInvalid(await bad({}), 'query.series')
  assertInvalid(await bad({ series: 'pageviews' }), 'query.series[0]', /not a series/)
  assertInvalid(await bad({ series: 'events,metric:1bad' }), 'query.series[1]')
  assertInvalid(await bad({ series: 'event:' }), 'query.series[0]')
  assertInvalid(await bad({ series: 'events,events' }), 'query.series[1]', /twice/)
  const thirteen = Array.from({ length: 13 }, (_, i) => `event:e${i}`).join(',')
  assertInvalid(await bad({ series: thirteen }), 'query.series', /at most 12/)
  assertInvalid(await bad({ series: 'events', compare: 'last_week' }), 'query.compare')
  assertInvalid(await bad({ series: 'events', range: '3d' }), 'query.range')
  assertInvalid(await bad({ series: 'events', from: '2026-02-01' }), 'query.to')
  assertInvalid(await bad({ series: 'events', to: '2026-02-01' }), 'query.from')
  assertInvalid(await bad({ series: 'events', from: '2026-02-09', to: '2026-02-08' }), 'query.from')
  assertInvalid(await bad({ series: 'events', from: '2026-02-30', to: '2026-03-01' }), 'query.from')
  assertInvalid(await bad({ series: 'events', from: '2026/02/01', to: '2026-03-01' }), 'query.from')
  assertInvalid(await bad({ series: 'events', from: '2020-01-01', to: '2026-01-01' }), 'query.to')
  assertInvalid(await bad({ series: 'events', timezone: 'Mars/Olympus_Mons' }), 'query.timezone')
  assertInvalid(await bad({ series: 'events', filters: 'nope' }), 'query.filters')
})
