/**
 * The one error shape of every Lytics endpoint: `{ error: { code, message, details? } }`.
 */
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { isConnectionLost } from '../db.ts'

export type ErrorBody = { error: { code: string; message: string; details?: unknown } }

/** An error meant for the client: its status, code and message are safe to show. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, 'invalid_request', message, details)
export const unauthorized = (message = 'a valid access token is required') =>
  new ApiError(401, 'unauthorized', message)
export const forbidden = (message = 'your role does not allow this') =>
  new ApiError(403, 'forbidden', message)
export const notFound = (what = 'resource') => new ApiError(404, 'not_found', `${what} not found`)
export const conflict = (message: string) => new ApiError(409, 'conflict', message)

/** 429: asked too often. The app's error handler sends `retryAfter` (seconds) as Retry-After. */
export class TooManyRequests extends ApiError {
  constructor(code: string, message: string, readonly retryAfter: number) {
    super(429, code, message)
  }
}

/** True when `err` means the database cannot be reached, which the API answers with 503. */
export function isDbUnavailable(err: unknown): boolean {
  return isConnectionLost(err) ||
    (err instanceof Error && /connect|ECONNREFUSED/i.test(err.name) &&
      !(err as { severity?: string }).severity)
}

/**
 * Translates what can escape a handler into an ApiError, or undefined for a real bug.
 * Database errors raised on purpose by our SQL use SQLSTATE `LYnnn`, nnn being the status.
 */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err
  if (err instanceof HTTPException) {
    const code = err.status === 400 ? 'invalid_request' : 'http_error'
    return new ApiError(err.status as ContentfulStatusCode, code, err.message || 'request failed')
  }
  if (isDbUnavailable(err)) {
    return new ApiError(503, 'unavailable', 'the database is unavailable, try again shortly')
  }
  const pg = err as { code?: string; message?: string; constraint_name?: string }
  if (typeof pg?.code !== 'string') return undefined
  const own = /^LY(\d{3})$/.exec(pg.code)
  if (own) {
    const status = Number(own[1]) as ContentfulStatusCode
    const code = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict' }[
      status as 401
    ] ?? 'invalid_request'
    return new ApiError(status, code, pg.message ?? 'request refused')
  }
  // Class 22, data exception: a value the database cannot take (out of range, bad
  // encoding, malformed). Only input brings those; schemas refuse what they can foresee,
  // and this keeps the rest a 400 rather than a 500.
  if (pg.code.startsWith('22')) {
    return badRequest(`a value was refused by the database: ${pg.message ?? pg.code}`)
  }
  switch (pg.code) {
    case '23505':
      return conflict(`already exists (${pg.constraint_name ?? 'unique constraint'})`)
    case '23503':
      return badRequest(`refers to something that does not exist (${pg.constraint_name ?? ''})`)
    case '23514':
    case '23502':
      return badRequest(pg.message ?? 'invalid value')
    case '42501':
      return forbidden()
    case '57014': // canceled by statement_timeout (see shared/db.ts)
      return new ApiError(503, 'timeout', 'the query took too long; try a shorter range')
  }
  return undefined
}
