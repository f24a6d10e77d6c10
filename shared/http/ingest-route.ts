/**
 * Routes for senders of data, in the OpenAPI document and at run time: a user token or an
 * ingest API key (shared/http/ingest-guard.ts), and a body limit of the route's own.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { formatBytes, limitBody } from './body-limit.ts'
import { requireIngestor } from './ingest-guard.ts'
import { errorResponses, ErrorSchema, json } from './openapi.ts'
import { validationFailed } from './validation.ts'

type RouteConfig = Parameters<typeof createRoute>[0]

// Either scheme satisfies the route: OpenAPI lists alternatives as separate requirements.
const INGEST_SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyHeader: [] }]

/**
 * A sub-app for ingest routes. The `apikey` scheme they refer to is registered on it, and
 * `.route()` carries it into the function's document with the routes.
 *
 * @example
 * export const writeRoutes = ingestApp().openapi(writeRoute, handler)
 */
export function ingestApp() {
  const app = new OpenAPIHono({ defaultHook: validationFailed })
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'apikey',
    description: 'An organization API key (lyt_...); `Authorization: Bearer lyt_...` works too.',
  })
  return app
}

/**
 * A route for senders of data: documented with either security scheme and guarded by
 * requireIngestor. Its body may be up to `maxBodyBytes`, refused with 413 before it is read
 * (and before the credential is checked); register it on an `ingestApp()`. `P` keeps the
 * path a literal type, as in userRoute.
 */
export function ingestRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(
  route: R,
  options: { maxBodyBytes: number },
) {
  return createRoute({
    ...route,
    security: INGEST_SECURITY,
    middleware: [limitBody(options.maxBodyBytes), requireIngestor()] as const,
    responses: {
      ...errorResponses,
      413: json(ErrorSchema, `The body is larger than ${formatBytes(options.maxBodyBytes)}`),
      ...route.responses,
    },
  })
}
