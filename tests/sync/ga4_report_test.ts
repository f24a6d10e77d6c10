/**
 * shared/providers/ga4 against the fake Google, with the real client libraries: the two
 * daily reports paged with limit/offset, values exactly as reported, the quota read, a
 * refreshed token handed back, and errors classified for the queue.
 */
import assert from 'node:assert/strict'
import { ga4Client, type GoogleCredentials } from '../../shared/providers/ga4/client.ts'
import {
  fetchGa4Daily,
  GA4_CHANNEL_METRICS,
  GA4_DAILY_METRICS,
  quotaBackoffMinutes,
} from '../../shared/providers/ga4/report.ts'
import { ProviderError } from '../../shared/providers/errors.ts'
import { CHANNELS, type FakeGoogle, startFakeGoogle } from '../fakes/google/mod.ts'

const PROPERTY = '111111111'
const week = { from: '2026-03-01', to: '2026-03-07' }

function test(name: string, fn: (google: FakeGoogle) => Promise<void>) {
  Deno.test(name, async () => {
    const google = startFakeGoogle()
    try {
      await fn(google)
    } finally {
      await google.close()
    }
  })
}

/** A client holding an expired access token, as a stored source usually does. */
function client(google: FakeGoogle, onTokens: (c: GoogleCredentials) => void = () => {}) {
  const issued = google.tokens.issue()
  google.tokens.expireAccessTokens()
  return ga4Client({
    clientId: google.client.clientId,
    clientSecret: google.client.clientSecret,
    tokenUrl: google.endpoints.token,
    dataUrl: google.endpoints.dataApi,
    credentials: {
      refresh_token: issued.refresh_token,
      access_token: issued.access_token,
      expiry_date: Date.now() - 1000,
    },
    onTokens,
  })
}

test('every daily metric and channel breakdown equals what runReport reported', async (google) => {
  const fresh: GoogleCredentials[] = []
  const ga4 = client(google, (c) => fresh.push(c))
  try {
    const report = await fetchGa4Daily(ga4.data, { property: `properties/${PROPERTY}`, ...week })
    const days = 7
    const expected = days * Object.keys(GA4_DAILY_METRICS).length +
      days * CHANNELS.length * Object.keys(GA4_CHANNEL_METRICS).length
    assert.equal(report.rows.length, expected)
    for (const row of report.rows) {
      const name = row.metric_name.replace(/^ga4\./, '').replace(/ByChannel$/, '')
      const channel = row.dimension ? row.dimension.replace(/^channel:/, '') : undefined
      assert.equal(row.value, google.metric(PROPERTY, row.metric_date, name, channel), name)
    }
    const rate = report.rows.find((r) => r.metric_name === 'ga4.engagementRate')!
    assert.deepEqual(rate.meta, {
      aggregation: 'ratio',
      numerator: 'ga4.engagedSessions',
      denominator: 'ga4.sessions',
    })
    assert.equal(report.timeZone, 'Europe/Paris')
    assert.equal(report.quota?.tokensPerHour?.remaining, 40_000 - 2 * 10)
    assert.equal(quotaBackoffMinutes(report.quota), 0)
    // The expired token was refreshed once and handed back with the refresh token kept.
    assert.equal(fresh.length, 1)
    assert.ok(google.tokens.isLive(`Bearer ${fresh[0].access_token}`))
    assert.match(fresh[0].refresh_token, /^1\/\/fake-refresh-/)
  } finally {
    await ga4.close()
  }
})

test('reports are read page by page with limit and offset', async (google) => {
  const ga4 = client(google)
  try {
    const report = await fetchGa4Daily(ga4.data, {
      property: `properties/${PROPERTY}`,
      ...week,
      pageSize: 10,
    })
    // 7 day rows in one page; 42 channel rows in five pages of ten.
    assert.equal(report.requests, 1 + 5)
    const offsets = google.server.requestsTo('runReport')
      .map((r) => (r.json as { offset?: string }).offset ?? '0')
    assert.deepEqual(offsets, ['0', '0', '10', '20', '30', '40'])
    const channelRows = report.rows.filter((r) => r.dimension !== '')
    assert.equal(
      new Set(channelRows.map((r) => `${r.metric_name}|${r.metric_date}|${r.dimension}`)).size,
      84,
    )
  } finally {
    await ga4.close()
  }
})

test('low quota asks for a later sync', async (google) => {
  const ga4 = client(google)
  try {
    google.setQuota(PROPERTY, { tokensPerHour: 1000 })
    const hourly = await fetchGa4Daily(ga4.data, { property: `properties/${PROPERTY}`, ...week })
    assert.equal(quotaBackoffMinutes(hourly.quota), 60)
    google.setQuota(PROPERTY, { tokensPerDay: 500 })
    const daily = await fetchGa4Daily(ga4.data, { property: `properties/${PROPERTY}`, ...week })
    assert.equal(quotaBackoffMinutes(daily.quota), 12 * 60)
  } finally {
    await ga4.close()
  }
})

test('failures are classified: 429 and 500 retry, invalid_grant needs reauth, 403 is fatal', async (google) => {
  const ga4 = client(google)
  const attempt = () =>
    fetchGa4Daily(ga4.data, { property: `properties/${PROPERTY}`, ...week }).then(
      () => assert.fail('expected a failure'),
      (err) => err as ProviderError,
    )
  try {
    google.failNext('runReport', { status: 429, retryAfter: 30 })
    const limited = await attempt()
    assert.ok(limited instanceof ProviderError)
    assert.equal(limited.failure, 'retry')
    assert.equal(limited.status, 429)
    google.failNext('runReport', { status: 500 })
    assert.equal((await attempt()).failure, 'retry')
    const denied = await fetchGa4Daily(ga4.data, { property: 'properties/999', ...week })
      .catch((e) => e as ProviderError)
    assert.equal((denied as ProviderError).failure, 'fatal')
    google.tokens.expireAccessTokens()
    google.failTokenWith('invalid_grant', 'Token has been expired or revoked.')
    const revoked = await attempt()
    assert.equal(revoked.failure, 'reauth')
    assert.doesNotMatch(revoked.message, /fake-refresh|ya29/, 'no token in the message')
  } finally {
    await ga4.close()
  }
})
