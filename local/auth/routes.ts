/**
 * The end-user endpoints: /signup, /token, /logout and /user.
 */
import type { Hono } from 'hono'
import type { AuthContext } from './context.ts'
import { badRequest, forbidden, unauthorized, unprocessable } from './errors.ts'
import {
  createSession,
  endSessions,
  type LogoutScope,
  rotateRefreshToken,
  sessionIsActive,
} from './sessions.ts'
import { bearerToken, sessionResponse, verifyBearer } from './tokens.ts'
import * as users from './users.ts'
import type { UserJson } from './users.ts'
import {
  checkPassword,
  isUuid,
  normalizeEmail,
  optionalObject,
  optionalString,
  readBody,
} from './validate.ts'

/** The caller of a bearer-authenticated endpoint. */
type Caller = { user: UserJson; sessionId: string | null }

const INVALID_CREDENTIALS = 'Invalid login credentials'

/**
 * Resolves the bearer access token to its user and live session, with GoTrue's errors:
 * 401 without a token, 403 for a bad token, a deleted user or an ended session.
 */
export async function requireCaller(ctx: AuthContext, req: Request): Promise<Caller> {
  const token = bearerToken(req)
  if (!token) throw unauthorized('no_authorization', 'This endpoint requires a valid Bearer token')
  const claims = await verifyBearer(ctx, token)
  if (!claims.sub || !isUuid(claims.sub)) {
    throw forbidden('bad_jwt', 'invalid claim: missing sub claim')
  }
  const user = await users.loadUser(ctx.sql, claims.sub)
  if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist')
  const sessionId = typeof claims.session_id === 'string' ? claims.session_id : null
  // Logout deletes the session, which is what makes its unexpired access tokens stop working.
  if (sessionId && !(isUuid(sessionId) && await sessionIsActive(ctx.sql, sessionId, user.id))) {
    throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist')
  }
  return { user, sessionId }
}

/** Registers the end-user routes on `app` (whose base path is /auth/v1). */
export function registerUserRoutes(app: Hono, ctx: AuthContext): void {
  const { sql } = ctx

  app.post('/signup', async (c) => {
    const body = await readBody(c.req.raw)
    const email = optionalString(body, 'email')
    if (!email && optionalString(body, 'phone')) {
      throw badRequest('phone_provider_disabled', 'Phone signups are disabled')
    }
    const password = optionalString(body, 'password')
    if (!password) throw unprocessable('validation_failed', 'Signup requires a valid password')
    checkPassword(password)
    const normalized = normalizeEmail(email)
    const data = optionalObject(body, 'data')
    const userAgent = c.req.header('user-agent') ?? null
    // Confirmations are off locally (like `supabase start`), so sign-up signs in at once.
    const grant = await sql.begin(async (tx) => {
      try {
        const id = await users.insertUser(tx, {
          email: normalized,
          password,
          confirmed: true,
          userMetadata: data,
        })
        return await createSession(tx, id, userAgent)
      } catch (err) {
        if ((err as { errorCode?: string }).errorCode === 'email_exists') {
          throw unprocessable('user_already_exists', 'User already registered')
        }
        throw err
      }
    })
    const user = await users.loadUser(sql, grant.userId)
    return c.json(await sessionResponse(ctx, user!, grant))
  })

  app.post('/token', async (c) => {
    const grantType = c.req.query('grant_type')
    const body = await readBody(c.req.raw)
    if (grantType === 'password') {
      const email = optionalString(body, 'email')
      const password = optionalString(body, 'password') ?? ''
      if (!email) {
        if (optionalString(body, 'phone')) {
          throw badRequest('phone_provider_disabled', 'Phone logins are disabled')
        }
        throw badRequest('validation_failed', 'missing email or phone')
      }
      const check = await users.checkPassword(sql, email.toLowerCase(), password)
      if (!check || !check.passwordOk) throw badRequest('invalid_credentials', INVALID_CREDENTIALS)
      if (check.banned) throw badRequest('user_banned', 'User is banned')
      if (!check.confirmed) throw badRequest('email_not_confirmed', 'Email not confirmed')
      const grant = await createSession(sql, check.id, c.req.header('user-agent') ?? null)
      const user = await users.loadUser(sql, check.id)
      return c.json(await sessionResponse(ctx, user!, grant))
    }
    if (grantType === 'refresh_token') {
      const token = optionalString(body, 'refresh_token')
      if (!token) throw badRequest('validation_failed', 'refresh_token required')
      const grant = await rotateRefreshToken(sql, token)
      const user = await users.loadUser(sql, grant.userId)
      if (!user) {
        throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: User Not Found')
      }
      return c.json(await sessionResponse(ctx, user, grant))
    }
    throw badRequest('validation_failed', 'unsupported_grant_type')
  })

  app.post('/logout', async (c) => {
    const scope = (c.req.query('scope') ?? 'global') as LogoutScope
    if (!['global', 'local', 'others'].includes(scope)) {
      throw badRequest('validation_failed', 'Unsupported logout scope')
    }
    const { user, sessionId } = await requireCaller(ctx, c.req.raw)
    await endSessions(sql, user.id, sessionId, scope)
    return c.body(null, 204)
  })

  app.get('/user', async (c) => {
    const { user } = await requireCaller(ctx, c.req.raw)
    return c.json(user)
  })

  app.put('/user', async (c) => {
    const { user, sessionId } = await requireCaller(ctx, c.req.raw)
    const body = await readBody(c.req.raw)
    const password = optionalString(body, 'password')
    const rawEmail = optionalString(body, 'email')
    const email = rawEmail === undefined ? undefined : normalizeEmail(rawEmail)
    const data = optionalObject(body, 'data')
    if (password !== undefined) {
      checkPassword(password)
      if (await users.isSamePassword(sql, user.id, password)) {
        throw unprocessable(
          'same_password',
          'New password should be different from the old password.',
        )
      }
    }
    await sql.begin(async (tx) => {
      await users.updateUser(tx, user.id, {
        email: email === user.email ? undefined : email,
        password,
        userMetadata: data,
      })
      // Like GoTrue: a new password signs out every other session of the user.
      if (password !== undefined) await endSessions(tx, user.id, sessionId, 'others')
    })
    return c.json(await users.loadUser(sql, user.id))
  })
}
