/**
 * GET /dashboard/catalog (what an organization can chart) and ratio metrics in tiles,
 * series and breakdown: a ratio is re-aggregated from its parts, never summed.
 */
import assert from 'node:assert/strict'
import { insertEvents } from '../_helpers/events.ts'
import { newOrgOwner, type OrgOwner } from '../_helpers/orgs.ts'
import { call, newUser, test } from '../_helpers/stack.ts'
import { insertMetrics } from './_reports.ts'

const RATIO = {
  aggregation: 'ratio',
  numerator: 'ga4.engagedSessions',
  denominator: 'ga4.sessions',
}

/** Two days of GA4-like numbers: engagementRate 0.5 on 40 sessions, then 0.9 on 10. */
async function arrangeEngagement(): Promise<OrgOwner> {
  const owner = await newOrgOwner({ label: 'catalog' })
  await insertMetrics(owner.orgId, [
    ['ga4.sessions', '2026-03-01', 'ga4', '', 40],
    ['ga4.sessions', '2026-03-02', 'ga4', '', 10],
    ['ga4.sessions', '2026-03-02', 'ga4', 'channel:Organic Search', 6],
    ['ga4.engagedSessions', '2026-03-01', 'ga4', '', 20],
    ['ga4.engagedSessions', '2026-03-02', 'ga4', '', 9],
  ])
  await insertMetrics(owner.orgId, [
    ['ga4.engagementRate', '2026-03-01', 'ga4', '', 0.5],
    ['ga4.engagementRate', '2026-03-02', 'ga4', '', 0.9],
  ], { meta: RATIO })
  // 100 s over 40 sessions, then 40 s over 10 (the 6 channel sessions have no duration row).
  await insertMetrics(owner.orgId, [
    ['ga4.averageSessionDuration', '2026-03-01', 'ga4', '', 100],
    ['ga4.averageSessionDuration', '2026-03-02', 'ga4', '', 40],
  ], { meta: { aggregation: 'weighted_mean', weight: 'ga4.sessions' } })
  return owner
}

const get = (user: { token: string }, path: string, query: Record<string, string> = {}) =>
  call('GET', `/dashboard/${path}?${new URLSearchParams(query)}`, { token: user.token })

test('catalog: metrics with sources, dimensions, dates and aggregation; events', async () => {
  const owner = await arrangeEngagement()
  await insertMetrics(owner.orgId, [['signups', '2026-02-20', 'api', '', 3]])
  await insertEvents(owner.orgId, [
    { name: 'signup', at: '2026-03-01T10:05:00Z' },
    { name: 'signup', at: '2026-03-02T18:00:00Z' },
    { name: 'login', at: '2026-03-01T00:00:00Z' },
  ])
  const res = await get(owner, 'catalog')
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.timezone, 'UTC')
  assert.deepEqual(res.body.metrics.map((m: { name: string }) => m.name), [
    'ga4.averageSessionDuration',
    'ga4.engagedSessions',
    'ga4.engagementRate',
    'ga4.sessions',
    'signups',
  ])
  const [duration, , rate, sessions, signups] = res.body.metrics
  assert.equal(duration.aggregation, 'weighted_mean')
  assert.equal(duration.weight, 'ga4.sessions')
  assert.deepEqual(rate, {
    name: 'ga4.engagementRate',
    aggregation: 'ratio',
    numerator: 'ga4.engagedSessions',
    denominator: 'ga4.sessions',
    weight: null,
    sources: ['ga4'],
    dimensions: [],
    dimensions_truncated: false,
    first_date: '2026-03-01',
    last_date: '2026-03-02',
  })
  assert.equal(sessions.aggregation, 'sum')
  assert.deepEqual(sessions.dimensions, ['channel:Organic Search'])
  assert.deepEqual(signups.sources, ['api'])
  assert.deepEqual(res.body.events, [
    {
      name: 'login',
      first_seen: '2026-03-01T00:00:00.000Z',
      last_seen: '2026-03-01T00:15:00.000Z',
    },
    {
      name: 'signup',
      first_seen: '2026-03-01T10:00:00.000Z',
      last_seen: '2026-03-02T18:15:00.000Z',
    },
  ])
  assert.equal(res.body.events_truncated, false)
})

test("catalog: another organization's metrics and events are not listed", async () => {
  await arrangeEngagement()
  const stranger = await newOrgOwner({ label: 'stranger' })
  const res = await get(stranger, 'catalog')
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(res.body.metrics, [])
  assert.deepEqual(res.body.events, [])
  const lonely = await newUser('no-org')
  assert.equal((await get(lonely, 'catalog')).status, 404)
})

test('ratio metrics: tiles and series divide sums of the parts instead of summing', async () => {
  const owner = await arrangeEngagement()
  const range = { from: '2026-03-01', to: '2026-03-02', compare: 'none' }
  const tiles = await get(owner, 'tiles', { series: 'metric:ga4.engagementRate', ...range })
  assert.equal(tiles.status, 200, tiles.text)
  const [rate] = tiles.body.tiles
  // (20 + 9) / (40 + 10 + 6): every dimension of the denominator counts, as its sum does.
  assert.equal(rate.value, 29 / 56)
  assert.deepEqual(rate.sparkline.map((p: { value: number }) => p.value), [0.5, 9 / 16])

  const series = await get(owner, 'series', {
    series: 'metric:ga4.engagementRate,metric:ga4.sessions',
    ...range,
  })
  assert.equal(series.status, 200, series.text)
  const values = (id: string) =>
    series.body.series.find((s: { series: string }) => s.series === id).values
  assert.deepEqual(values('metric:ga4.engagementRate'), [0.5, 9 / 16])
  assert.deepEqual(values('metric:ga4.sessions'), [40, 16])

  // A weighted mean: (100 × 40 + 40 × 10) / (40 + 10) over the window. The channel row of
  // sessions has no duration beside it, so it weighs nothing.
  const mean = await get(owner, 'tiles', { series: 'metric:ga4.averageSessionDuration', ...range })
  assert.equal(mean.status, 200, mean.text)
  assert.equal(mean.body.tiles[0].value, 4400 / 50)
  assert.deepEqual(mean.body.tiles[0].sparkline.map((p: { value: number }) => p.value), [100, 40])
})

test('ratio metrics: a breakdown is refused with a 400 naming the parts', async () => {
  const owner = await arrangeEngagement()
  const res = await get(owner, 'breakdown', {
    series: 'metric:ga4.engagementRate',
    by: 'dimension',
    from: '2026-03-01',
    to: '2026-03-02',
  })
  assert.equal(res.status, 400, res.text)
  assert.match(res.body.error.message, /query\.series: .*ga4\.engagedSessions \/ ga4\.sessions/)
  const mean = await get(owner, 'breakdown', {
    series: 'metric:ga4.averageSessionDuration',
    by: 'source',
    from: '2026-03-01',
    to: '2026-03-02',
  })
  assert.equal(mean.status, 400, mean.text)
  assert.match(mean.body.error.message, /weighted by ga4\.sessions/)
})
