/**
 * The app factory every function starts from: base path, request id, secure headers,
 * CORS, the access log, the single error shape, validation → 400, and OpenAPI docs.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { swaggerUI } from '@hono/swagger-ui'
import type { Context } from 'hono'
import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import type { AuthUser } from '../auth.ts'
import { ConfigError } from '../config.ts'
import { accessLog, logError } from './log.ts'
import { type ErrorBody, toApiError } from './errors.ts'
import { validationFailed } from './validation.ts'

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by requireUser: the verified caller. */
    user: AuthUser
  }
}

export type AppInfo = { title: string; description: string; version?: string }

/**
 * A Hono app served at `/<slug>`, with `/<slug>/openapi.json` and `/<slug>/docs`.
 *
 * @example
 * export const app = createApp('health', { title: 'Health', description: 'Liveness' })
 * app.openapi(liveRoute, (c) => c.json({ status: 'ok' }, 200))
 */
export function createApp(slug: string, info: AppInfo) {
  const app = new OpenAPIHono({ defaultHook: validationFailed }).basePath(`/${slug}`)
  const origins = (Deno.env.get('ALLOW_ORIGINS') ?? '*').split(',').map((o) => o.trim())

  app.use(requestId({ headerName: 'x-request-id' }))
  app.use(accessLog())
  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }))
  app.use(cors({
    origin: origins.includes('*') ? '*' : origins,
    allowHeaders: ['authorization', 'apikey', 'content-type', 'x-client-info', 'x-request-id'],
    exposeHeaders: ['x-request-id'],
    maxAge: 86400,
  }))
  app.onError(handleError)
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
  // Relative, so it works behind any host the function is served from.
  app.get('/docs', swaggerUI({ url: './openapi.json', title: `Lytics ${info.title}` }))
  return app
}

function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } }
}

function handleError(err: Error, c: Context) {
  const known = toApiError(err)
  if (known) return c.json(errorBody(known.code, known.message, known.details), known.status)
  const requestId = c.get('requestId')
  if (err instanceof ConfigError) {
    logError('misconfigured', err, requestId)
    return c.json(
      errorBody('misconfigured', 'the service is not configured', { request_id: requestId }),
      503,
    )
  }
  logError('unhandled error', err, requestId)
  return c.json(errorBody('internal', 'unexpected error', { request_id: requestId }), 500)
}
