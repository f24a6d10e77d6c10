/**
 * Connecting GA4 through the gateway against the fake Google: the consent URL, the
 * callback (state single use, 10 minutes, bound to an admin), the property pick that
 * activates the source and queues its backfill, where the browser may be sent, and how
 * many connections one user may start.
 */
import assert from 'node:assert/strict'
import { decryptCredentials } from '../../shared/credentials.ts'
import { sha256Hex } from '../../shared/crypto.ts'
import { Ga4CredentialsSchema } from '../../shared/providers/credentials.ts'
import { startStackFakes } from '../fakes/on_stack.ts'
import { adminSql, call, stack, test } from '../_helpers/stack.ts'
import {
  activeGa4Source,
  APP_ORIGIN,
  backAtApp,
  consent,
  startConnect,
  team,
  visit,
} from './_flow.ts'

let fakes = startStackFakes()

test('POST /sources/ga4/connect: a consent URL for offline, read-only Analytics with PKCE', async () => {
  const { owner } = await team()
  const url = new URL(await startConnect(owner, 'ga4'))
  assert.equal(`${url.origin}${url.pathname}`, fakes.google.endpoints.authorize)
  const q = url.searchParams
  assert.equal(q.get('scope'), 'https://www.googleapis.com/auth/analytics.readonly')
  assert.equal(q.get('access_type'), 'offline')
  assert.equal(q.get('prompt'), 'consent')
  assert.equal(q.get('response_type'), 'code')
  assert.equal(q.get('client_id'), fakes.google.client.clientId)
  assert.equal(q.get('code_challenge_method'), 'S256')
  assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/)
  assert.match(q.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/)
  assert.equal(q.get('redirect_uri'), `${stack.apiUrl}/functions/v1/sources/ga4/callback`)
  // Only the state's hash is stored, with the verifier sealed beside it.
  const [row] = await adminSql`
    select org_id, extract(epoch from expires_at - created_at)::int as ttl,
           length(ciphertext) > 0 as sealed
    from private.oauth_states where state_hash = ${await sha256Hex(q.get('state')!)}`
  assert.ok(row.sealed)
  assert.equal(row.ttl, 600)
})

test('GA4 end to end: consent → pending source with the properties → pick → active + backfill', async () => {
  const { owner, orgId } = await team()
  const callbackUrl = await consent(
    await startConnect(owner, 'ga4', {
      redirect_to: `${APP_ORIGIN}/settings/sources?tab=ga4`,
    }),
  )
  const back = await visit(callbackUrl)
  assert.equal(back.status, 302, back.text)
  const query = backAtApp(back.location)
  assert.equal(new URL(back.location!).pathname, '/settings/sources')
  assert.equal(query.get('tab'), 'ga4', 'the app keeps its own query')
  assert.equal(query.get('status'), 'pending')
  const id = query.get('source_id')!

  const token = fakes.google.server.requestsTo('token').at(-1)!
  assert.ok(token.form?.get('code_verifier'), 'the code was exchanged with the PKCE verifier')
  const summaries = fakes.google.server.requestsTo('accountSummaries').at(-1)!
  assert.match(summaries.headers.get('authorization') ?? '', /^Bearer ya29\.fake-/)

  const properties = await call('GET', `/sources/${id}/properties`, { token: owner.token })
  assert.equal(properties.status, 200, properties.text)
  assert.deepEqual(properties.body.properties.map((p: { property_id: string }) => p.property_id), [
    'properties/111111111',
    'properties/222222222',
  ])
  assert.equal(properties.body.properties[0].display_name, 'Demo Shop (GA4)')

  const pending = await call('GET', `/sources/${id}`, { token: owner.token })
  assert.equal(pending.body.status, 'pending')
  assert.equal(pending.body.external_id, null)

  const picked = await call('POST', `/sources/${id}/property`, {
    token: owner.token,
    body: { property_id: '111111111' },
  })
  assert.equal(picked.status, 200, picked.text)
  assert.equal(picked.body.status, 'active')
  assert.equal(picked.body.external_id, 'properties/111111111')
  assert.equal(picked.body.external_name, 'Demo Shop (GA4)')
  assert.ok(Date.parse(picked.body.next_sync_at) > Date.now() + 5 * 3600_000)

  const jobs = await adminSql`
    select kind, status, to_date = current_date - 1 as to_yesterday,
           current_date - from_date as days
    from private.sync_jobs where source_id = ${id}`
  assert.deepEqual(jobs.map((j) => ({ ...j })), [
    { kind: 'backfill', status: 'queued', to_yesterday: true, days: 90 },
  ])

  // Sealed at rest, bound to this source, holding the refresh token Google issued.
  const [sealed] = await adminSql`
    select key_id, iv, ciphertext from private.source_credentials where source_id = ${id}`
  const credentials = await decryptCredentials(
    { key_id: sealed.key_id, iv: sealed.iv, ciphertext: sealed.ciphertext },
    { sourceId: id, schema: Ga4CredentialsSchema },
  )
  assert.ok(fakes.google.tokens.grants.has(credentials.refresh_token))
  assert.ok((credentials.expiry_date ?? 0) > Date.now())
  const [row] = await adminSql`select org_id from public.data_sources where id = ${id}`
  assert.equal(row.org_id, orgId)

  const again = await call('POST', `/sources/${id}/property`, {
    token: owner.token,
    body: { property_id: 'properties/222222222' },
  })
  assert.equal(again.status, 409, 'the property is picked once')
})

test('picking a property: only one the account listed, by admins, and well-formed', async () => {
  const { owner, admin, member } = await team()
  const back = await visit(await consent(await startConnect(owner, 'ga4')))
  const id = backAtApp(back.location).get('source_id')!

  const unlisted = await call('POST', `/sources/${id}/property`, {
    token: admin.token,
    body: { property_id: 'properties/999' },
  })
  assert.equal(unlisted.status, 400, unlisted.text)
  assert.match(unlisted.body.error.message, /body\.property_id/)
  const malformed = await call('POST', `/sources/${id}/property`, {
    token: admin.token,
    body: { property_id: 'UA-1234-1' },
  })
  assert.equal(malformed.status, 400, malformed.text)
  assert.match(malformed.body.error.message, /body\.property_id/)
  const byMember = await call('POST', `/sources/${id}/property`, {
    token: member.token,
    body: { property_id: 'properties/111111111' },
  })
  assert.equal(byMember.status, 403, byMember.text)
  const byAdmin = await call('POST', `/sources/${id}/property`, {
    token: admin.token,
    body: { property_id: 'properties/222222222' },
  })
  assert.equal(byAdmin.status, 200, byAdmin.text)
})

test('the GA4 properties are read page by page from accountSummaries', async () => {
  await fakes.close()
  // 60 accounts: two pages at Google's default page size of 50.
  const many = fakes = startStackFakes({
    google: {
      properties: Array.from({ length: 60 }, (_, i) => ({
        id: String(300000000 + i),
        displayName: `Property ${i}`,
        account: String(7000 + i),
        accountDisplayName: `Account ${i}`,
        timeZone: 'UTC',
      })),
    },
  })
  try {
    const { owner } = await team()
    const back = await visit(await consent(await startConnect(owner, 'ga4')))
    const id = backAtApp(back.location).get('source_id')!
    const res = await call('GET', `/sources/${id}/properties`, { token: owner.token })
    assert.equal(res.body.properties.length, 60)
    assert.equal(many.google.server.requestsTo('accountSummaries').length, 2)
    assert.ok(
      many.google.server.requestsTo('accountSummaries')[1].url.searchParams.get('pageToken'),
    )
  } finally {
    await many.close()
    fakes = startStackFakes()
  }
})

test('a viewer or member cannot connect (403); nobody signed out can (401)', async () => {
  const { viewer, member } = await team()
  for (const user of [viewer, member]) {
    const res = await call('POST', '/sources/ga4/connect', { token: user.token, body: {} })
    assert.equal(res.status, 403, res.text)
  }
  const anonymous = await call('POST', '/sources/ga4/connect', { body: {} })
  assert.equal(anonymous.status, 401)
})

test('one user starts at most 10 connections in 10 minutes: then 429 with Retry-After', async () => {
  const { owner, admin } = await team()
  // Across providers: five of each.
  for (let i = 0; i < 10; i++) await startConnect(owner, i % 2 ? 'ga4' : 'instagram')
  const [oldest] = await adminSql<{ expires_in: number }[]>`
    select extract(epoch from min(expires_at) - now())::float as expires_in
    from private.oauth_states where user_id = ${owner.id}`
  for (const provider of ['ga4', 'instagram']) {
    const res = await call('POST', `/sources/${provider}/connect`, { token: owner.token, body: {} })
    assert.equal(res.status, 429, res.text)
    assert.equal(res.body.error.code, 'rate_limited')
    assert.match(res.body.error.message, /10 connections were started in the last 10 minutes/)
    const retryAfter = Number(res.headers.get('retry-after'))
    assert.ok(Math.abs(retryAfter - oldest.expires_in) <= 2, `Retry-After ${retryAfter}`)
  }
  const [stored] = await adminSql`
    select count(*)::int as flows from private.oauth_states where user_id = ${owner.id}`
  assert.equal(stored.flows, 10, 'a refused start stores no state')
  // Per user: another admin of the same organization still can.
  await startConnect(admin, 'ga4')
  // Once the oldest has expired, there is room for one more.
  await adminSql`
    update private.oauth_states set expires_at = now() - interval '1 second'
    where state_hash = (select state_hash from private.oauth_states where user_id = ${owner.id}
                        order by expires_at limit 1)`
  await startConnect(owner, 'ga4')
})

test('redirect_to must be on an allowed origin, else 400 naming it', async () => {
  const { owner } = await team()
  for (
    const target of [
      'https://evil.example/steal',
      'http://app.lytics.test.evil.example/',
      'http://user:pw@app.lytics.test/',
      'javascript:alert(1)',
      '/relative',
    ]
  ) {
    const res = await call('POST', '/sources/ga4/connect', {
      token: owner.token,
      body: { redirect_to: target },
    })
    assert.equal(res.status, 400, `${target}: ${res.text}`)
    assert.match(res.body.error.message, /body\.redirect_to/)
  }
  const unknown = await call('POST', '/sources/ga4/connect', {
    token: owner.token,
    body: { redirect_uri: 'http://app.lytics.test/' },
  })
  assert.equal(unknown.status, 400)
  assert.match(unknown.body.error.message, /body\.redirect_uri/)
  // The other allowed origin works, and the default is the first.
  const second = new URL(
    await startConnect(owner, 'ga4', { redirect_to: 'http://127.0.0.1:3000/x' }),
  )
  assert.ok(second.searchParams.get('state'))
})

test('a tampered, replayed or expired state is refused with 400, and nothing is connected', async () => {
  const { owner, orgId } = await team()
  const callback = new URL(await consent(await startConnect(owner, 'ga4')))
  const state = callback.searchParams.get('state')!

  const tampered = new URL(callback)
  tampered.searchParams.set('state', (state[0] === 'A' ? 'B' : 'A') + state.slice(1))
  const t = await visit(tampered.href)
  assert.equal(t.status, 400, t.text)
  assert.equal(JSON.parse(t.text).error.code, 'invalid_state')

  const missing = new URL(callback)
  missing.searchParams.delete('state')
  const m = await visit(missing.href)
  assert.equal(m.status, 400)
  assert.match(m.text, /query\.state/)

  const first = await visit(callback.href)
  assert.equal(first.status, 302, first.text)
  const replayed = await visit(callback.href)
  assert.equal(replayed.status, 400, 'a state is good once')

  const late = new URL(await consent(await startConnect(owner, 'ga4')))
  await adminSql`
    update private.oauth_states set expires_at = now() - interval '1 second'
    where state_hash = ${await sha256Hex(late.searchParams.get('state')!)}`
  const expired = await visit(late.href)
  assert.equal(expired.status, 400, expired.text)

  const [{ count }] = await adminSql`
    select count(*)::int from public.data_sources where org_id = ${orgId}`
  assert.equal(count, 1, 'only the one good callback connected a source')
})

test('denied consent, or a user no longer admin, goes back to the app with an error', async () => {
  const { owner, admin, orgId } = await team()
  fakes.google.consent.deny = true
  try {
    const denied = await visit(await consent(await startConnect(owner, 'ga4')))
    assert.equal(denied.status, 302)
    const q = backAtApp(denied.location)
    assert.equal(q.get('status'), 'error')
    assert.equal(q.get('error'), 'access_denied')
  } finally {
    fakes.google.consent.deny = false
  }

  const pending = await consent(await startConnect(admin, 'ga4'))
  await adminSql`
    update public.memberships set role = 'member' where org_id = ${orgId} and user_id = ${admin.id}`
  const demoted = await visit(pending)
  assert.equal(backAtApp(demoted.location).get('error'), 'forbidden')

  const [{ count }] = await adminSql`
    select count(*)::int from public.data_sources where org_id = ${orgId}`
  assert.equal(count, 0)
})

test('re-authorizing a GA4 source keeps its property and makes it due', async () => {
  const { owner } = await team()
  const id = await activeGa4Source(owner)
  await adminSql`update public.data_sources set status = 'needs_reauth' where id = ${id}`
  const back = await visit(await consent(await startConnect(owner, 'ga4', { source_id: id })))
  const q = backAtApp(back.location)
  assert.equal(q.get('source_id'), id)
  assert.equal(q.get('status'), 'active')
  const [row] = await adminSql`
    select status, external_id, next_sync_at <= now() as due from public.data_sources
    where id = ${id}`
  assert.deepEqual({ ...row }, { status: 'active', external_id: 'properties/111111111', due: true })

  const foreign = await call('POST', '/sources/ga4/connect', {
    token: (await team()).owner.token,
    body: { source_id: id },
  })
  assert.equal(foreign.status, 404, 'another organization cannot re-authorize it')
})

test('the callbacks answer hostile input with a 400, and a failed exchange goes back to the app', async () => {
  const { owner } = await team()
  for (const provider of ['ga4', 'instagram']) {
    const base = `${stack.apiUrl}/functions/v1/sources/${provider}/callback`
    for (
      const query of [
        'state=a%00b&code=x',
        `state=${'x'.repeat(60_000)}`,
        'state=%FF%FE&code=%ED%A0%80',
        'state=&code=',
        'code=x',
        `state=${'A'.repeat(43)}&code=${'c'.repeat(5000)}`,
      ]
    ) {
      const res = await visit(`${base}?${query}`)
      assert.equal(res.status, 400, `${provider} ?${query.slice(0, 30)}: ${res.text.slice(0, 200)}`)
    }
  }
  // Google refuses the code (here: it was already used): the browser is told, no source made.
  const callback = await consent(await startConnect(owner, 'ga4'))
  fakes.google.failTokenWith('invalid_grant')
  const refused = await visit(callback)
  assert.equal(backAtApp(refused.location).get('error'), 'invalid_grant')
})

test('close the fake providers', () => fakes.close())
