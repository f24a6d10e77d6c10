/**
 * GET /dashboard/series: every bucket present and zero-filled, hours across both DST
 * changes of America/New_York, local days, ISO weeks and calendar months clipped to the
 * range, comparison buckets aligned by index, isolation, and a 400 per bad parameter.
 */
import assert from 'node:assert/strict'
import { test } from '../_helpers/stack.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { insertEvents } from '../_helpers/events.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { getReport, insertMetrics, valuesOf } from './_reports.ts'

type Bucket = { label: string; start: string; end: string }
const labels = (buckets: Bucket[]) => buckets.map((b) => b.label)

test('series: the spring-forward day in New York has 23 hourly buckets', async () => {
  const user = await newOrgOwner({ timezone: 'America/New_York' })
  await insertEvents(user.orgId, [
    { name: 'signup', at: '2026-03-08T06:30:00Z' }, // 01:30 EST
    { name: 'signup', at: '2026-03-08T07:15:00Z' }, // 03:15 EDT, the hour after the gap
    { name: 'login', at: '2026-03-09T03:59:59Z' }, // 23:59:59 EDT
    { name: 'login', at: '2026-03-09T04:00:00Z' }, // the next day
    { name: 'login', at: '2026-03-08T04:59:59Z' }, // the day before
  ])
  const res = await getReport(user, 'series', {
    series: 'events,event:signup',
    granularity: 'hour',
    from: '2026-03-08',
    to: '2026-03-08',
  })
  assert.equal(res.status, 200, res.text)
  const buckets: Bucket[] = res.body.buckets
  assert.equal(buckets.length, 23)
  assert.deepEqual(labels(buckets).slice(0, 4), [
    '2026-03-08T00:00:00-05:00',
    '2026-03-08T01:00:00-05:00',
    '2026-03-08T03:00:00-04:00',
    '2026-03-08T04:00:00-04:00',
  ])
  assert.equal(buckets[22].label, '2026-03-08T23:00:00-04:00')
  assert.deepEqual(buckets[0], {
    label: '2026-03-08T00:00:00-05:00',
    start: '2026-03-08T05:00:00.000Z',
    end: '2026-03-08T06:00:00.000Z',
  })
  assert.equal(buckets[22].end, '2026-03-09T04:00:00.000Z')
  const expected = Array(23).fill(0)
  expected[1] = 1
  expected[2] = 1
  expected[22] = 1
  assert.deepEqual(valuesOf(res.body, 'events'), expected)
  assert.deepEqual(valuesOf(res.body, 'event:signup'), expected.map((v, i) => i === 22 ? 0 : v))
  assert.equal(res.body.series[0].total, 3)
  assert.equal(res.body.comparison_buckets, null)
  assert.equal(res.body.series[0].comparison_values, null)
})

test('series: the fall-back day in New York has 25 hourly buckets, 01:00 twice', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  await insertEvents(user.orgId, [
    { name: 'signup', at: '2026-11-01T05:30:00Z' }, // 01:30 EDT
    { name: 'signup', at: '2026-11-01T06:30:00Z' }, // 01:30 EST
    { name: 'signup', at: '2026-11-01T06:45:00Z' }, // 01:45 EST
  ])
  const res = await getReport(user, 'series', {
    series: 'event:signup',
    granularity: 'hour',
    from: '2026-11-01',
    to: '2026-11-01',
    timezone: 'America/New_York',
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.timezone, 'America/New_York')
  assert.equal(res.body.buckets.length, 25)
  assert.deepEqual(labels(res.body.buckets).slice(0, 4), [
    '2026-11-01T00:00:00-04:00',
    '2026-11-01T01:00:00-04:00',
    '2026-11-01T01:00:00-05:00',
    '2026-11-01T02:00:00-05:00',
  ])
  assert.equal(res.body.buckets[24].label, '2026-11-01T23:00:00-05:00')
  assert.deepEqual(valuesOf(res.body, 'event:signup').slice(0, 4), [0, 1, 2, 0])
})

test('series: day buckets are local days, 23 hours long on a DST day', async () => {
  const user = await newOrgOwner({ timezone: 'America/New_York' })
  await insertEvents(user.orgId, [
    { name: 'signup', at: '2026-03-08T04:30:00Z' }, // 2026-03-07 23:30 EST
    { name: 'signup', at: '2026-03-09T03:30:00Z' }, // 2026-03-08 23:30 EDT
  ])
  const range = { series: 'events', from: '2026-03-07', to: '2026-03-09' }
  const local = await getReport(user, 'series', range)
  assert.equal(local.status, 200, local.text)
  assert.deepEqual(local.body.buckets, [
    { label: '2026-03-07', start: '2026-03-07T05:00:00.000Z', end: '2026-03-08T05:00:00.000Z' },
    { label: '2026-03-08', start: '2026-03-08T05:00:00.000Z', end: '2026-03-09T04:00:00.000Z' },
    { label: '2026-03-09', start: '2026-03-09T04:00:00.000Z', end: '2026-03-10T04:00:00.000Z' },
  ])
  assert.deepEqual(valuesOf(local.body, 'events'), [1, 1, 0])

  const utc = await getReport(user, 'series', { ...range, timezone: 'UTC' })
  assert.deepEqual(valuesOf(utc.body, 'events'), [0, 1, 1])
})

test('series: missing days are zero-filled', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  await insertMetrics(user.orgId, [['sessions', '2026-05-03', 'ga', '', 7]])
  await insertEvents(user.orgId, [{ name: 'signup', at: '2026-05-05T10:00:00Z' }])
  const res = await getReport(user, 'series', {
    series: 'metric:sessions,event:signup,event:never',
    from: '2026-05-01',
    to: '2026-05-05',
    granularity: 'day',
  })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(labels(res.body.buckets), [
    '2026-05-01',
    '2026-05-02',
    '2026-05-03',
    '2026-05-04',
    '2026-05-05',
  ])
  assert.deepEqual(valuesOf(res.body, 'metric:sessions'), [0, 0, 7, 0, 0])
  assert.deepEqual(valuesOf(res.body, 'event:signup'), [0, 0, 0, 0, 1])
  assert.deepEqual(valuesOf(res.body, 'event:never'), [0, 0, 0, 0, 0])
})

test('series: ISO week buckets start on Monday, clipped to the range', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  await insertMetrics(user.orgId, [
    ['sessions', '2026-03-03', 'ga', '', 1000], // before the range
    ['sessions', '2026-03-04', 'ga', '', 2], // Wednesday, first (partial) week
    ['sessions', '2026-03-08', 'ga', 'a', 3], // Sunday, same week
    ['sessions', '2026-03-09', 'ga', '', 7], // Monday, next week
    ['sessions', '2026-03-24', 'ga', '', 1], // Tuesday, last (partial) week
    ['sessions', '2026-03-25', 'ga', '', 1000], // after the range
  ])
  const res = await getReport(user, 'series', {
    series: 'metric:sessions',
    granularity: 'week',
    from: '2026-03-04',
    to: '2026-03-24',
  })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(labels(res.body.buckets), [
    '2026-03-04',
    '2026-03-09',
    '2026-03-16',
    '2026-03-23',
  ])
  assert.equal(res.body.buckets[0].end, '2026-03-09T00:00:00.000Z')
  assert.equal(res.body.buckets[3].end, '2026-03-25T00:00:00.000Z')
  assert.deepEqual(valuesOf(res.body, 'metric:sessions'), [5, 7, 0, 1])
  assert.equal(res.body.series[0].total, 13)
})

test('series: month buckets are calendar months, clipped to the range', async () => {
  const user = await newOrgOwner({ timezone: 'Europe/Berlin' })
  await insertEvents(user.orgId, [
    { name: 'signup', at: '2026-01-14T22:59:59Z' }, // 2026-01-14 23:59:59 in Berlin: before
    { name: 'signup', at: '2026-01-31T23:30:00Z' }, // 2026-02-01 00:30 in Berlin
    { name: 'signup', at: '2026-02-28T22:30:00Z' }, // 2026-02-28 23:30 in Berlin
    { name: 'signup', at: '2026-03-10T12:00:00Z' },
    { name: 'signup', at: '2026-03-10T23:00:00Z' }, // 2026-03-11 in Berlin: after
  ])
  const res = await getReport(user, 'series', {
    series: 'event:signup',
    granularity: 'month',
    from: '2026-01-15',
    to: '2026-03-10',
  })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(res.body.buckets, [
    { label: '2026-01-15', start: '2026-01-14T23:00:00.000Z', end: '2026-01-31T23:00:00.000Z' },
    { label: '2026-02-01', start: '2026-01-31T23:00:00.000Z', end: '2026-02-28T23:00:00.000Z' },
    { label: '2026-03-01', start: '2026-02-28T23:00:00.000Z', end: '2026-03-10T23:00:00.000Z' },
  ])
  assert.deepEqual(valuesOf(res.body, 'event:signup'), [0, 2, 1])
})

test('series: comparison buckets are aligned by index', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  await insertMetrics(user.orgId, [
    ['sessions', '2026-03-07', 'ga', '', 1],
    ['sessions', '2026-03-09', 'ga', '', 3],
    ['sessions', '2026-03-10', 'ga', '', 10],
    ['sessions', '2026-03-12', 'ga', '', 30],
    ['sessions', '2025-03-11', 'ga', '', 4],
  ])
  const period = await getReport(user, 'series', {
    series: 'metric:sessions',
    compare: 'previous_period',
    from: '2026-03-10',
    to: '2026-03-12',
  })
  assert.equal(period.status, 200, period.text)
  assert.deepEqual(period.body.comparison, { from: '2026-03-07', to: '2026-03-09', days: 3 })
  assert.deepEqual(labels(period.body.comparison_buckets), [
    '2026-03-07',
    '2026-03-08',
    '2026-03-09',
  ])
  const [s] = period.body.series
  assert.deepEqual(s.values, [10, 0, 30])
  assert.deepEqual(s.comparison_values, [1, 0, 3])
  assert.equal(s.total, 40)
  assert.equal(s.comparison_total, 4)

  const year = await getReport(user, 'series', {
    series: 'metric:sessions',
    compare: 'previous_year',
    from: '2026-03-10',
    to: '2026-03-12',
  })
  assert.deepEqual(labels(year.body.comparison_buckets), [
    '2025-03-10',
    '2025-03-11',
    '2025-03-12',
  ])
  assert.deepEqual(year.body.series[0].comparison_values, [0, 4, 0])
})

test('series: hourly comparison of the DST day with the day before', async () => {
  const user = await newOrgOwner({ timezone: 'America/New_York' })
  await insertEvents(user.orgId, [{ name: 'signup', at: '2026-03-07T06:10:00Z' }]) // 01:10 EST
  const res = await getReport(user, 'series', {
    series: 'events',
    granularity: 'hour',
    compare: 'previous_period',
    from: '2026-03-08',
    to: '2026-03-08',
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.buckets.length, 23)
  assert.equal(res.body.comparison_buckets.length, 24)
  assert.equal(res.body.comparison_buckets[1].label, '2026-03-07T01:00:00-05:00')
  assert.equal(res.body.series[0].comparison_values[1], 1)
  assert.equal(res.body.series[0].comparison_total, 1)
})

test("series: another organization's user sees zeros", async () => {
  const owner = await newOrgOwner({ timezone: 'UTC' })
  await insertEvents(owner.orgId, [{ name: 'signup', at: '2026-05-02T10:00:00Z' }])
  await insertMetrics(owner.orgId, [['sessions', '2026-05-02', 'ga', '', 9]])
  const query = { series: 'events,metric:sessions', from: '2026-05-01', to: '2026-05-03' }
  const mine = await getReport(owner, 'series', query)
  assert.deepEqual(valuesOf(mine.body, 'events'), [0, 1, 0])
  const other = await newOrgOwner({ timezone: 'UTC', label: 'other' })
  const theirs = await getReport(other, 'series', query)
  assert.equal(theirs.status, 200, theirs.text)
  assert.deepEqual(valuesOf(theirs.body, 'events'), [0, 0, 0])
  assert.deepEqual(valuesOf(theirs.body, 'metric:sessions'), [0, 0, 0])
})

test('series: every bad parameter is a 400 naming it', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const bad = (query: Record<string, string>) => getReport(user, 'series', query)
  const base = { series: 'events', from: '2026-01-01', to: '2026-01-31' }
  assertInvalid(await bad({ ...base, granularity: 'minute' }), 'query.granularity')
  assertInvalid(
    await bad({ ...base, granularity: 'hour', to: '2026-02-01' }),
    'query.granularity',
    /at most 31 days/,
  )
  assertInvalid(
    await bad({ ...base, series: 'metric:sessions', granularity: 'hour' }),
    'query.granularity',
    /daily/,
  )
  assertInvalid(await bad({ ...base, compare: 'yesterday' }), 'query.compare')
  assertInvalid(await bad({ ...base, format: 'xml' }), 'query.format')
  assertInvalid(await bad({ ...base, series: '' }), 'query.series[0]')
  assertInvalid(await bad({ ...base, timezone: 'EST5EDT; drop table x' }), 'query.timezone')
  assertInvalid(await bad({ ...base, from: '2026-02-01' }), 'query.from')
  // 90 hourly days would be 2160 buckets.
  assertInvalid(
    await bad({ series: 'events', range: '90d', granularity: 'hour' }),
    'query.granularity',
  )
})
