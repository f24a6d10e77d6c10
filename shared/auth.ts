/**
 * Supabase Auth access tokens, verified inside the function (verify_jwt is off).
 *
 * Asymmetric tokens (ES256/RS256) are checked against the project's JWKS, inline from
 * SUPABASE_JWKS or fetched from SUPABASE_URL/auth/v1/.well-known/jwks.json and cached by
 * jose; HS256 only when a legacy secret is configured. `alg: none` never verifies.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  type JWTPayload,
  jwtVerify,
} from 'jose'
import { type BaseConfig, config } from './config.ts'

/** The claims Supabase Auth puts in an access token. */
export type JWTClaims = JWTPayload & {
  sub: string
  role: string
  email?: string
  phone?: string
  aal?: string
  session_id?: string
  is_anonymous?: boolean
  app_metadata?: Record<string, unknown>
  user_metadata?: Record<string, unknown>
}

/** The verified caller of a request. */
export type AuthUser = { id: string; email: string | null; claims: JWTClaims }

/** Why a token was refused; the message is safe to return to the client. */
export class TokenError extends Error {
  override name = 'TokenError'
}

/** The project's JWKS could not be fetched: the token is neither good nor bad yet. */
export class KeysUnavailableError extends Error {
  override name = 'KeysUnavailableError'
}

const ASYMMETRIC = ['ES256', 'RS256']

type KeySets = {
  config: BaseConfig
  local?: ReturnType<typeof createLocalJWKSet>
  remote: ReturnType<typeof createRemoteJWKSet>
}
let keySets: KeySets | undefined

// Built once per isolate: the remote set caches keys and refetches on an unknown kid.
function jwks(cfg: BaseConfig): KeySets {
  if (keySets?.config === cfg) return keySets
  const local = cfg.SUPABASE_JWKS ? createLocalJWKSet(JSON.parse(cfg.SUPABASE_JWKS)) : undefined
  const remote = createRemoteJWKSet(
    new URL('/auth/v1/.well-known/jwks.json', cfg.SUPABASE_URL),
    { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 },
  )
  keySets = { config: cfg, local, remote }
  return keySets
}

/**
 * Tokens this isolate verified recently. A dashboard sends the same session token with
 * every request, and the ES256 check was about a quarter of the HTTP layer's time per
 * request. An entry serves only the identical token string, until the token expires and
 * for a minute at most, so a signing key that is revoked stops working within a minute.
 */
const verified = new Map<
  string,
  { claims: JWTClaims; audience: string; cfg: BaseConfig; until: number }
>()
const VERIFIED_MAX = 1000
const VERIFIED_TTL_MS = 60_000

function recentlyVerified(token: string, audience: string, cfg: BaseConfig) {
  const hit = verified.get(token)
  if (!hit) return undefined
  if (hit.until <= Date.now() || hit.audience !== audience || hit.cfg !== cfg) {
    verified.delete(token)
    return undefined
  }
  return hit.claims
}

function remember(token: string, claims: JWTClaims, audience: string, cfg: BaseConfig) {
  const until = Math.min(Date.now() + VERIFIED_TTL_MS, (claims.exp ?? 0) * 1000)
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!)
  verified.set(token, { claims, audience, cfg, until })
}

/**
 * Verifies `token` and returns its claims, or throws TokenError.
 *
 * @example
 * const claims = await verifyAccessToken(bearer, { audience: 'authenticated' })
 */
export async function verifyAccessToken(
  token: string,
  options: { audience?: string; cfg?: BaseConfig } = {},
): Promise<JWTClaims> {
  const cfg = options.cfg ?? config()
  const audience = options.audience ?? 'authenticated'
  const known = recentlyVerified(token, audience, cfg)
  if (known) return known
  const claims = await verifySignedToken(token, audience, cfg)
  remember(token, claims, audience, cfg)
  return claims
}

async function verifySignedToken(
  token: string,
  audience: string,
  cfg: BaseConfig,
): Promise<JWTClaims> {
  const issuer = acceptedIssuers(cfg)
  let alg: string | undefined
  try {
    alg = decodeProtectedHeader(token).alg
  } catch {
    throw new TokenError('malformed access token')
  }
  try {
    let payload: JWTPayload
    if (alg === 'HS256') {
      if (!cfg.LEGACY_JWT_SECRET) throw new TokenError('HS256 tokens are not accepted')
      const secret = new TextEncoder().encode(cfg.LEGACY_JWT_SECRET)
      ;({ payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], issuer, audience }))
    } else if (alg && ASYMMETRIC.includes(alg)) {
      const sets = jwks(cfg)
      const opts = { algorithms: ASYMMETRIC, issuer, audience }
      try {
        if (!sets.local) throw new joseErrors.JWKSNoMatchingKey()
        ;({ payload } = await jwtVerify(token, sets.local, opts))
      } catch (err) {
        if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err
        ;({ payload } = await remoteVerify(token, sets.remote, opts))
      }
    } else {
      throw new TokenError(`tokens signed with ${alg ?? 'no algorithm'} are not accepted`)
    }
    if (typeof payload.sub !== 'string' || typeof payload.role !== 'string') {
      throw new TokenError('access token lacks sub or role')
    }
    return payload as JWTClaims
  } catch (err) {
    if (err instanceof TokenError) throw err
    if (err instanceof joseErrors.JWTExpired) throw new TokenError('access token expired')
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      throw new TokenError(`access token ${err.claim} is not accepted`)
    }
    if (err instanceof joseErrors.JOSEError) throw new TokenError('invalid access token')
    throw err
  }
}

// A network failure fetching the JWKS is an outage (503), not a bad token (401).
async function remoteVerify(
  token: string,
  keys: KeySets['remote'],
  opts: { algorithms: string[]; issuer: string[]; audience: string },
) {
  try {
    return await jwtVerify(token, keys, opts)
  } catch (err) {
    if (err instanceof joseErrors.JOSEError && !(err instanceof joseErrors.JWKSTimeout)) throw err
    throw new KeysUnavailableError('the signing keys could not be fetched')
  }
}

/**
 * The CLI's `functions serve` gives functions the Docker-internal SUPABASE_URL, while its
 * auth server signs tokens with the public API URL (supabase/cli `internal/start/start.go`:
 * `GOTRUE_JWT_ISSUER=` + `utils.GetApiUrl("/auth/v1")`, by default on 127.0.0.1:54321).
 */
const CLI_INTERNAL_URL = 'http://kong:8000'
const CLI_PUBLIC_ISSUER = 'http://127.0.0.1:54321/auth/v1'

/**
 * The `iss` values a token may carry: JWT_ISSUER's comma-separated list when set, else
 * SUPABASE_URL + /auth/v1, plus the CLI's public issuer when SUPABASE_URL is its kong URL.
 *
 * @example
 * acceptedIssuers(config()) // ['https://<ref>.supabase.co/auth/v1']
 */
export function acceptedIssuers(cfg: BaseConfig): string[] {
  if (cfg.JWT_ISSUER && cfg.JWT_ISSUER.length > 0) return cfg.JWT_ISSUER
  const own = new URL('/auth/v1', cfg.SUPABASE_URL).href
  const origin = new URL(cfg.SUPABASE_URL).origin
  return origin === CLI_INTERNAL_URL ? [own, CLI_PUBLIC_ISSUER] : [own]
}

/** The token of an `Authorization: Bearer ...` header, if any. */
export function bearerToken(header: string | undefined | null): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return match?.[1]
}

/** The project's secret API keys (new `sb_secret_` keys and the legacy service key). */
export function secretKeys(cfg: BaseConfig = config()): string[] {
  const keys: string[] = []
  if (cfg.SUPABASE_SECRET_KEYS) {
    try {
      keys.push(...Object.values(JSON.parse(cfg.SUPABASE_SECRET_KEYS) as Record<string, string>))
    } catch {
      // A malformed value simply grants nothing.
    }
  }
  if (cfg.SUPABASE_SERVICE_ROLE_KEY) keys.push(cfg.SUPABASE_SERVICE_ROLE_KEY)
  return keys.filter((k) => typeof k === 'string' && k.length >= 20)
}

/** Compares without an early exit, so timing does not reveal how much of a key matched. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

/**
 * True when `token` is one of the project's secret keys. Used by internal endpoints
 * (the cron-triggered sync) that no user token may call.
 */
export function isServiceCredential(token: string, cfg: BaseConfig = config()): boolean {
  return secretKeys(cfg).some((k) => timingSafeEqual(k, token))
}
