/**
 * GET /account/session: the verified token's identity and expiry, with no database work.
 */
import assert from 'node:assert/strict'
import { decodeJwt } from 'jose'
import { call, mintToken, newUser, test } from '../_helpers/stack.ts'

test('GET /account/session: whose token it is and when it expires', async () => {
  const user = await newUser('session')
  const res = await call('GET', '/account/session', { token: user.token })
  assert.equal(res.status, 200, res.text)
  const claims = decodeJwt(user.token)
  assert.equal(res.body.user_id, user.id)
  assert.equal(res.body.email, user.email)
  assert.equal(res.body.role, 'authenticated')
  assert.equal(res.body.session_id, claims.session_id)
  assert.equal(res.body.expires_at, new Date((claims.exp ?? 0) * 1000).toISOString())
  assert.ok(res.body.expires_in > 0 && res.body.expires_in <= (claims.exp ?? 0) - (claims.iat ?? 0))
})

test('GET /account/session needs a valid token, however often a good one was seen', async () => {
  const user = await newUser('session-refused')
  assert.equal((await call('GET', '/account/session', { token: user.token })).status, 200)
  assert.equal((await call('GET', '/account/session')).status, 401)
  const [head, body, sig] = user.token.split('.')
  const flipped = `${head}.${body}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`
  assert.equal((await call('GET', '/account/session', { token: flipped })).status, 401)
  const expired = await mintToken({ sub: user.id, email: user.email }, { expiresIn: -60 })
  assert.equal((await call('GET', '/account/session', { token: expired })).status, 401)
})
