/**
 * The fake Instagram (tests/fakes/instagram/) behaves as the Instagram API with Instagram
 * Login documents: code → short-lived → long-lived token, refresh only after 24 hours and
 * before expiry, and account insights with their metric types and 30-day window.
 */
import assert from 'node:assert/strict'
import { type FakeInstagram, startFakeInstagram } from './instagram/mod.ts'
import { addDays, dateIn, startOfDay } from './time.ts'

function test(name: string, fn: (instagram: FakeInstagram) => Promise<void>) {
  Deno.test(name, async () => {
    const instagram = startFakeInstagram({
      app: { clientId: '42', clientSecret: 'shh', redirectUris: ['http://127.0.0.1:9/cb'] },
    })
    try {
      await fn(instagram)
    } finally {
      await instagram.close()
    }
  })
}

async function getJson(url: string | URL) {
  const res = await fetch(url)
  return { status: res.status, body: await res.json() }
}

const DAY = 24 * 3600_000
const PT = 'America/Los_Angeles'

test('login: authorize redirect with #_, code → short-lived token → long-lived token, then /me', async (ig) => {
  const authorize = new URL(ig.endpoints.authorize)
  authorize.search = new URLSearchParams({
    client_id: '42',
    redirect_uri: 'http://127.0.0.1:9/cb',
    response_type: 'code',
    scope: 'instagram_business_basic,instagram_business_manage_insights',
    state: 's1',
  }).toString()
  const redirect = await fetch(authorize, { redirect: 'manual' })
  assert.equal(redirect.status, 302)
  const back = new URL(redirect.headers.get('location')!)
  assert.equal(back.hash, '#_')
  assert.equal(back.searchParams.get('state'), 's1')
  const form = {
    client_id: '42',
    client_secret: 'shh',
    grant_type: 'authorization_code',
    redirect_uri: 'http://127.0.0.1:9/cb',
    code: back.searchParams.get('code')!,
  }
  const exchange = await fetch(ig.endpoints.token, {
    method: 'POST',
    body: new URLSearchParams(form),
  })
  const { data: [short] } = await exchange.json()
  assert.equal(short.user_id, ig.account.userId)
  const reused = await fetch(ig.endpoints.token, {
    method: 'POST',
    body: new URLSearchParams(form),
  })
  assert.equal(reused.status, 400, 'a code is single use')
  await reused.body?.cancel()

  const long = await getJson(
    `${ig.url}/access_token?grant_type=ig_exchange_token&client_secret=shh&access_token=${short.access_token}`,
  )
  assert.equal(long.status, 200)
  assert.equal(long.body.expires_in, 5_184_000)
  const me = await getJson(
    `${ig.url}/v23.0/me?fields=user_id,username&access_token=${long.body.access_token}`,
  )
  assert.deepEqual(me.body, { user_id: ig.account.userId, username: ig.account.username })
})

test('refresh: refused before 24 h, granted after, and an expired token needs a new login', async (ig) => {
  const token = ig.tokens.issue(ig.account.userId, 'long')
  const refresh = (t: string) =>
    getJson(`${ig.url}/refresh_access_token?grant_type=ig_refresh_token&access_token=${t}`)
  const young = await refresh(token)
  assert.equal(young.status, 400)
  assert.match(young.body.error.message, /24 hours/)
  ig.tokens.advance(25 * 3600_000)
  const fresh = await refresh(token)
  assert.equal(fresh.status, 200)
  assert.notEqual(fresh.body.access_token, token)
  ig.tokens.advance(61 * DAY)
  const expired = await refresh(fresh.body.access_token)
  assert.equal(expired.body.error.code, 190)
  assert.equal(ig.server.requestsTo('refresh').length, 3)
})

test('insights: reach and follower_count as a daily series ending at Pacific midnights', async (ig) => {
  const token = ig.tokens.issue(ig.account.userId, 'long')
  const last = addDays(dateIn(PT), -1)
  const first = addDays(last, -6)
  const url = new URL(`${ig.url}/v23.0/${ig.account.userId}/insights`)
  url.search = new URLSearchParams({
    metric: 'reach,follower_count',
    period: 'day',
    since: String(startOfDay(first, PT) / 1000),
    until: String(startOfDay(addDays(last, 1), PT) / 1000),
    access_token: token,
  }).toString()
  const { status, body } = await getJson(url)
  assert.equal(status, 200)
  const [reach, followers] = body.data
  assert.equal(reach.values.length, 7)
  assert.equal(reach.values[0].value, ig.dailyValue('reach', first))
  assert.equal(followers.values[6].value, ig.dailyValue('follower_count', last))
  assert.match(reach.values[0].end_time, /^\d{4}-\d{2}-\d{2}T0[78]:00:00\+0000$/)
  assert.ok(body.paging.next && !body.paging.next.includes(token), 'paging links carry no token')
})

test('insights: interaction metrics need metric_type=total_value, one total per window', async (ig) => {
  const token = ig.tokens.issue(ig.account.userId, 'long')
  const day = addDays(dateIn(PT), -2)
  const window = {
    period: 'day',
    since: String(startOfDay(day, PT) / 1000),
    until: String(startOfDay(addDays(day, 1), PT) / 1000),
    access_token: token,
  }
  const base = `${ig.url}/v23.0/${ig.account.userId}/insights?`
  const series = await getJson(
    base + new URLSearchParams({ ...window, metric: 'views,accounts_engaged' }),
  )
  assert.equal(series.status, 400)
  assert.match(
    series.body.error.message,
    /\(views, accounts_engaged\) should be specified with parameter metric_type=total_value/,
  )
  const totals = await getJson(
    base + new URLSearchParams({
      ...window,
      metric: 'views,accounts_engaged,total_interactions',
      metric_type: 'total_value',
    }),
  )
  assert.deepEqual(
    totals.body.data.map((
      m: { name: string; total_value: { value: number } },
    ) => [m.name, m.total_value.value]),
    ['views', 'accounts_engaged', 'total_interactions'].map((m) => [m, ig.dailyValue(m, day)]),
  )
})

test('insights: more than 30 days between since and until is refused; scripted failures', async (ig) => {
  const token = ig.tokens.issue(ig.account.userId, 'long')
  const until = Math.floor(Date.now() / 1000)
  const url = `${ig.url}/v23.0/${ig.account.userId}/insights?` + new URLSearchParams({
    metric: 'reach',
    period: 'day',
    since: String(until - 31 * 86_400),
    until: String(until),
    access_token: token,
  })
  const tooLong = await getJson(url)
  assert.equal(tooLong.status, 400)
  assert.equal(tooLong.body.error.code, 100)
  assert.match(tooLong.body.error.message, /more than 30 days \(2592000 s\)/)

  ig.failNext('insights', {
    code: 4,
    message: '(#4) Application request limit reached',
    status: 403,
  })
  const limited = await getJson(url.replace(String(until - 31 * 86_400), String(until - 86_400)))
  assert.equal(limited.status, 403)
  assert.equal(limited.body.error.code, 4)
  const other = await getJson(
    `${ig.url}/v23.0/999/insights?metric=reach&period=day&access_token=${token}`,
  )
  assert.equal(other.body.error.code, 10)
})
