/**
 * Access tokens: ES256 JWTs with exactly the claims Supabase Auth issues, and their verification
 * for endpoints that take a bearer token.
 */
import { type JWTPayload, jwtVerify, SignJWT } from 'jose'
import type { AuthContext } from './context.ts'
import { forbidden } from './errors.ts'
import type { SessionGrant } from './sessions.ts'
import type { UserJson } from './users.ts'

/** The claims of an access token issued here. */
export type AccessClaims = JWTPayload & {
  sub: string
  role: string
  session_id?: string
  email?: string
}

/** GoTrue's token response (`AccessTokenResponse`). */
export type SessionJson = {
  access_token: string
  token_type: 'bearer'
  expires_in: number
  expires_at: number
  refresh_token: string
  user: UserJson
}

/** Signs an access token for `user` in session `grant`. */
export async function signAccessToken(
  ctx: AuthContext,
  user: UserJson,
  grant: SessionGrant,
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(Date.now() / 1000)
  const exp = iat + ctx.ttlSeconds
  // Same claim set and order as GoTrue's AccessTokenClaims.
  const claims = {
    iss: ctx.issuer,
    sub: user.id,
    aud: user.aud,
    exp,
    iat,
    email: user.email,
    phone: user.phone,
    app_metadata: user.app_metadata,
    user_metadata: user.user_metadata,
    role: user.role,
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: grant.authTime }],
    session_id: grant.sessionId,
    is_anonymous: user.is_anonymous,
  }
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: ctx.publicJwk.kid, typ: 'JWT' })
    .sign(ctx.signingKey)
  return { token, expiresAt: exp }
}

/** The body of a successful sign-up, sign-in or refresh. */
export async function sessionResponse(
  ctx: AuthContext,
  user: UserJson,
  grant: SessionGrant,
): Promise<SessionJson> {
  const { token, expiresAt } = await signAccessToken(ctx, user, grant)
  return {
    access_token: token,
    token_type: 'bearer',
    expires_in: ctx.ttlSeconds,
    expires_at: expiresAt,
    refresh_token: grant.refreshToken,
    user,
  }
}

/**
 * Verifies a bearer JWT signed by this server (signature and expiry, like GoTrue) and
 * returns its claims; anything else is GoTrue's 403 `bad_jwt`.
 */
export async function verifyBearer(ctx: AuthContext, token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, await ctx.verifyKey, { algorithms: ['ES256'] })
    return payload as AccessClaims
  } catch (err) {
    throw forbidden(
      'bad_jwt',
      `invalid JWT: unable to parse or verify signature, ${(err as Error).message}`,
    )
  }
}

/** The token of an `Authorization: Bearer ...` header, or null. */
export function bearerToken(req: Request): string | null {
  const header = req.headers.get('authorization')
  const match = header?.match(/^bearer\s+(\S+)\s*$/i)
  return match ? match[1] : null
}
