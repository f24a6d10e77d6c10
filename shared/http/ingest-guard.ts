/**
 * Who may send data: a signed-in user (member or better of their active organization) or
 * an organization's API key.
 *
 * `requireIngestor()` resolves either credential to an `ingestor` with the organization
 * to write to; `ingestorActor()` says whose rights the writes then run with: the user's,
 * under RLS, or the service's for a key, whose queries must name `ingestor.orgId`
 * themselves.
 */
import { createMiddleware } from 'hono/factory'
import { apiKeyPrefix, type ApiKeyScope, useApiKey } from '../api-keys.ts'
import { bearerToken, type JWTClaims } from '../auth.ts'
import { type Actor, asUser } from '../db.ts'
import type { OrgRole } from '../domain/roles.ts'
import { activeOrg } from '../tenant.ts'
import { forbidden, unauthorized } from './errors.ts'
import { authenticateUser } from './guards.ts'

/** The verified sender of data and the organization its writes go to. */
export type Ingestor =
  | { via: 'user'; orgId: string; role: OrgRole; claims: JWTClaims }
  | { via: 'api_key'; orgId: string; keyId: string; scopes: ApiKeyScope[] }

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by requireIngestor: who sends the data and for which organization. */
    ingestor: Ingestor
  }
}

/**
 * The API key a request presents, if any: `Authorization: Bearer lyt_...` first, then an
 * `apikey: lyt_...` header. Anything else in `apikey` is the project's publishable key
 * that supabase-js always sends, and is ignored.
 */
function presentedApiKey(authorization: string | undefined, apikey: string | undefined) {
  const bearer = bearerToken(authorization)
  if (bearer?.startsWith('lyt_')) return bearer
  const header = apikey?.trim()
  if (header?.startsWith('lyt_')) return header
  return undefined
}

async function resolveApiKey(key: string, scope: ApiKeyScope): Promise<Ingestor> {
  if (!apiKeyPrefix(key)) throw unauthorized('malformed API key')
  const found = await useApiKey(key)
  if (!found) throw unauthorized('unknown or revoked API key')
  if (!found.scopes.includes(scope)) {
    throw forbidden(`this API key lacks the ${scope} scope`)
  }
  return { via: 'api_key', ...found }
}

async function resolveUser(token: string, minRole: OrgRole) {
  const user = await authenticateUser(token)
  const org = await asUser(user.claims, (tx) => activeOrg(tx, { min: minRole }))
  const ingestor: Ingestor = { via: 'user', orgId: org.id, role: org.role, claims: user.claims }
  return { ingestor, user }
}

/**
 * Accepts a user access token (role `minRole` or better in the active organization) or an
 * API key with `scope`, and sets `c.get('ingestor')`. 401 for a missing, invalid or
 * revoked credential, 403 for a role or scope that does not allow this.
 *
 * @example
 * app.post('/events', requireIngestor(), (c) => c.json({ org: c.get('ingestor').orgId }))
 */
export function requireIngestor(options: { scope?: ApiKeyScope; minRole?: OrgRole } = {}) {
  const { scope = 'ingest', minRole = 'member' } = options
  return createMiddleware(async function requireIngestor(c, next) {
    const key = presentedApiKey(c.req.header('authorization'), c.req.header('apikey'))
    if (key) {
      c.set('ingestor', await resolveApiKey(key, scope))
    } else {
      const token = bearerToken(c.req.header('authorization'))
      if (!token) {
        throw unauthorized('missing Authorization: Bearer <access token or API key>')
      }
      const { ingestor, user } = await resolveUser(token, minRole)
      c.set('user', user)
      c.set('ingestor', ingestor)
    }
    await next()
  })
}

/** Whose rights the ingestor's statements run with (see `inOneTrip`). */
export function ingestorActor(ingestor: Ingestor): Actor {
  return ingestor.via === 'user' ? { claims: ingestor.claims } : 'service'
}
