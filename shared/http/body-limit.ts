/**
 * Request body caps that answer in the project's error shape (413) before the body is
 * read into memory: a body announced larger than the cap is refused from its
 * Content-Length, and a chunked one as soon as the bytes received pass the cap.
 *
 * Every app gets `defaultBodyLimit()` (see createApp); a route that needs more declares
 * `limitBody(bytes)` on itself, and the default then steps aside for that route.
 */
import { bodyLimit } from 'hono/body-limit'
import { createMiddleware } from 'hono/factory'
import { matchedRoutes } from 'hono/route'
import type { MiddlewareHandler } from 'hono'
import { ApiError } from './errors.ts'

/** What any JSON route may receive unless it declares more: far above any form or filter. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024

// The limit each route-level limiter enforces, so the default can tell it is there.
const declaredLimits = new WeakMap<MiddlewareHandler, number>()
// Hono wraps a sub-app's handlers when the sub-app has its own error handler.
const COMPOSED_HANDLER = '__COMPOSED_HANDLER'

/** `64 KiB`, `6 MiB`. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MiB`
    : bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
    : `${Math.round(bytes / 1024)} KiB`
}

/**
 * Refuses bodies over `maxBytes` with 413 `payload_too_large`.
 *
 * @example
 * ingest.use('/', limitBody(6 * 1024 * 1024)) // a batch route that needs more than the default
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const limiter = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(
        413,
        'payload_too_large',
        `the body is larger than ${formatBytes(maxBytes)}`,
        { max_bytes: maxBytes },
      )
    },
  })
  declaredLimits.set(limiter, maxBytes)
  return limiter
}

function declaresOwnLimit(handler: unknown): boolean {
  const inner = (handler as Record<string, unknown>)?.[COMPOSED_HANDLER] ?? handler
  return declaredLimits.has(handler as MiddlewareHandler) ||
    declaredLimits.has(inner as MiddlewareHandler)
}

/** `limitBody(maxBytes)` on every route that does not declare a limit of its own. */
export function defaultBodyLimit(maxBytes = DEFAULT_MAX_BODY_BYTES): MiddlewareHandler {
  const limiter = limitBody(maxBytes)
  return createMiddleware(async function defaultBodyLimit(c, next) {
    if (!c.req.raw.body) return await next()
    if (matchedRoutes(c).some((route) => declaresOwnLimit(route.handler))) return await next()
    return await limiter(c, next)
  })
}
