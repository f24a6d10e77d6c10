/**
 * A local stand-in for Supabase Auth (GoTrue), for `scripts/start` and the tests only; never
 * deployed. It speaks GoTrue's REST API closely enough for the real supabase-js client to sign
 * up, sign in, refresh, update and sign out, and for its admin API to manage users, storing
 * everything in the same auth.* tables real Supabase uses.
 *
 * @example
 * const auth = createAuthServer({ sql, issuer, signingKey, publicJwk, publishableKeys, secretKeys })
 * Deno.serve((req) => auth.fetch(req)) // requests for /auth/v1/...
 */
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { registerAdminRoutes } from './admin.ts'
import type { AuthContext, AuthServerOptions, PublicJwk } from './context.ts'
import { AuthApiError } from './errors.ts'
import { registerUserRoutes } from './routes.ts'

export type { AuthServerOptions, PublicJwk } from './context.ts'
export { AuthApiError } from './errors.ts'

/** The running server: hand it every request whose path starts with /auth/v1. */
export type AuthServer = { fetch(req: Request): Promise<Response> }

// Endpoints the Supabase gateway serves without an API key.
const OPEN_PATHS = new Set(['/auth/v1/health', '/auth/v1/.well-known/jwks.json'])

// Private members of EC/RSA/oct JWKs: never served, whatever the caller passed in.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops']

function publicOnly(jwk: PublicJwk): PublicJwk {
  const copy: PublicJwk & Record<string, unknown> = { ...jwk }
  for (const member of PRIVATE_JWK_MEMBERS) delete copy[member]
  return copy
}

/** Creates the auth server; see AuthServerOptions for what it needs. */
export function createAuthServer(opts: AuthServerOptions): AuthServer {
  const publicJwk = publicOnly(opts.publicJwk)
  const ctx: AuthContext = {
    sql: opts.sql,
    issuer: opts.issuer.replace(/\/+$/, ''),
    signingKey: opts.signingKey,
    publicJwk,
    verifyKey: crypto.subtle.importKey(
      'jwk',
      publicJwk,
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify'],
    ),
    publishableKeys: new Set(opts.publishableKeys),
    secretKeys: new Set(opts.secretKeys),
    ttlSeconds: opts.accessTokenTtlSeconds ?? 3600,
  }

  const app = new Hono().basePath('/auth/v1')

  // Browser clients preflight every call (custom apikey / authorization headers); the
  // preflight itself carries no key, so CORS comes before the key check.
  app.use(
    '*',
    cors({
      origin: (origin) => origin || '*',
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['x-total-count', 'link', 'x-supabase-api-version'],
      credentials: true,
      maxAge: 3600,
    }),
  )

  // Like the gateway: every endpoint but health and JWKS needs a project API key.
  app.use('*', async (c, next) => {
    if (OPEN_PATHS.has(c.req.path)) return await next()
    const key = c.req.header('apikey') ?? c.req.query('apikey')
    if (!key) {
      return c.json({
        message: 'No API key found in request',
        hint: 'No `apikey` request header or url param was found.',
      }, 401)
    }
    if (!ctx.publishableKeys.has(key) && !ctx.secretKeys.has(key)) {
      return c.json({
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      }, 401)
    }
    await next()
  })

  app.get('/health', (c) =>
    c.json({
      version: 'lytics-local',
      name: 'GoTrue',
      description: 'Local stand-in for GoTrue, the user registration and authentication API',
    }))

  app.get('/.well-known/jwks.json', (c) => {
    c.header('cache-control', 'public, max-age=600')
    return c.json({ keys: [ctx.publicJwk] })
  })

  app.get('/settings', (c) =>
    c.json({
      external: { email: true, phone: false, anonymous_users: false },
      disable_signup: false,
      mailer_autoconfirm: true,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
    }))

  registerUserRoutes(app, ctx)
  registerAdminRoutes(app, ctx)

  app.notFound((c) => c.json({ code: 404, error_code: 'not_found', msg: 'Not Found' }, 404))

  app.onError((err, c) => {
    if (err instanceof AuthApiError) {
      return c.json(err.body(), err.status as ContentfulStatusCode)
    }
    console.error('[local auth] unexpected error:', err)
    return c.json({
      code: 500,
      error_code: 'unexpected_failure',
      msg: 'Unexpected failure, please check server logs for more information',
    }, 500)
  })

  return { fetch: async (req) => await app.fetch(req) }
}
