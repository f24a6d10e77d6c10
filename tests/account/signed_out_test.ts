/**
 * A signed-out or revoked session's access token is refused by every data function,
 * although it is still signed and unexpired (shared/db.ts checks auth.sessions in the
 * statement that sets up each user transaction).
 */
import assert from 'node:assert/strict'
import { adminSql, call, mintToken, newUser, stack, test } from '../_helpers/stack.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'

/** One data request per function, each of which answers 2xx for a signed-in owner. */
const dataRequests: [string, string, unknown?][] = [
  ['GET', '/account/me'],
  ['GET', '/orgs'],
  ['GET', '/dashboard/tiles?series=events&range=7d'],
  ['GET', '/dashboard/events'],
  ['GET', '/events/keys'],
  ['POST', '/events', {
    events: [{ name: 'signed_out_probe', occurred_at: new Date().toISOString() }],
  }],
  ['POST', '/metrics', { rows: [{ metric_date: '2026-01-01', metric_name: 'probe', value: 1 }] }],
]

async function statuses(token: string) {
  const out: Record<string, number> = {}
  for (const [method, path, body] of dataRequests) {
    out[`${method} ${path}`] = (await call(method, path, { token, body })).status
  }
  return out
}

test('after logout, the access token is refused (401) by every data function', async () => {
  const user = await newOrgOwner({ label: 'signed-out' })
  for (const [request, status] of Object.entries(await statuses(user.token))) {
    assert.ok(status >= 200 && status < 300, `${request} before logout: ${status}`)
  }
  const { error } = await user.client.auth.signOut({ scope: 'local' })
  assert.equal(error, null)
  for (const [request, status] of Object.entries(await statuses(user.token))) {
    assert.equal(status, 401, `${request} after logout`)
  }
  const me = await call('GET', '/account/me', { token: user.token })
  assert.equal(me.body.error.code, 'unauthorized')
  assert.match(me.body.error.message, /session has ended/)
  // Documented: the token-only endpoint does no database work and still answers.
  assert.equal((await call('GET', '/account/session', { token: user.token })).status, 200)
})

test('signing out one session leaves the other sessions of the user working', async () => {
  const user = await newOrgOwner({ label: 'two-sessions' })
  const other = await fetch(`${stack.apiUrl}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { apikey: stack.publishableKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  }).then((r) => r.json())
  await user.client.auth.signOut({ scope: 'local' })
  assert.equal((await call('GET', '/account/me', { token: user.token })).status, 401)
  assert.equal((await call('GET', '/account/me', { token: other.access_token })).status, 200)
})

test('a session revoked by a reused refresh token (not_after passed) is refused too', async () => {
  const user = await newOrgOwner({ label: 'revoked' })
  const [{ session_id }] = await adminSql<{ session_id: string }[]>`
    select session_id from auth.refresh_tokens where token = ${user.refreshToken}`
  await adminSql`update auth.sessions set not_after = now() - interval '1 second'
                 where id = ${session_id}`
  assert.equal((await call('GET', '/orgs', { token: user.token })).status, 401)
})

test("a session_id of another user's live session is refused", async () => {
  const user = await newOrgOwner({ label: 'borrowed' })
  const stranger = await newUser('stranger')
  const [{ session_id }] = await adminSql<{ session_id: string }[]>`
    select session_id from auth.refresh_tokens where token = ${stranger.refreshToken}`
  const token = await mintToken({ sub: user.id, email: user.email, session_id })
  assert.equal((await call('GET', '/orgs', { token })).status, 401)
})

test('a token without session_id (minted with the project key) has no session to end', async () => {
  const user = await newOrgOwner({ label: 'no-session' })
  const token = await mintToken({ sub: user.id, email: user.email })
  assert.equal((await call('GET', '/orgs', { token })).status, 200)
  const odd = await mintToken({ sub: user.id, email: user.email, session_id: 'not-a-uuid' })
  assert.equal((await call('GET', '/orgs', { token: odd })).status, 401)
})
