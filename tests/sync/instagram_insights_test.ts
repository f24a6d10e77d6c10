/**
 * shared/providers/instagram against the fake Instagram: a backfill longer than 30 days cut
 * into windows the API accepts, one-day calls for the total_value metrics, values exactly
 * as reported, and the long-lived token's refresh rules.
 */
import assert from 'node:assert/strict'
import { addDays, dayIn } from '../../shared/providers/days.ts'
import { ProviderError } from '../../shared/providers/errors.ts'
import {
  fetchInstagramDaily,
  INSTAGRAM_SERIES_METRICS,
  INSTAGRAM_TIME_ZONE,
  INSTAGRAM_TOTAL_METRICS,
  MAX_WINDOW_SECONDS,
  seriesWindows,
} from '../../shared/providers/instagram/insights.ts'
import {
  instagramTokenState,
  refreshInstagramToken,
} from '../../shared/providers/instagram/token.ts'
import { type FakeInstagram, startFakeInstagram } from '../fakes/instagram/mod.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR

function test(name: string, fn: (ig: FakeInstagram) => Promise<void>) {
  Deno.test(name, async () => {
    const ig = startFakeInstagram()
    try {
      await fn(ig)
    } finally {
      await ig.close()
    }
  })
}

test('a 75-day backfill: series in windows of at most 30 days, totals one day per call', async (ig) => {
  const token = ig.tokens.issue(ig.account.userId, 'long')
  const to = addDays(dayIn(INSTAGRAM_TIME_ZONE), -1)
  const from = addDays(to, -74)
  const result = await fetchInstagramDaily({
    graphUrl: ig.endpoints.graph,
    version: 'v23.0',
    userId: ig.account.userId,
    accessToken: token,
    from,
    to,
  })
  const calls = ig.server.requestsTo('insights')
  for (const call of calls) {
    const q = call.url.searchParams
    assert.ok(Number(q.get('until')) - Number(q.get('since')) <= MAX_WINDOW_SECONDS)
    assert.equal(q.get('access_token'), null, 'the token travels in the header')
    assert.equal(call.headers.get('authorization'), `Bearer ${token}`)
  }
  const series = calls.filter((c) => !c.url.searchParams.has('metric_type'))
  assert.equal(series.length, 3, '75 days in three windows')
  assert.equal(calls.length - series.length, 75, 'one total_value call per day')
  assert.equal(result.requests, calls.length)

  const metrics = [
    ...Object.keys(INSTAGRAM_SERIES_METRICS),
    ...Object.keys(INSTAGRAM_TOTAL_METRICS),
  ]
  assert.equal(result.rows.length, 75 * metrics.length)
  for (const row of result.rows) {
    const name = row.metric_name.replace(/^instagram\./, '')
    assert.equal(
      Number(row.value),
      ig.dailyValue(name, row.metric_date),
      `${name} ${row.metric_date}`,
    )
  }
  assert.deepEqual(
    [...new Set(result.rows.map((r) => r.metric_date))].sort(),
    Array.from({ length: 75 }, (_, i) => addDays(from, i)),
  )
})

Deno.test('windows across the autumn DST change stay within 30 days of seconds', () => {
  const windows = seriesWindows('2026-10-01', '2026-12-31')
  for (const w of windows) assert.ok(w.until - w.since <= MAX_WINDOW_SECONDS)
  // Contiguous: each window starts where the previous ended.
  for (let i = 1; i < windows.length; i++) assert.equal(windows[i].since, windows[i - 1].until)
})

test('today is never asked for, and an expired token answers reauth', async (ig) => {
  const token = ig.tokens.issue(ig.account.userId, 'long')
  const today = dayIn(INSTAGRAM_TIME_ZONE)
  const nothing = await fetchInstagramDaily({
    graphUrl: ig.endpoints.graph,
    version: 'v23.0',
    userId: ig.account.userId,
    accessToken: token,
    from: today,
    to: today,
  })
  assert.equal(nothing.rows.length, 0)
  assert.equal(ig.server.requestsTo('insights').length, 0)
  ig.failNext('insights', {
    code: 4,
    message: '(#4) Application request limit reached',
    status: 403,
  })
  const options = {
    graphUrl: ig.endpoints.graph,
    version: 'v23.0',
    userId: ig.account.userId,
    accessToken: token,
    from: addDays(today, -3),
    to: addDays(today, -1),
  }
  const limited = await fetchInstagramDaily(options).catch((e) => e)
  assert.ok(limited instanceof ProviderError)
  assert.equal(limited.failure, 'retry')
  ig.tokens.advance(61 * DAY)
  const expired = await fetchInstagramDaily(options).catch((e) => e)
  assert.equal(expired.failure, 'reauth')
})

Deno.test('the token is refreshed after a week or near its end, never before 24 hours', () => {
  const now = Date.UTC(2026, 5, 1)
  const at = (ageMs: number, lifetime = 60 * DAY) => ({
    access_token: 't',
    user_id: '17',
    issued_at: now - ageMs,
    expires_at: now - ageMs + lifetime,
  })
  assert.equal(instagramTokenState(at(HOUR), now), 'fresh')
  assert.equal(instagramTokenState(at(3 * DAY), now), 'fresh')
  assert.equal(instagramTokenState(at(8 * DAY), now), 'refresh')
  // Issued 12 hours ago but already near its end: still not before 24 hours, which the API
  // refuses.
  assert.equal(instagramTokenState(at(12 * HOUR, 5 * DAY), now), 'fresh')
  assert.equal(instagramTokenState(at(2 * DAY, 9 * DAY), now), 'refresh')
  assert.equal(instagramTokenState(at(61 * DAY), now), 'expired')
})

test('a refresh stores the new token and its expiry; a refused one needs a new login', async (ig) => {
  const token = ig.tokens.issue(ig.account.userId, 'long', 8 * DAY)
  const now = Date.now()
  const fresh = await refreshInstagramToken(
    {
      access_token: token,
      user_id: ig.account.userId,
      issued_at: now - 8 * DAY,
      expires_at: now + 52 * DAY,
    },
    { graphUrl: ig.endpoints.graph, now: () => now },
  )
  assert.notEqual(fresh.access_token, token)
  assert.equal(fresh.issued_at, now)
  assert.equal(fresh.expires_at, now + 60 * DAY)
  const [refresh] = ig.server.requestsTo('refresh')
  assert.equal(refresh.url.searchParams.get('access_token'), null)

  ig.tokens.advance(61 * DAY)
  const refused = await refreshInstagramToken(fresh, { graphUrl: ig.endpoints.graph })
    .catch((e) => e)
  assert.ok(refused instanceof ProviderError)
  assert.equal(refused.failure, 'reauth')
})
