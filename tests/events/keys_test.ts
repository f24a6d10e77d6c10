/**
 * API keys end to end: created by admins and shown once, listed without secrets, accepted
 * in either header, limited by scope, revoked for good, and invisible to other
 * organizations.
 */
import assert from 'node:assert/strict'
import { sha256Hex } from '../../shared/crypto.ts'
import { adminSql, call, newUser, test } from '../_helpers/stack.ts'
import { createApiKey } from '../_helpers/api_keys.ts'
import { ago } from '../_helpers/events.ts'
import { newOrg, newTeam } from '../_helpers/orgs.ts'

let shared: ReturnType<typeof newTeam> | undefined
/** One organization with a user per role, made on first use and shared by these tests. */
const team = () => shared ??= newTeam()

const oneEvent = () => ({ events: [{ name: 'from_key', occurred_at: ago(0) }] })

test('an admin creates a key, shown once and stored only as a hash', async () => {
  const { admin, orgId } = await team()
  const res = await call('POST', '/events/keys', { token: admin.token, body: { name: '  CI  ' } })
  assert.equal(res.status, 201, res.text)
  const { key, ...shown } = res.body
  assert.match(key, /^lyt_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}$/)
  assert.equal(shown.prefix, key.slice(0, 12))
  assert.deepEqual(
    { name: shown.name, scopes: shown.scopes, revoked_at: shown.revoked_at },
    { name: 'CI', scopes: ['ingest'], revoked_at: null },
  )

  const [row] = await adminSql`select key_hash, org_id from public.api_keys where id = ${shown.id}`
  assert.equal(row.key_hash, await sha256Hex(key))
  assert.equal(row.org_id, orgId)

  const list = await call('GET', '/events/keys', { token: admin.token })
  assert.equal(list.status, 200)
  const listed = list.body.keys.find((k: { id: string }) => k.id === shown.id)
  assert.deepEqual(Object.keys(listed).sort(), [
    'created_at',
    'id',
    'last_used_at',
    'name',
    'prefix',
    'revoked_at',
    'scopes',
  ])
  assert.ok(!list.text.includes(key.slice(13)) && !list.text.includes(row.key_hash))
})

test('a key works as Authorization: Bearer and as apikey', async () => {
  const { owner, orgId } = await team()
  const key = await createApiKey(owner)
  const bearer = await call('POST', '/events', { token: key, body: oneEvent() })
  assert.deepEqual(bearer.body, { accepted: 1, duplicates: 0 })
  // supabase-js sends the publishable key as Authorization; the lyt_ key in apikey wins.
  const header = await call('POST', '/events', {
    headers: { apikey: key, authorization: 'Bearer sb_publishable_abc' },
    body: oneEvent(),
  })
  assert.deepEqual(header.body, { accepted: 1, duplicates: 0 })
  const [row] = await adminSql`
    select count(*)::int as n from public.events where org_id = ${orgId} and name = 'from_key'`
  assert.equal(row.n, 2)
  const list = await call('GET', '/events/keys', { token: owner.token })
  const used = list.body.keys.find((k: { prefix: string }) => key.startsWith(k.prefix))
  assert.ok(used.last_used_at, 'using a key records when')
})

test('a key with only the read scope cannot ingest', async () => {
  const { admin } = await team()
  const key = await createApiKey(admin, { scopes: ['read'] })
  const res = await call('POST', '/events', { token: key, body: oneEvent() })
  assert.equal(res.status, 403)
  assert.match(res.body.error.message, /ingest scope/)
  const metrics = await call('POST', '/metrics', {
    headers: { apikey: key },
    body: { rows: [{ metric_date: '2026-01-01', metric_name: 'm', value: 1 }] },
  })
  assert.equal(metrics.status, 403)
  const both = await call('POST', '/events/keys', {
    token: admin.token,
    body: { name: 'both', scopes: ['ingest', 'read'] },
  })
  assert.deepEqual(both.body.scopes, ['ingest', 'read'])
})

test('a revoked key stops working at once', async () => {
  const { admin } = await team()
  const created = await call('POST', '/events/keys', { token: admin.token, body: { name: 'old' } })
  const { key, id } = created.body
  assert.equal((await call('POST', '/events', { token: key, body: oneEvent() })).status, 200)
  const revoke = await call('DELETE', `/events/keys/${id}`, { token: admin.token })
  assert.equal(revoke.status, 204)
  const refused = await call('POST', '/events', { token: key, body: oneEvent() })
  assert.equal(refused.status, 401)
  assert.equal(
    (await call('POST', '/events', { headers: { apikey: key }, body: oneEvent() })).status,
    401,
  )
  // Revoking again is harmless and keeps the first revocation time.
  const list1 = await call('GET', '/events/keys', { token: admin.token })
  assert.equal((await call('DELETE', `/events/keys/${id}`, { token: admin.token })).status, 204)
  const list2 = await call('GET', '/events/keys', { token: admin.token })
  const when = (l: typeof list1) => l.body.keys.find((k: { id: string }) => k.id === id).revoked_at
  assert.ok(when(list1))
  assert.equal(when(list2), when(list1))
})

test('unknown and malformed keys are refused', async () => {
  const unknown = `lyt_ABCDEFGH_${'x'.repeat(40)}`
  for (const key of [unknown, 'lyt_short', `lyt_ABCDEFGH_${'x'.repeat(20)}`]) {
    assert.equal((await call('POST', '/events', { token: key, body: oneEvent() })).status, 401, key)
    assert.equal(
      (await call('POST', '/events', { headers: { apikey: key }, body: oneEvent() })).status,
      401,
      key,
    )
  }
})

test("another organization's key cannot be listed or revoked", async () => {
  const { admin } = await team()
  const stranger = await newUser('stranger')
  await newOrg(stranger)
  const theirs = await call('POST', '/events/keys', {
    token: stranger.token,
    body: { name: 'theirs' },
  })
  const ours = await call('GET', '/events/keys', { token: admin.token })
  assert.ok(!ours.body.keys.some((k: { id: string }) => k.id === theirs.body.id))
  const revoke = await call('DELETE', `/events/keys/${theirs.body.id}`, { token: admin.token })
  assert.equal(revoke.status, 404)
  const [row] = await adminSql`select revoked_at from public.api_keys where id = ${theirs.body.id}`
  assert.equal(row.revoked_at, null)
  const missing = await call('DELETE', `/events/keys/${crypto.randomUUID()}`, {
    token: admin.token,
  })
  assert.equal(missing.status, 404)
  const bad = await call('DELETE', '/events/keys/not-a-uuid', { token: admin.token })
  assert.equal(bad.status, 400)
  // Their key still works, for them only.
  const sent = await call('POST', '/events', { token: theirs.body.key, body: oneEvent() })
  assert.equal(sent.status, 200)
})

test('members and viewers cannot manage keys', async () => {
  const { admin, member, viewer } = await team()
  const key = await call('POST', '/events/keys', { token: admin.token, body: { name: 'k' } })
  for (const user of [member, viewer]) {
    assert.equal(
      (await call('POST', '/events/keys', { token: user.token, body: { name: 'x' } })).status,
      403,
    )
    assert.equal((await call('GET', '/events/keys', { token: user.token })).status, 403)
    assert.equal(
      (await call('DELETE', `/events/keys/${key.body.id}`, { token: user.token })).status,
      403,
    )
  }
  assert.equal((await call('GET', '/events/keys')).status, 401)
  // An API key is not a way into key management.
  const apiKey = await createApiKey(admin)
  assert.equal((await call('GET', '/events/keys', { token: apiKey })).status, 401)
})

test('key creation checks its input', async () => {
  const { admin } = await team()
  for (
    const body of [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(101) },
      { name: 'k', scopes: [] },
      { name: 'k', scopes: ['write'] },
      { name: 'k', scopes: ['ingest', 'ingest'] },
      { name: 'k', extra: 1 },
    ]
  ) {
    const res = await call('POST', '/events/keys', { token: admin.token, body })
    assert.equal(res.status, 400, JSON.stringify(body))
  }
})
