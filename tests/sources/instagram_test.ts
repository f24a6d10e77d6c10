/**
 * Connecting Instagram through the gateway against the fake Instagram: the authorization
 * URL, the short-lived token exchanged for a long-lived one, the account read from
 * `/me`, and the source active at once with its backfill queued.
 */
import assert from 'node:assert/strict'
import { decryptCredentials } from '../../shared/credentials.ts'
import { InstagramCredentialsSchema } from '../../shared/providers/credentials.ts'
import { startStackFakes } from '../fakes/on_stack.ts'
import { adminSql, call, stack, test } from '../_helpers/stack.ts'
import { backAtApp, connect, consent, startConnect, team, visit } from './_flow.ts'

const fakes = startStackFakes()
const { instagram } = fakes

test('POST /sources/instagram/connect: the authorization URL with the insights scope', async () => {
  const { admin } = await team()
  const url = new URL(await startConnect(admin, 'instagram'))
  assert.equal(`${url.origin}${url.pathname}`, instagram.endpoints.authorize)
  assert.equal(url.searchParams.get('client_id'), instagram.app.clientId)
  assert.equal(url.searchParams.get('response_type'), 'code')
  assert.deepEqual(url.searchParams.get('scope')?.split(','), [
    'instagram_business_basic',
    'instagram_business_manage_insights',
  ])
  assert.equal(
    url.searchParams.get('redirect_uri'),
    `${stack.apiUrl}/functions/v1/sources/instagram/callback`,
  )
})

test('Instagram end to end: long-lived token sealed with its dates, source active, backfill queued', async () => {
  const { owner, viewer } = await team()
  const before = Date.now()
  const id = await connect(owner, 'instagram')

  assert.equal(instagram.server.requestsTo('token').length > 0, true)
  const exchange = instagram.server.requestsTo('exchange').at(-1)!
  assert.equal(exchange.url.searchParams.get('grant_type'), 'ig_exchange_token')
  assert.match(instagram.server.requestsTo('me').at(-1)!.url.pathname, /^\/v\d+\.\d+\/me$/)

  const source = await call('GET', `/sources/${id}`, { token: viewer.token })
  assert.equal(source.status, 200, source.text)
  assert.equal(source.body.provider, 'instagram')
  assert.equal(source.body.status, 'active')
  assert.equal(source.body.external_id, instagram.account.userId)
  assert.equal(source.body.external_name, instagram.account.username)

  const [job] = await adminSql`
    select kind, current_date - from_date as days from private.sync_jobs where source_id = ${id}`
  assert.deepEqual({ ...job }, { kind: 'backfill', days: 90 })

  const [sealed] = await adminSql`
    select key_id, iv, ciphertext from private.source_credentials where source_id = ${id}`
  const credentials = await decryptCredentials(
    { key_id: sealed.key_id, iv: sealed.iv, ciphertext: sealed.ciphertext },
    { sourceId: id, schema: InstagramCredentialsSchema },
  )
  const stored = instagram.tokens.tokens.get(credentials.access_token)
  assert.equal(stored?.kind, 'long', 'the long-lived token is kept, not the short one')
  assert.equal(credentials.user_id, instagram.account.userId)
  assert.ok(credentials.issued_at >= before && credentials.issued_at <= Date.now())
  const sixtyDays = 60 * 24 * 3600_000
  assert.ok(Math.abs(credentials.expires_at - credentials.issued_at - sixtyDays) < 1000)
})

test('connecting the same Instagram account again re-authorizes the existing source', async () => {
  const { owner, orgId } = await team()
  const first = await connect(owner, 'instagram')
  await adminSql`update public.data_sources set status = 'needs_reauth' where id = ${first}`
  const second = await connect(owner, 'instagram')
  assert.equal(second, first)
  const rows = await adminSql`
    select status, next_sync_at <= now() as due from public.data_sources where org_id = ${orgId}`
  assert.deepEqual(rows.map((r) => ({ ...r })), [{ status: 'active', due: true }])
  const [{ count }] = await adminSql`
    select count(*)::int from private.sync_jobs where source_id = ${first}`
  assert.equal(count, 1, 'no second backfill')
})

test('the flat token answer is taken too, and a denied window goes back with the error', async () => {
  await fakes.close()
  const flat = startStackFakes({ instagram: { tokenResponse: 'flat' } })
  try {
    const { owner } = await team()
    const id = await connect(owner, 'instagram')
    assert.match(id, /^[0-9a-f-]{36}$/)

    flat.instagram.consent.deny = true
    const denied = await visit(await consent(await startConnect(owner, 'instagram')))
    const q = backAtApp(denied.location)
    assert.equal(q.get('status'), 'error')
    assert.equal(q.get('error'), 'access_denied')
  } finally {
    await flat.close()
  }
})

test('a GA4 state is not accepted by the Instagram callback', async () => {
  const restarted = startStackFakes()
  try {
    const { owner } = await team()
    const ga4Callback = new URL(await consent(await startConnect(owner, 'ga4')))
    const res = await visit(
      `${stack.apiUrl}/functions/v1/sources/instagram/callback?code=x&state=${
        ga4Callback.searchParams.get('state')
      }`,
    )
    assert.equal(res.status, 400, res.text)
  } finally {
    await restarted.close()
  }
})
