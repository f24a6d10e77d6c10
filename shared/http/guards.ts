/**
 * Who may call a route: `requireUser`, a verified Supabase Auth session.
 */
import { createMiddleware } from 'hono/factory'
import {
  type AuthUser,
  bearerToken,
  KeysUnavailableError,
  TokenError,
  verifyAccessToken,
} from '../auth.ts'
import { ApiError, unauthorized } from './errors.ts'

/**
 * The signed-in user behind a bearer access token: 401 for a bad token or one that is not
 * a user's session, 503 when the signing keys cannot be fetched.
 */
export async function authenticateUser(token: string): Promise<AuthUser> {
  try {
    const claims = await verifyAccessToken(token)
    if (claims.role !== 'authenticated') throw new TokenError('a signed-in user is required')
    return { id: claims.sub, email: claims.email ?? null, claims }
  } catch (err) {
    if (err instanceof TokenError) throw new ApiError(401, 'unauthorized', err.message)
    if (err instanceof KeysUnavailableError) {
      throw new ApiError(503, 'unavailable', 'token keys are unavailable, try again shortly')
    }
    throw err
  }
}

/** Rejects the request with 401 unless it carries a valid user access token. */
export function requireUser() {
  return createMiddleware(async function requireUser(c, next) {
    const token = bearerToken(c.req.header('authorization'))
    if (!token) throw unauthorized('missing Authorization: Bearer <access token>')
    c.set('user', await authenticateUser(token))
    await next()
  })
}
