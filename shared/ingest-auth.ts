/**
 * Who may send data: a signed-in user (member or better of their active organization) or
 * an organization's API key (`lyt_<prefix>_<secret>`, stored only as a SHA-256).
 *
 * `requireIngestor()` resolves either credential to an `ingestor` with the organization
 * to write to; `ingestorActor()` says whose rights the writes then run with: the user's,
 * under RLS, or the service's for a key, whose queries must name `ingestor.orgId`
 * themselves.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import { bearerToken, type JWTClaims } from './auth.ts'
import { randomToken, sha256Hex } from './crypto.ts'
import { type Actor, asUser, inOneTrip } from './db.ts'
import { forbidden, unauthorized } from './http/errors.ts'
import { authenticateUser } from './http/guards.ts'
import { errorResponses } from './http/openapi.ts'
import type { OrgRole } from './domain/roles.ts'
import { activeOrg } from './tenant.ts'

/** What an API key may be used for. `read` is stored for later; nothing reads with it yet. */
export type ApiKeyScope = 'ingest' | 'read'
export const API_KEY_SCOPES = ['ingest', 'read'] as const satisfies readonly ApiKeyScope[]

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

// `lyt_` + 8 visible characters + `_` + the secret; the secret length leaves room to grow.
const API_KEY = /^(lyt_[A-Za-z0-9]{8})_[A-Za-z0-9]{32,128}$/
const SECRET_LENGTH = 40

/** A new API key: the key itself (shown once), its visible prefix and the hash to store. */
export async function newApiKey(): Promise<{ key: string; prefix: string; hash: string }> {
  const prefix = `lyt_${randomToken(8)}`
  const key = `${prefix}_${randomToken(SECRET_LENGTH)}`
  return { key, prefix, hash: await sha256Hex(key) }
}

/** The visible prefix of a well-formed API key, or undefined. */
export function apiKeyPrefix(key: string): string | undefined {
  return API_KEY.exec(key)?.[1]
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
  const hash = await sha256Hex(key)
  // One round trip instead of four: every API-key request makes this lookup.
  const [found] = await inOneTrip(
    'service',
    (sql) =>
      sql<{ key_id: string; org_id: string; scopes: ApiKeyScope[] }[]>`
      select key_id, org_id, scopes from private.use_api_key(${hash})`,
  )
  if (!found) throw unauthorized('unknown or revoked API key')
  if (!found.scopes.includes(scope)) {
    throw forbidden(`this API key lacks the ${scope} scope`)
  }
  return { via: 'api_key', orgId: found.org_id, keyId: found.key_id, scopes: found.scopes }
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

type RouteConfig = Parameters<typeof createRoute>[0]
// Either scheme satisfies the route: OpenAPI lists alternatives as separate requirements.
const INGEST_SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyHeader: [] }]

/**
 * A route for senders of data: a user token or an ingest API key, documented as either
 * security scheme and enforced by requireIngestor. Call `documentApiKeys(app)` once.
 */
export function ingestRoute<R extends RouteConfig>(route: R) {
  return createRoute({
    ...route,
    security: INGEST_SECURITY,
    middleware: [requireIngestor()] as const,
    responses: { ...errorResponses, ...route.responses },
  })
}

/** Registers the `apikey` header scheme that ingestRoute refers to in the OpenAPI document. */
// deno-lint-ignore no-explicit-any
export function documentApiKeys(app: OpenAPIHono<any, any, any>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'apikey',
    description: 'An organization API key (lyt_...); `Authorization: Bearer lyt_...` works too.',
  })
}
