/**
 * Input checks with GoTrue's rules and messages, so clients can rely on the same errors locally.
 */
import { badRequest, notFound, unprocessable, weakPassword } from './errors.ts'

/** GoTrue's default minimum password length (`GOTRUE_PASSWORD_MIN_LENGTH`). */
export const PASSWORD_MIN_LENGTH = 6

// bcrypt ignores everything after 72 bytes, so GoTrue refuses longer passwords outright.
const PASSWORD_MAX_BYTES = 72

// The HTML5 / checkmail format check GoTrue applies (no DNS lookups locally).
const EMAIL_RE =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A parsed JSON request body. */
export type Body = Record<string, unknown>

/** Parses a request body as a JSON object; an empty body is `{}`. */
export async function readBody(req: Request): Promise<Body> {
  const text = await req.text()
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw badRequest('bad_json', `Could not parse request body as JSON: ${(err as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('bad_json', 'Could not parse request body as JSON: expected an object')
  }
  return value as Body
}

/** The string field `key` of `body`, or undefined when absent, null or empty. */
export function optionalString(body: Body, key: string): string | undefined {
  const value = body[key]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw badRequest('validation_failed', `${key} must be a string`)
  return value
}

/** The object field `key` of `body` (metadata), or undefined when absent or null. */
export function optionalObject(body: Body, key: string): Record<string, unknown> | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('validation_failed', `${key} must be a JSON object`)
  }
  return value as Record<string, unknown>
}

/** Validates and lower-cases an email address like GoTrue's `validateEmail`. */
export function normalizeEmail(email: string | undefined): string {
  if (!email) throw badRequest('validation_failed', 'An email address is required')
  if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long')
  if (!EMAIL_RE.test(email)) {
    throw badRequest('validation_failed', 'Unable to validate email address: invalid format')
  }
  return email.toLowerCase()
}

/** Throws GoTrue's weak_password / validation errors for an unacceptable new password. */
export function checkPassword(password: string): void {
  if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES) {
    throw unprocessable(
      'validation_failed',
      `Password cannot be longer than ${PASSWORD_MAX_BYTES} characters`,
    )
  }
  // GoTrue counts characters (runes), not bytes, for the minimum.
  if ([...password].length < PASSWORD_MIN_LENGTH) throw weakPassword(PASSWORD_MIN_LENGTH)
}

/** Throws unless `id` is a UUID; GoTrue answers 404 for malformed `/admin/users/{id}`. */
export function requireUuid(id: string): string {
  if (!UUID_RE.test(id)) throw notFound('validation_failed', 'user_id must be an UUID')
  return id.toLowerCase()
}

/** True when `id` looks like a UUID. */
export const isUuid = (id: string): boolean => UUID_RE.test(id)

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

/**
 * Parses a Go duration (`ban_duration` of the admin API, e.g. "24h", "1h30m") into
 * milliseconds; "none" lifts a ban and returns null.
 */
export function parseBanDuration(value: string): number | null {
  if (value === 'none') return null
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy
  let total = 0
  let consumed = 0
  for (const match of value.matchAll(re)) {
    total += Number(match[1]) * DURATION_UNITS[match[2]]
    consumed += match[0].length
  }
  if (consumed === 0 || consumed !== value.length) {
    throw badRequest('validation_failed', `invalid format for ban duration: ${value}`)
  }
  return total
}
