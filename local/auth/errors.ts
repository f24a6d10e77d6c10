/**
 * Errors of the local auth server, serialized the way GoTrue does.
 *
 * GoTrue answers `{ code: <http status>, error_code, msg }` (its "initial" API version).
 * supabase-js reads `error_code` from that shape, so clients see the same `AuthApiError.code`
 * as against the real service.
 */

/** An error that becomes a GoTrue-shaped JSON response. */
export class AuthApiError extends Error {
  override name = 'AuthApiError'

  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** Extra top-level fields of the body, e.g. `weak_password`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }

  /** The JSON body GoTrue would send. */
  body(): Record<string, unknown> {
    return { code: this.status, error_code: this.errorCode, msg: this.message, ...this.extra }
  }
}

/** 400 with the given GoTrue error code. */
export const badRequest = (code: string, msg: string) => new AuthApiError(400, code, msg)

/** 401 for requests without credentials. */
export const unauthorized = (code: string, msg: string) => new AuthApiError(401, code, msg)

/** 403, GoTrue's answer to a bad or stale JWT and to non-admins on admin routes. */
export const forbidden = (code: string, msg: string) => new AuthApiError(403, code, msg)

/** 404 with the given GoTrue error code. */
export const notFound = (code: string, msg: string) => new AuthApiError(404, code, msg)

/** 422 with the given GoTrue error code. */
export const unprocessable = (code: string, msg: string) => new AuthApiError(422, code, msg)

/** The error GoTrue returns for passwords below the minimum length. */
export function weakPassword(minLength: number): AuthApiError {
  return new AuthApiError(
    422,
    'weak_password',
    `Password should be at least ${minLength} characters.`,
    { weak_password: { reasons: ['length'] } },
  )
}

/** True when `err` is a Postgres unique violation on the given constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint_name?: string } | null
  return e?.code === '23505' && (!constraint || e.constraint_name === constraint)
}
