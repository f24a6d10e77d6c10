/**
 * shared/auth.ts: which access tokens verify and why the others are refused, and the
 * secret-key checks of internal endpoints.
 */
import assert from 'node:assert/strict'
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose'
import {
  acceptedIssuers,
  bearerToken,
  isServiceCredential,
  KeysUnavailableError,
  secretKeys,
  timingSafeEqual,
  TokenError,
  verifyAccessToken,
} from '../../shared/auth.ts'
import { type BaseConfig, baseConfigSchema, readConfig } from '../../shared/config.ts'

const URL_BASE = 'http://auth.test.invalid:54321'
const ISSUER = `${URL_BASE}/auth/v1`
const LEGACY_SECRET = 'legacy-secret-of-at-least-32-characters!'

const signing = await generateKeyPair('ES256', { extractable: true })
const kid = 'inline-key'
const publicJwk = { ...(await exportJWK(signing.publicKey)), kid, alg: 'ES256', use: 'sig' }

function configWith(env: Record<string, string> = {}): BaseConfig {
  return readConfig(baseConfigSchema, {
    SUPABASE_URL: URL_BASE,
    SUPABASE_JWKS: JSON.stringify({ keys: [publicJwk] }),
    ...env,
  })
}
const cfg = configWith()

type SignOptions = {
  key?: CryptoKey | Uint8Array
  alg?: string
  kid?: string
  issuer?: string
  audience?: string
  expiresAt?: number | string
}

function sign(claims: JWTPayload = {}, opts: SignOptions = {}): Promise<string> {
  const alg = opts.alg ?? 'ES256'
  return new SignJWT({ sub: crypto.randomUUID(), role: 'authenticated', ...claims })
    .setProtectedHeader({ alg, typ: 'JWT', ...(alg === 'HS256' ? {} : { kid: opts.kid ?? kid }) })
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? 'authenticated')
    .setIssuedAt()
    .setExpirationTime(opts.expiresAt ?? '1h')
    .sign(opts.key ?? signing.privateKey)
}

const b64url = (text: string | Uint8Array) =>
  btoa(typeof text === 'string' ? text : String.fromCharCode(...text))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

async function refused(token: string, why: RegExp, options = { cfg }): Promise<TokenError> {
  try {
    await verifyAccessToken(token, options)
  } catch (err) {
    assert.ok(err instanceof TokenError, `expected a TokenError, got ${err}`)
    assert.match(err.message, why)
    return err
  }
  assert.fail('the token was accepted')
}

Deno.test('verifyAccessToken: a valid ES256 token from the inline JWKS is accepted', async () => {
  const sub = crypto.randomUUID()
  const claims = await verifyAccessToken(await sign({ sub, email: 'a@b.test' }), { cfg })
  assert.equal(claims.sub, sub)
  assert.equal(claims.role, 'authenticated')
  assert.equal(claims.email, 'a@b.test')
  assert.equal(claims.iss, ISSUER)
})

Deno.test('verifyAccessToken: JWT_ISSUER overrides the expected issuer', async () => {
  const custom = configWith({ JWT_ISSUER: 'https://issuer.example/auth/v1' })
  const token = await sign({}, { issuer: 'https://issuer.example/auth/v1' })
  assert.ok(await verifyAccessToken(token, { cfg: custom }))
  await refused(await sign(), /iss/, { cfg: custom })
})

Deno.test('verifyAccessToken: JWT_ISSUER may list several issuers, comma-separated', async () => {
  const both = configWith({ JWT_ISSUER: ' https://a.example/auth/v1, https://b.example/auth/v1 ' })
  assert.deepEqual(acceptedIssuers(both), [
    'https://a.example/auth/v1',
    'https://b.example/auth/v1',
  ])
  for (const issuer of ['https://a.example/auth/v1', 'https://b.example/auth/v1']) {
    assert.equal((await verifyAccessToken(await sign({}, { issuer }), { cfg: both })).iss, issuer)
  }
  await refused(await sign(), /iss/, { cfg: both })
})

Deno.test("verifyAccessToken: under the CLI's kong URL, the CLI's public issuer is accepted", async () => {
  // `supabase functions serve` gives SUPABASE_URL=http://kong:8000; its auth server signs
  // with the API's public URL.
  const serve = configWith({ SUPABASE_URL: 'http://kong:8000' })
  assert.deepEqual(acceptedIssuers(serve), [
    'http://kong:8000/auth/v1',
    'http://127.0.0.1:54321/auth/v1',
  ])
  const cliToken = await sign({}, { issuer: 'http://127.0.0.1:54321/auth/v1' })
  assert.ok(await verifyAccessToken(cliToken, { cfg: serve }))
  assert.ok(
    await verifyAccessToken(await sign({}, { issuer: 'http://kong:8000/auth/v1' }), { cfg: serve }),
  )
  await refused(await sign({}, { issuer: 'http://127.0.0.1:9999/auth/v1' }), /iss/, { cfg: serve })
  // Anywhere else the CLI's issuer is just another issuer, refused.
  await refused(await sign({}, { issuer: 'http://127.0.0.1:54321/auth/v1' }), /iss/)
  // And JWT_ISSUER, when set, is the whole list.
  const pinned = configWith({
    SUPABASE_URL: 'http://kong:8000',
    JWT_ISSUER: 'http://x.test/auth/v1',
  })
  await refused(cliToken, /iss/, { cfg: pinned })
})

Deno.test('verifyAccessToken: an expired token is refused', async () => {
  const token = await sign({}, { expiresAt: Math.floor(Date.now() / 1000) - 60 })
  await refused(token, /expired/)
})

Deno.test('verifyAccessToken: a wrong audience is refused', async () => {
  await refused(await sign({}, { audience: 'anon' }), /aud/)
})

Deno.test('verifyAccessToken: the audience option changes what is expected', async () => {
  const token = await sign({}, { audience: 'service' })
  assert.ok(await verifyAccessToken(token, { cfg, audience: 'service' }))
  await refused(await sign(), /aud/, { cfg, audience: 'service' } as { cfg: BaseConfig })
})

Deno.test('verifyAccessToken: a recently verified token is refused once it expires', async () => {
  const expiresAt = Math.floor(Date.now() / 1000) + 1
  const token = await sign({}, { expiresAt })
  assert.ok(await verifyAccessToken(token, { cfg }))
  assert.ok(await verifyAccessToken(token, { cfg }), 'again, from the recent verifications')
  await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 50))
  await refused(token, /expired/)
})

Deno.test('verifyAccessToken: a recent verification counts only for its audience and config', async () => {
  const token = await sign()
  assert.ok(await verifyAccessToken(token, { cfg }))
  await refused(token, /aud/, { cfg, audience: 'service' } as { cfg: BaseConfig })
  const otherIssuer = configWith({ JWT_ISSUER: 'https://issuer.example/auth/v1' })
  await refused(token, /iss/, { cfg: otherIssuer })
})

Deno.test('verifyAccessToken: a wrong issuer is refused', async () => {
  await refused(await sign({}, { issuer: 'https://evil.example/auth/v1' }), /iss/)
})

Deno.test('verifyAccessToken: a tampered payload is refused', async () => {
  const [header, , signature] = (await sign({ role: 'authenticated' })).split('.')
  const forged = b64url(JSON.stringify({
    sub: crypto.randomUUID(),
    role: 'service_role',
    iss: ISSUER,
    aud: 'authenticated',
    exp: Math.floor(Date.now() / 1000) + 3600,
  }))
  await refused(`${header}.${forged}.${signature}`, /invalid access token/)
})

Deno.test('verifyAccessToken: a flipped character in the payload is refused', async () => {
  const [header, payload, signature] = (await sign()).split('.')
  const i = Math.floor(payload.length / 2)
  const flipped = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1)
  await refused(`${header}.${flipped}.${signature}`, /invalid access token/)
})

Deno.test('verifyAccessToken: a tampered signature is refused', async () => {
  const [header, payload, signature] = (await sign()).split('.')
  const flipped = signature[5] === 'A' ? 'B' : 'A'
  const tampered = signature.slice(0, 5) + flipped + signature.slice(6)
  await refused(`${header}.${payload}.${tampered}`, /invalid access token/)
  // A signature made by another key with the same kid.
  const other = await generateKeyPair('ES256')
  await refused(await sign({}, { key: other.privateKey }), /invalid access token/)
})

Deno.test('verifyAccessToken: alg none is refused', async () => {
  const header = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))
  const payload = b64url(JSON.stringify({
    sub: crypto.randomUUID(),
    role: 'authenticated',
    iss: ISSUER,
    aud: 'authenticated',
    exp: Math.floor(Date.now() / 1000) + 3600,
  }))
  await refused(`${header}.${payload}.`, /none/)
  await refused(`${header}.${payload}`, /malformed|none|invalid/)
})

Deno.test('verifyAccessToken: HS256 signed with the public key bytes is refused', async () => {
  // Algorithm confusion: a verifier that used the public key as an HMAC secret would accept it.
  const candidates = [
    new TextEncoder().encode(JSON.stringify(publicJwk)),
    new TextEncoder().encode(JSON.stringify({ keys: [publicJwk] })),
    new Uint8Array(await crypto.subtle.exportKey('raw', signing.publicKey)),
    new Uint8Array(await crypto.subtle.exportKey('spki', signing.publicKey)),
  ]
  for (const key of candidates) {
    const token = await sign({}, { alg: 'HS256', key })
    await refused(token, /HS256 tokens are not accepted/)
    // Even where HS256 is allowed, only the configured secret verifies.
    await refused(token, /invalid access token/, {
      cfg: configWith({ LEGACY_JWT_SECRET: LEGACY_SECRET }),
    })
  }
})

Deno.test('verifyAccessToken: any HS256 token is refused without a legacy secret', async () => {
  const token = await sign({}, { alg: 'HS256', key: new TextEncoder().encode(LEGACY_SECRET) })
  await refused(token, /HS256 tokens are not accepted/)
})

Deno.test('verifyAccessToken: HS256 with LEGACY_JWT_SECRET configured is accepted', async () => {
  const legacy = configWith({ LEGACY_JWT_SECRET: LEGACY_SECRET })
  const sub = crypto.randomUUID()
  const token = await sign({ sub }, { alg: 'HS256', key: new TextEncoder().encode(LEGACY_SECRET) })
  const claims = await verifyAccessToken(token, { cfg: legacy })
  assert.equal(claims.sub, sub)
  // ...and still checks the claims.
  const expired = await sign({}, {
    alg: 'HS256',
    key: new TextEncoder().encode(LEGACY_SECRET),
    expiresAt: Math.floor(Date.now() / 1000) - 60,
  })
  await refused(expired, /expired/, { cfg: legacy })
  // ES256 keeps working alongside.
  assert.ok(await verifyAccessToken(await sign(), { cfg: legacy }))
})

Deno.test('verifyAccessToken: other algorithms and garbage are refused', async () => {
  const hs512 = await sign({}, { alg: 'HS512', key: new TextEncoder().encode(LEGACY_SECRET) })
  await refused(hs512, /HS512/, { cfg: configWith({ LEGACY_JWT_SECRET: LEGACY_SECRET }) })
  await refused('not-a-token', /malformed/)
  await refused('', /malformed/)
  await refused('sb_publishable_abcdefghijklmnopqrstuvwxyz', /malformed/)
})

Deno.test('verifyAccessToken: a token without sub or role is refused', async () => {
  const noRole = await new SignJWT({ sub: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(ISSUER).setAudience('authenticated').setExpirationTime('1h')
    .sign(signing.privateKey)
  await refused(noRole, /sub or role/)
  const noSub = await new SignJWT({ role: 'authenticated' })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(ISSUER).setAudience('authenticated').setExpirationTime('1h')
    .sign(signing.privateKey)
  await refused(noSub, /sub or role/)
})

Deno.test('verifyAccessToken: an unknown kid is looked up once in the remote JWKS', async () => {
  const rotated = await generateKeyPair('ES256', { extractable: true })
  const rotatedJwk = { ...(await exportJWK(rotated.publicKey)), kid: 'rotated-key', alg: 'ES256' }
  const fetched: string[] = []
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, (req) => {
    fetched.push(new URL(req.url).pathname)
    return Response.json({ keys: [rotatedJwk] })
  })
  try {
    const base = `http://127.0.0.1:${server.addr.port}`
    const remote = readConfig(baseConfigSchema, {
      SUPABASE_URL: base,
      SUPABASE_JWKS: JSON.stringify({ keys: [publicJwk] }),
    })
    const issuer = `${base}/auth/v1`
    const first = await sign({}, { key: rotated.privateKey, kid: 'rotated-key', issuer })
    const second = await sign({}, { key: rotated.privateKey, kid: 'rotated-key', issuer })
    assert.ok(await verifyAccessToken(first, { cfg: remote }))
    assert.ok(await verifyAccessToken(second, { cfg: remote }))
    assert.deepEqual(fetched, ['/auth/v1/.well-known/jwks.json'], 'fetched once, then cached')
    // Inline keys still verify without a fetch.
    assert.ok(await verifyAccessToken(await sign({}, { issuer }), { cfg: remote }))
    assert.equal(fetched.length, 1)
    // A kid neither set knows is refused (the cooldown keeps it from refetching at will).
    const stranger = await generateKeyPair('ES256')
    const unknown = await sign({}, { key: stranger.privateKey, kid: 'nobody', issuer })
    await refused(unknown, /invalid access token/, { cfg: remote })
    assert.equal(fetched.length, 1)
  } finally {
    await server.shutdown()
  }
})

Deno.test('verifyAccessToken: without SUPABASE_JWKS the remote JWKS is used', async () => {
  const fetched: string[] = []
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, (req) => {
    fetched.push(new URL(req.url).pathname)
    return Response.json({ keys: [publicJwk] })
  })
  try {
    const base = `http://127.0.0.1:${server.addr.port}`
    const remote = readConfig(baseConfigSchema, { SUPABASE_URL: base })
    const token = await sign({}, { issuer: `${base}/auth/v1` })
    assert.ok(await verifyAccessToken(token, { cfg: remote }))
    assert.ok(await verifyAccessToken(token, { cfg: remote }))
    assert.equal(fetched.length, 1)
  } finally {
    await server.shutdown()
  }
})

Deno.test('verifyAccessToken: an unreachable remote JWKS is an outage, not a bad token', async () => {
  // Port 9 on loopback: nothing listens, so the JWKS fetch fails fast.
  const offline = readConfig(baseConfigSchema, { SUPABASE_URL: 'http://127.0.0.1:9' })
  const token = await sign({}, { issuer: 'http://127.0.0.1:9/auth/v1', kid: 'unknown-kid' })
  await assert.rejects(() => verifyAccessToken(token, { cfg: offline }), KeysUnavailableError)
})

Deno.test('bearerToken: only the Bearer scheme with one token', () => {
  assert.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi')
  assert.equal(bearerToken('bearer abc'), 'abc')
  assert.equal(bearerToken('Bearer   abc  '), 'abc')
  assert.equal(bearerToken('Basic dXNlcjpwYXNz'), undefined)
  assert.equal(bearerToken('Token abc'), undefined)
  assert.equal(bearerToken('Bearer'), undefined)
  assert.equal(bearerToken('Bearer '), undefined)
  assert.equal(bearerToken('Bearer a b'), undefined)
  assert.equal(bearerToken('abc'), undefined)
  assert.equal(bearerToken(''), undefined)
  assert.equal(bearerToken(undefined), undefined)
  assert.equal(bearerToken(null), undefined)
})

Deno.test('timingSafeEqual: equal only when every byte and the length match', () => {
  assert.equal(timingSafeEqual('sb_secret_abc', 'sb_secret_abc'), true)
  assert.equal(timingSafeEqual('', ''), true)
  assert.equal(timingSafeEqual('sb_secret_abc', 'sb_secret_abd'), false)
  assert.equal(timingSafeEqual('sb_secret_abc', 'sb_secret_ab'), false)
  assert.equal(timingSafeEqual('sb_secret_ab', 'sb_secret_abc'), false)
  assert.equal(timingSafeEqual('a', 'a\u0000'), false)
  assert.equal(timingSafeEqual('', 'x'), false)
  assert.equal(timingSafeEqual('é', 'e'), false)
  assert.equal(timingSafeEqual('ключ', 'ключ'), true)
})

const SECRET = 'sb_secret_0123456789abcdefghij'
const OTHER_SECRET = 'sb_secret_zyxwvutsrqponmlkjihg'
const LEGACY_SERVICE = 'eyJhbGciOiJIUzI1NiJ9.legacy-service-role-key'

Deno.test('secretKeys: the JSON object form and the legacy service key', () => {
  const keys = secretKeys(configWith({
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: SECRET, rotated: OTHER_SECRET }),
    SUPABASE_SERVICE_ROLE_KEY: LEGACY_SERVICE,
  }))
  assert.deepEqual(keys, [SECRET, OTHER_SECRET, LEGACY_SERVICE])
  assert.deepEqual(secretKeys(configWith({ SUPABASE_SERVICE_ROLE_KEY: LEGACY_SERVICE })), [
    LEGACY_SERVICE,
  ])
  assert.deepEqual(secretKeys(cfg), [])
})

Deno.test('secretKeys: malformed or weak values grant nothing', () => {
  for (
    const value of ['{not json', SECRET, '"a-string-value-longer-than-20"', 'null', '42', '[]']
  ) {
    assert.deepEqual(secretKeys(configWith({ SUPABASE_SECRET_KEYS: value })), [], value)
  }
  const weak = JSON.stringify({ short: 'sb_secret_x', number: 12345678901234567890, empty: '' })
  assert.deepEqual(secretKeys(configWith({ SUPABASE_SECRET_KEYS: weak })), [])
  assert.deepEqual(secretKeys(configWith({ SUPABASE_SERVICE_ROLE_KEY: 'short' })), [])
})

Deno.test('isServiceCredential: only a configured secret key', () => {
  const c = configWith({
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: SECRET }),
    SUPABASE_SERVICE_ROLE_KEY: LEGACY_SERVICE,
  })
  assert.equal(isServiceCredential(SECRET, c), true)
  assert.equal(isServiceCredential(LEGACY_SERVICE, c), true)
  assert.equal(isServiceCredential(OTHER_SECRET, c), false)
  assert.equal(isServiceCredential(SECRET.slice(0, -1), c), false)
  assert.equal(isServiceCredential(`${SECRET}x`, c), false)
  assert.equal(isServiceCredential('', c), false)
  assert.equal(isServiceCredential(SECRET, configWith({ SUPABASE_SECRET_KEYS: '{oops' })), false)
  assert.equal(isServiceCredential('', cfg), false, 'no keys configured: nothing matches')
})
