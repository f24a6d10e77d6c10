/**
 * Access tokens through the gateway against a protected route (GET /functions/v1/orgs):
 * every defective credential is a 401 in the error shape saying why; a session works.
 */
import assert from 'node:assert/strict'
import { decodeJwt, SignJWT } from 'jose'
import {
  call,
  mintToken,
  newUser,
  type Reply,
  stack,
  test,
  type TestUser,
} from '../_helpers/stack.ts'

const PROTECTED = '/orgs'

let user: TestUser | undefined
async function signedUp(): Promise<TestUser> {
  user ??= await newUser('tokens')
  return user
}

const b64url = (text: string) =>
  btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

const inOneHour = () => Math.floor(Date.now() / 1000) + 3600

// The user's own live session: data requests refuse a session that does not exist.
function claimsFor(u: TestUser) {
  return { sub: u.id, email: u.email, session_id: decodeJwt(u.token).session_id }
}

function assertRefused(reply: Reply, why: RegExp) {
  assert.equal(reply.status, 401, `expected 401, got ${reply.status}: ${reply.text}`)
  assert.match(reply.headers.get('content-type') ?? '', /application\/json/)
  assert.equal(reply.body.error.code, 'unauthorized')
  assert.match(reply.body.error.message, why)
}

test('tokens: a valid access token from sign-up is accepted', async () => {
  const u = await signedUp()
  const reply = await call('GET', PROTECTED, { token: u.token })
  assert.equal(reply.status, 200, reply.text)
  assert.ok(Array.isArray(reply.body.organizations))
})

test('tokens: a token minted with the stack key for the user is accepted', async () => {
  const reply = await call('GET', PROTECTED, {
    token: await mintToken(claimsFor(await signedUp())),
  })
  assert.equal(reply.status, 200, reply.text)
})

test('tokens: no Authorization header → 401', async () => {
  assertRefused(await call('GET', PROTECTED), /missing Authorization/)
})

test('tokens: a scheme other than Bearer → 401', async () => {
  const u = await signedUp()
  for (const header of [`Basic ${btoa(`${u.email}:${u.password}`)}`, `Token ${u.token}`, u.token]) {
    const reply = await call('GET', PROTECTED, { headers: { authorization: header } })
    assertRefused(reply, /Bearer/)
  }
})

test('tokens: the publishable key (or the secret key) as a bearer → 401', async () => {
  assertRefused(await call('GET', PROTECTED, { token: stack.publishableKey }), /malformed/)
  // The apikey header alone signs nobody in either.
  const withApikey = await call('GET', PROTECTED, { headers: { apikey: stack.publishableKey } })
  assertRefused(withApikey, /missing Authorization/)
  assertRefused(await call('GET', PROTECTED, { token: stack.secretKey }), /malformed/)
})

test('tokens: an expired token → 401 saying it expired', async () => {
  const token = await mintToken(claimsFor(await signedUp()), {
    expiresIn: Math.floor(Date.now() / 1000) - 60,
  })
  assertRefused(await call('GET', PROTECTED, { token }), /expired/)
})

test('tokens: a tampered payload → 401', async () => {
  const u = await signedUp()
  const [header, payload, signature] = u.token.split('.')
  const i = Math.floor(payload.length / 2)
  const flipped = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1)
  assertRefused(
    await call('GET', PROTECTED, { token: `${header}.${flipped}.${signature}` }),
    /invalid/,
  )
  // A whole new payload (another user) under the original signature.
  const other = b64url(JSON.stringify({
    ...JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))),
    sub: crypto.randomUUID(),
  }))
  assertRefused(
    await call('GET', PROTECTED, { token: `${header}.${other}.${signature}` }),
    /invalid/,
  )
})

test('tokens: a wrong audience → 401 naming aud', async () => {
  const token = await mintToken(claimsFor(await signedUp()), { audience: 'anon' })
  assertRefused(await call('GET', PROTECTED, { token }), /aud/)
})

test('tokens: a wrong issuer → 401 naming iss', async () => {
  const token = await mintToken(claimsFor(await signedUp()), {
    issuer: 'https://evil.example/auth/v1',
  })
  assertRefused(await call('GET', PROTECTED, { token }), /iss/)
})

test('tokens: alg none → 401', async () => {
  const u = await signedUp()
  const header = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))
  const payload = b64url(JSON.stringify({
    ...claimsFor(u),
    role: 'authenticated',
    aud: 'authenticated',
    iss: `${stack.apiUrl}/auth/v1`,
    exp: inOneHour(),
  }))
  assertRefused(await call('GET', PROTECTED, { token: `${header}.${payload}.` }), /none/)
})

test('tokens: HS256 signed with the public JWK → 401', async () => {
  const u = await signedUp()
  const { kid } = stack.publicJwk
  for (
    const secret of [JSON.stringify(stack.publicJwk), JSON.stringify({ keys: [stack.publicJwk] })]
  ) {
    const token = await new SignJWT({ ...claimsFor(u), role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
      .setIssuer(`${stack.apiUrl}/auth/v1`)
      .setAudience('authenticated')
      .setIssuedAt()
      .setExpirationTime(inOneHour())
      .sign(new TextEncoder().encode(secret))
    assertRefused(await call('GET', PROTECTED, { token }), /HS256/)
  }
})

test('tokens: a valid signature but not a signed-in user (service_role) → 401', async () => {
  const token = await mintToken({ sub: crypto.randomUUID(), role: 'service_role' })
  assertRefused(await call('GET', PROTECTED, { token }), /signed-in user/)
})

test('tokens: a signature by a key the project does not know → 401', async () => {
  const { privateKey } = await crypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign', 'verify'],
  )
  const token = await new SignJWT({ ...claimsFor(await signedUp()), role: 'authenticated' })
    .setProtectedHeader({ alg: 'ES256', kid: stack.publicJwk.kid })
    .setIssuer(`${stack.apiUrl}/auth/v1`)
    .setAudience('authenticated')
    .setExpirationTime(inOneHour())
    .sign(privateKey)
  assertRefused(await call('GET', PROTECTED, { token }), /invalid/)
})
