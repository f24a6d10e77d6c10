/**
 * The real Google client libraries against the fake Google (tests/fakes/google/): the
 * OAuth code flow with PKCE, refresh of an expired token, runReport through
 * `@google-analytics/data` in REST fallback mode, paging, scripted failures, and the Admin
 * API's accountSummaries by plain fetch with the OAuth2Client's headers.
 */
import assert from 'node:assert/strict'
import { BetaAnalyticsDataClient } from '@google-analytics/data'
import { CodeChallengeMethod, type Credentials, OAuth2Client } from 'google-auth-library'
import { CHANNELS, type FakeGoogle, startFakeGoogle } from './google/mod.ts'

function test(name: string, fn: (google: FakeGoogle) => Promise<void>) {
  Deno.test(name, async () => {
    const google = startFakeGoogle({
      properties: [1, 2, 3].map((n) => ({
        id: `${n}${n}${n}000`,
        displayName: `Property ${n}`,
        account: `90${n}`,
        accountDisplayName: `Account ${n}`,
        timeZone: 'Europe/Paris',
      })),
    })
    try {
      await fn(google)
    } finally {
      await google.close()
    }
  })
}

function oauthClient(google: FakeGoogle) {
  return new OAuth2Client({
    clientId: google.client.clientId,
    clientSecret: google.client.clientSecret,
    redirectUri: 'http://127.0.0.1:9/callback',
    endpoints: {
      oauth2AuthBaseUrl: google.endpoints.authorize,
      oauth2TokenUrl: google.endpoints.token,
      oauth2RevokeUrl: google.endpoints.revoke,
    },
  })
}

/** A client whose access token has expired, as a stored source's usually has. */
function expiredClient(google: FakeGoogle) {
  const auth = oauthClient(google)
  const issued = google.tokens.issue()
  google.tokens.expireAccessTokens()
  auth.setCredentials({
    refresh_token: issued.refresh_token,
    access_token: issued.access_token,
    expiry_date: Date.now() - 1000,
  })
  return auth
}

function dataClient(google: FakeGoogle, auth: OAuth2Client) {
  return new BetaAnalyticsDataClient({
    fallback: true,
    apiEndpoint: '127.0.0.1',
    port: google.server.port,
    protocol: 'http',
    authClient: auth,
  })
}

const week = { startDate: '2026-03-23', endDate: '2026-03-29' }

test('OAuth code flow with PKCE S256: consent redirect, code exchange, revoke', async (google) => {
  const auth = oauthClient(google)
  const { codeVerifier, codeChallenge } = await auth.generateCodeVerifierAsync()
  const consentUrl = auth.generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent',
    scope: ['https://www.googleapis.com/auth/analytics.readonly'],
    state: 'state-123',
    code_challenge: codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
  })
  const consent = await fetch(consentUrl, { redirect: 'manual' })
  assert.equal(consent.status, 302)
  const callback = new URL(consent.headers.get('location')!)
  assert.equal(callback.origin + callback.pathname, 'http://127.0.0.1:9/callback')
  assert.equal(callback.searchParams.get('state'), 'state-123')
  const code = callback.searchParams.get('code')!

  // A wrong verifier is refused, and the code is spent: the right one then fails too.
  await assert.rejects(auth.getToken({ code, codeVerifier: 'x'.repeat(43) }), /invalid_grant/)
  await assert.rejects(auth.getToken({ code, codeVerifier }), /invalid_grant/)

  const again = await fetch(consentUrl, { redirect: 'manual' })
  const code2 = new URL(again.headers.get('location')!).searchParams.get('code')!
  const { tokens } = await auth.getToken({ code: code2, codeVerifier })
  assert.ok(tokens.access_token && tokens.refresh_token)
  assert.equal(tokens.scope, 'https://www.googleapis.com/auth/analytics.readonly')
  const [exchange] = google.server.requestsTo('token').slice(-1)
  assert.equal(exchange.form?.get('grant_type'), 'authorization_code')
  assert.equal(exchange.form?.get('code_verifier'), codeVerifier)

  await auth.revokeToken(tokens.refresh_token!)
  assert.equal(google.server.requestsTo('revoke').length, 1)
  assert.equal(google.tokens.isLive(`Bearer ${tokens.access_token}`), false)
})

test('an expired token is refreshed first (a tokens event), then runReport returns the fake rows', async (google) => {
  const auth = expiredClient(google)
  const refreshed = new Promise<Credentials>((resolve) => auth.once('tokens', resolve))
  const [report] = await dataClient(google, auth).runReport({
    property: 'properties/111000',
    dateRanges: [week],
    dimensions: [{ name: 'date' }],
    metrics: [
      'activeUsers',
      'newUsers',
      'sessions',
      'screenPageViews',
      'keyEvents',
      'engagementRate',
      'averageSessionDuration',
    ]
      .map((name) => ({ name })),
    returnPropertyQuota: true,
  })
  const fresh = await refreshed
  assert.ok(fresh.access_token && google.tokens.isLive(`Bearer ${fresh.access_token}`))
  const [runReport] = google.server.requestsTo('runReport')
  assert.equal(runReport.headers.get('authorization'), `Bearer ${fresh.access_token}`)

  assert.equal(report.rowCount, 7)
  assert.equal(report.metadata?.timeZone, 'Europe/Paris')
  assert.equal(report.metricHeaders?.[5].type, 'TYPE_FLOAT')
  assert.equal(report.propertyQuota?.tokensPerDay?.remaining, 199_990)
  const first = report.rows![0]
  assert.equal(first.dimensionValues![0].value, '20260323')
  assert.deepEqual(
    first.metricValues!.map((v) => v.value),
    report.metricHeaders!.map((h) => google.metric('111000', '2026-03-23', h.name!)),
  )
})

test('runReport pages with limit and offset over date × channel rows', async (google) => {
  const data = dataClient(google, expiredClient(google))
  const seen: string[] = []
  for (let offset = 0;; offset += 10) {
    const [page] = await data.runReport({
      property: 'properties/222000',
      dateRanges: [week],
      dimensions: [{ name: 'date' }, { name: 'sessionDefaultChannelGroup' }],
      metrics: [{ name: 'sessions' }, { name: 'activeUsers' }],
      limit: 10,
      offset,
    })
    assert.equal(page.rowCount, 7 * CHANNELS.length)
    for (const row of page.rows ?? []) {
      const [date, channel] = row.dimensionValues!.map((v) => v.value!)
      seen.push(`${date}/${channel}`)
      const day = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}`
      assert.equal(row.metricValues![0].value, google.metric('222000', day, 'sessions', channel))
    }
    if (offset + 10 >= page.rowCount!) break
  }
  assert.equal(seen.length, 42)
  assert.equal(new Set(seen).size, 42)
  assert.equal(google.server.requestsTo('runReport').length, 5)
})

test('a scripted 429 surfaces as RESOURCE_EXHAUSTED with HTTP status 429, and the next call succeeds', async (google) => {
  const data = dataClient(google, expiredClient(google))
  const request = {
    property: 'properties/111000',
    dateRanges: [week],
    metrics: [{ name: 'sessions' }],
  }
  google.failNext('runReport', { status: 429, retryAfter: 30 })
  const error = await data.runReport(request).catch((e) => e)
  assert.equal(error.code, 8, 'gRPC RESOURCE_EXHAUSTED')
  assert.equal(error.httpStatusCode, 429)
  // runReport is non-idempotent in the client's config: no retry of its own.
  assert.equal(google.server.requestsTo('runReport').length, 1)
  const [report] = await data.runReport(request)
  assert.equal(report.rowCount, 1)

  google.failNext('runReport', { status: 500 })
  assert.equal((await data.runReport(request).catch((e) => e)).httpStatusCode, 500)
  google.setQuota('111000', { tokensPerHour: 0 })
  assert.equal((await data.runReport(request).catch((e) => e)).code, 8)
})

test('invalid_grant on refresh surfaces from runReport; a revoked consent does too', async (google) => {
  const auth = expiredClient(google)
  const data = dataClient(google, auth)
  const request = {
    property: 'properties/111000',
    dateRanges: [week],
    metrics: [{ name: 'sessions' }],
  }
  google.failTokenWith('invalid_grant', 'Token has been expired or revoked.')
  const scripted = await data.runReport(request).catch((e) => e)
  assert.match(scripted.message, /invalid_grant/)
  assert.equal(google.server.requestsTo('runReport').length, 0, 'no API call without a token')

  google.tokens.revokeAll()
  const revoked = await data.runReport(request).catch((e) => e)
  assert.match(revoked.message, /invalid_grant/)
})

test('an unknown property or metric is refused as the API does', async (google) => {
  const data = dataClient(google, expiredClient(google))
  const denied = await data.runReport({
    property: 'properties/999',
    dateRanges: [week],
    metrics: [{ name: 'sessions' }],
  }).catch((e) => e)
  assert.equal(denied.httpStatusCode, 403)
  const invalid = await data.runReport({
    property: 'properties/111000',
    dateRanges: [week],
    metrics: [{ name: 'pageviews' }],
  }).catch((e) => e)
  assert.equal(invalid.httpStatusCode, 400)
  assert.match(invalid.message, /pageviews is not a valid metric/)
  const [metadata] = await data.getMetadata({ name: 'properties/111000/metadata' })
  assert.ok(metadata.metrics?.some((m) => m.apiName === 'keyEvents' && m.type === 'TYPE_INTEGER'))
})

test('Admin API accountSummaries by fetch with the OAuth2Client headers, paginated', async (google) => {
  const auth = expiredClient(google)
  const properties: string[] = []
  let pageToken = ''
  do {
    const url = new URL('/v1beta/accountSummaries', google.endpoints.adminApi)
    url.searchParams.set('pageSize', '2')
    if (pageToken) url.searchParams.set('pageToken', pageToken)
    const res = await fetch(url, { headers: await auth.getRequestHeaders() })
    assert.equal(res.status, 200)
    const page = await res.json()
    for (const account of page.accountSummaries) {
      for (const p of account.propertySummaries) properties.push(`${p.property} ${p.displayName}`)
    }
    pageToken = page.nextPageToken ?? ''
  } while (pageToken)
  assert.deepEqual(properties, [
    'properties/111000 Property 1',
    'properties/222000 Property 2',
    'properties/333000 Property 3',
  ])
  assert.equal(google.server.requestsTo('accountSummaries').length, 2)
  const anonymous = await fetch(new URL('/v1beta/accountSummaries', google.url))
  assert.equal(anonymous.status, 401)
  await anonymous.body?.cancel()
})
