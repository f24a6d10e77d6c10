/**
 * shared/analytics/insights.ts against the stack's database with the real migrations: data
 * crafted as postgres, findings read inside asUser as the organization's owner (RLS
 * applies). Windows are fixed days in the past: the current window is 2026-10-05 (a
 * Monday) to 2026-11-01, the comparison window 2026-09-07 to 2026-10-04.
 */
import assert from 'node:assert/strict'
import { decodeJwt } from 'jose'
import type { JWTClaims } from '../../shared/auth.ts'
import { asUser } from '../../shared/db.ts'
import { findInsights } from '../../shared/analytics/insights.ts'
import { reportScope } from '../../shared/analytics/scope.ts'
import { insertEvents } from '../_helpers/events.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { test } from '../_helpers/stack.ts'
import { insertMetrics } from '../dashboard/_reports.ts'
import { activity, shiftDay } from '../dashboard/_activity.ts'
import { channelOf, isChannelSplit } from '../../shared/analytics/insights/candidates.ts'
import { COMPARISON, daily, days, insightsOf, ofKind, WINDOW } from './_insights.ts'

test('insights: a drop in one channel gives the change, its driver and the worst channel', async () => {
  const owner = await newOrgOwner()
  await insertMetrics(owner.orgId, [
    ...daily('sessions', 'organic', 100, 110),
    ...daily('sessions', 'paid', 50, 20),
    ...daily('sessions', 'email', 20, 20),
  ])
  const result = await insightsOf(owner)
  assert.deepEqual(result.window, WINDOW)
  assert.deepEqual(result.comparison, COMPARISON)
  assert.deepEqual(result.findings.map((f) => f.kind), [
    'largest_change',
    'driver',
    'worst_channel',
    'best_channel',
  ])
  const [change, driver, worst, best] = result.findings
  assert.deepEqual(change, {
    kind: 'largest_change',
    text: 'sessions fell 11.8%, from 4,760 to 4,200, against the previous 28 days.',
    series: 'metric:sessions',
    aggregation: 'sum',
    current: 4200,
    previous: 4760,
    change: -560,
    percent_change: (-560 / 4760) * 100,
    window: WINDOW,
    comparison: COMPARISON,
  })
  assert.equal(driver.kind, 'driver')
  assert.deepEqual({ ...driver, text: undefined }, {
    kind: 'driver',
    text: undefined,
    series: 'metric:sessions',
    field: 'dimension',
    value: 'paid',
    current: 560,
    previous: 1400,
    change: -840,
    percent_change: (-840 / 1400) * 100,
    share_of_change: 1.5,
    series_change: -560,
    window: WINDOW,
    comparison: COMPARISON,
  })
  assert.equal(
    driver.text,
    'paid accounts for 150.0% of the change in sessions: it fell 60.0%, from 1,400 to 560.',
  )
  assert.equal(worst.kind, 'worst_channel')
  assert.equal(best.kind, 'best_channel')
  if (worst.kind !== 'worst_channel' || best.kind !== 'best_channel') return
  assert.deepEqual(
    [worst.channel, worst.previous, worst.current, worst.percent_change, worst.channels],
    ['paid', 1400, 560, (-840 / 1400) * 100, 3],
  )
  assert.equal(worst.share, 560 / 4200)
  assert.deepEqual(
    [best.channel, best.previous, best.current, best.percent_change],
    ['organic', 2800, 3080, (280 / 2800) * 100],
  )
  assert.match(best.text, /^Best channel for sessions: organic, which rose 10\.0%/)
})

test('insights: channels of the synced GA4 split (ga4.<metric>ByChannel, channel:<group>)', async () => {
  const owner = await newOrgOwner()
  const source = 'ga4:1b7d6c1e'
  const sum = { meta: { aggregation: 'sum' } }
  await insertMetrics(owner.orgId, daily('ga4.sessions', '', 300, 300, source), sum)
  await insertMetrics(owner.orgId, [
    ...daily('ga4.sessionsByChannel', 'channel:Organic Search', 150, 120, source),
    ...daily('ga4.sessionsByChannel', 'channel:Paid Search', 100, 100, source),
    ...daily('ga4.sessionsByChannel', 'channel:Email', 50, 80, source),
  ], sum)
  // Users by channel moved otherwise; channels are compared on the summed split.
  const unique = { meta: { aggregation: 'unique_count' } }
  await insertMetrics(owner.orgId, daily('ga4.activeUsers', '', 200, 200, source), unique)
  await insertMetrics(owner.orgId, [
    ...daily('ga4.activeUsersByChannel', 'channel:Organic Search', 100, 150, source),
    ...daily('ga4.activeUsersByChannel', 'channel:Email', 100, 50, source),
  ], unique)
  const { findings } = await insightsOf(owner)
  // The totals held; a split is not a change of its own, but its channels moved.
  assert.deepEqual(ofKind(findings, 'largest_change').map((f) => f.series), [])
  const channels = findings.filter((f) => f.kind === 'best_channel' || f.kind === 'worst_channel')
  assert.deepEqual(
    channels.map((f) =>
      f.kind === 'best_channel' || f.kind === 'worst_channel'
        ? [f.kind, f.series, f.channel, f.dimension, f.percent_change]
        : []
    ),
    [
      ['best_channel', 'metric:ga4.sessionsByChannel', 'Email', 'channel:Email', 60],
      [
        'worst_channel',
        'metric:ga4.sessionsByChannel',
        'Organic Search',
        'channel:Organic Search',
        -20,
      ],
    ],
  )
})

test('insights: a shift in day-7 retention of new actors', async () => {
  const owner = await newOrgOwner()
  const actors = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
  // 20 actors first seen on 2026-09-10, 10 of them back on day 7; 20 first seen on
  // 2026-10-10, 4 of them back on day 7.
  const before = Object.fromEntries(
    actors('p', 20).map((a, i) => [a, i < 10 ? ['2026-09-10', '2026-09-17'] : ['2026-09-10']]),
  )
  const after = Object.fromEntries(
    actors('c', 20).map((a, i) => [a, i < 4 ? ['2026-10-10', '2026-10-17'] : ['2026-10-10']]),
  )
  await insertEvents(owner.orgId, activity({ ...before, ...after }))
  const { findings } = await insightsOf(owner)
  const [shift] = ofKind(findings, 'retention_shift')
  assert.ok(shift, JSON.stringify(findings))
  assert.deepEqual(shift, {
    kind: 'retention_shift',
    text: 'Day-7 retention of new actors fell 30 points, to 20% of 20 first seen from ' +
      '2026-10-05 (from 50% of 20 in the previous window).',
    series: null,
    day: 7,
    current: {
      first_seen: WINDOW,
      actors: 20,
      retained: 4,
      rate: 0.2,
    },
    previous: {
      first_seen: COMPARISON,
      actors: 20,
      retained: 10,
      rate: 0.5,
    },
    change_points: (0.2 - 0.5) * 100,
  })
})

test('insights: an anomaly against the same weekday of the 4 weeks before', async () => {
  const owner = await newOrgOwner()
  // Weekday-heavy, weekends low (seasonality, not an anomaly), and one Tuesday spike.
  const weekly = (day: string) => [60, 120, 100, 100, 100, 100, 60][new Date(day).getUTCDay()]
  await insertMetrics(
    owner.orgId,
    daily('signups', '', weekly, (day) => (day === '2026-10-20' ? 300 : weekly(day))),
  )
  const { findings } = await insightsOf(owner)
  const anomalies = ofKind(findings, 'anomaly')
  assert.equal(anomalies.length, 1, JSON.stringify(findings))
  assert.deepEqual(anomalies[0], {
    kind: 'anomaly',
    text: 'On Tuesday 2026-10-20, signups came to 300, above the 100 of the same weekday over ' +
      'the previous 4 weeks (20 deviations).',
    series: 'metric:signups',
    aggregation: 'sum',
    date: '2026-10-20',
    value: 300,
    expected: 100,
    deviation: 10,
    score: 20,
    baseline: [
      { date: '2026-09-22', value: 100 },
      { date: '2026-09-29', value: 100 },
      { date: '2026-10-06', value: 100 },
      { date: '2026-10-13', value: 100 },
    ],
  })
})

test('insights: a ratio metric is re-aggregated from its parts, never summed', async () => {
  const owner = await newOrgOwner()
  // Per day: 100 sessions, 50 engaged (rate 0.5); then 14 days of 20 sessions, 18 engaged
  // (0.9) and 14 days of 180 sessions, 108 engaged (0.6). Summed or averaged, the daily rates
  // would say +50%; re-aggregated, the rate is 1764 / 2800 = 0.63, +26%.
  const late = (day: string) => day >= '2026-10-19'
  await insertMetrics(owner.orgId, daily('ga4.sessions', '', 100, (d) => (late(d) ? 180 : 20)))
  await insertMetrics(
    owner.orgId,
    daily('ga4.engagedSessions', '', 50, (d) => (late(d) ? 108 : 18)),
  )
  await insertMetrics(
    owner.orgId,
    daily('ga4.engagementRate', '', 0.5, (d) => (late(d) ? 0.6 : 0.9)),
    {
      meta: {
        aggregation: 'ratio',
        numerator: 'ga4.engagedSessions',
        denominator: 'ga4.sessions',
      },
    },
  )
  const { findings } = await insightsOf(owner)
  const rate = findings.find((f) =>
    f.kind === 'largest_change' && f.series === 'metric:ga4.engagementRate'
  )
  assert.ok(rate?.kind === 'largest_change', JSON.stringify(findings))
  assert.equal(rate.aggregation, 'ratio')
  assert.ok(Math.abs(rate.current - 0.63) < 1e-12, `current ${rate.current}`)
  assert.equal(rate.previous, 0.5)
  assert.ok(Math.abs((rate.percent_change ?? 0) - 26) < 1e-9)
  assert.equal(
    rate.text,
    'ga4.engagementRate rose 26.0%, from 50.0% to 63.0%, against the previous 28 days.',
  )
  // A ratio is never broken down by summing its rows.
  assert.deepEqual(
    findings.filter((f) => f.kind === 'driver' && f.series === 'metric:ga4.engagementRate'),
    [],
  )
})

test("insights: another organization's data never influences the findings", async () => {
  const owner = await newOrgOwner()
  await insertMetrics(owner.orgId, [
    ...daily('sessions', 'organic', 100, 110),
    ...daily('sessions', 'paid', 50, 20),
  ])
  const alone = await insightsOf(owner)
  assert.ok(alone.findings.length > 0)
  const other = await newOrgOwner()
  await insertMetrics(other.orgId, [
    ...daily('sessions', 'organic', 10, 5_000),
    ...daily('sessions', 'paid', 5_000, 10),
    ...daily('signups', '', 10, (d) => (d === '2026-10-20' ? 900 : 10)),
  ])
  await insertEvents(
    other.orgId,
    activity(Object.fromEntries(days().map((d, i) => [`x${i}`, [d, shiftDay(d, 7)]]))),
  )
  assert.deepEqual(await insightsOf(owner), alone)
  // Even a scope naming the other organization reads nothing of it under RLS.
  const named = await insightsOf(owner, { org: other.orgId })
  assert.deepEqual(named.findings, [])
})

test('insights: an organization without data gets no findings', async () => {
  const owner = await newOrgOwner()
  assert.deepEqual((await insightsOf(owner)).findings, [])
  const claims = decodeJwt(owner.token) as JWTClaims
  const preset = await asUser(
    claims,
    async (tx) => findInsights(tx, { scope: await reportScope(tx, { range: '90d' }) }),
  )
  assert.deepEqual(preset.findings, [])
})

Deno.test('insights: which dimensions are channels', () => {
  assert.equal(channelOf('channel:Organic Search'), 'Organic Search')
  assert.equal(channelOf('Paid Social'), 'Paid Social')
  assert.equal(channelOf('DE'), null)
  assert.equal(isChannelSplit(['channel:Direct', 'channel:Email']), true)
  assert.equal(isChannelSplit(['organic', 'paid', 'newsletter-2026']), true)
  assert.equal(isChannelSplit(['DE', 'FR', 'organic']), false)
  assert.equal(isChannelSplit(['channel:Direct']), false)
})
