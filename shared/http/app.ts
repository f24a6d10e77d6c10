/**
 * The app factory every function starts from: base path, request id, secure headers,
 * CORS, the access log, a body limit, the single error shape, validation → 400, and the
 * OpenAPI document.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { corsHeaders } from '@supabase/supabase-js/cors'
import type { Context } from 'hono'
import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import type { AuthUser } from '../auth.ts'
import { ConfigError, type HttpConfig, httpConfig } from '../config.ts'
import { defaultBodyLimit } from './body-limit.ts'
import { accessLog, createLogger, type Logger } from './log.ts'
import { type ErrorBody, toApiError, TooManyRequests } from './errors.ts'
import { validationFailed } from './validation.ts'

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by requireUser: the verified caller. */
    user: AuthUser
  }
}

export type AppInfo = { title: string; description: string; version?: string }

const list = (header: string) => header.split(',').map((h) => h.trim()).filter(Boolean)

/**
 * Every header supabase-js may send, from its own list, plus `x-region` (functions-js sends
 * it when `invoke` is given a region, and the list of 2.119 leaves it out) and our
 * request id.
 */
export const CORS_ALLOW_HEADERS = [
  ...list(corsHeaders['Access-Control-Allow-Headers']),
  'x-region',
  'x-request-id',
]
const CORS_ALLOW_METHODS = list(corsHeaders['Access-Control-Allow-Methods'])

/**
 * A Hono app served at `/<slug>`, with `/<slug>/openapi.json`. Settings come from the
 * environment (shared/config.ts `httpConfig`); `settings` overrides them, for tests.
 *
 * The docs UI is not served here: hosted Supabase answers HTML from a function as
 * text/plain, so the local gateway serves it (local/gateway/docs.ts).
 *
 * @example
 * export const app = createApp('health', { title: 'Health', description: 'Liveness' })
 *   .route('/', liveRoutes)
 * export type AppType = typeof app
 */
export function createApp<Slug extends string>(
  slug: Slug,
  info: AppInfo,
  settings: Partial<HttpConfig> = {},
) {
  const { ALLOW_ORIGINS, LOG_LEVEL, ACCESS_LOG, LOG_SLOW_MS } = { ...httpConfig(), ...settings }
  const logger = createLogger(LOG_LEVEL)
  // The slug as a literal type keeps `/<slug>` in the app's type, so `hc<AppType>` knows it.
  const app = new OpenAPIHono({ defaultHook: validationFailed }).basePath(`/${slug}` as `/${Slug}`)

  app.use(requestId({ headerName: 'x-request-id' }))
  app.use(accessLog({ logger, mode: ACCESS_LOG, slowMs: LOG_SLOW_MS }))
  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }))
  app.use(cors({
    origin: ALLOW_ORIGINS.includes('*') ? '*' : ALLOW_ORIGINS,
    allowHeaders: CORS_ALLOW_HEADERS,
    allowMethods: CORS_ALLOW_METHODS,
    exposeHeaders: ['x-request-id'],
    maxAge: 86400,
  }))
  // After CORS, so a refused body still carries the headers a browser needs to read it.
  app.use(defaultBodyLimit())
  app.onError((err, c) => handleError(err, c, logger))
  app.notFound((c) =>
    c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404)
  )

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Supabase Auth access token (the session of supabase-js).',
  })
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: `Lytics ${info.title}`,
      description: info.description,
      version: info.version ?? '1.0.0',
    },
    servers: [{ url: '/functions/v1', description: 'Supabase Edge Functions' }],
  })
  return app
}

function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } }
}

function handleError(err: Error, c: Context, logger: Logger) {
  const known = toApiError(err)
  if (known instanceof TooManyRequests) c.header('Retry-After', String(known.retryAfter))
  if (known) return c.json(errorBody(known.code, known.message, known.details), known.status)
  const requestId = c.get('requestId')
  if (err instanceof ConfigError) {
    logger.error('misconfigured', err, requestId)
    return c.json(
      errorBody('misconfigured', 'the service is not configured', { request_id: requestId }),
      503,
    )
  }
  logger.error('unhandled error', err, requestId)
  return c.json(errorBody('internal', 'unexpected error', { request_id: requestId }), 500)
}
