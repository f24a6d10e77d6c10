/**
 * auth.sessions and auth.refresh_tokens: sign-in sessions, refresh token rotation with reuse
 * detection, and logout.
 */
import { base64url } from 'jose'
import type postgres from 'postgres'
import { AuthApiError, badRequest } from './errors.ts'

type Sql = postgres.Sql | postgres.TransactionSql

/** A session as the token endpoint needs it. */
export type SessionGrant = {
  userId: string
  sessionId: string
  refreshToken: string
  /** Unix time of the sign-in that started the session (the `amr` timestamp). */
  authTime: number
}

const INSTANCE_ID = '00000000-0000-0000-0000-000000000000'

/** A new opaque refresh token: 24 random bytes, base64url (32 characters). */
export function newRefreshToken(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(24)))
}

/**
 * Starts a session for a user who just proved a password: session row, first refresh token
 * and last-sign-in stamps, in one statement.
 */
export async function createSession(
  sql: Sql,
  userId: string,
  userAgent: string | null,
): Promise<SessionGrant> {
  const refreshToken = newRefreshToken()
  const [row] = await sql`
    with s as (
      insert into auth.sessions (id, user_id, aal, created_at, updated_at, user_agent)
      values (gen_random_uuid(), ${userId}, 'aal1', now(), now(), ${userAgent})
      returning id, created_at
    ),
    rt as (
      insert into auth.refresh_tokens (instance_id, token, user_id, revoked, parent, session_id)
      select ${INSTANCE_ID}, ${refreshToken}, ${userId}, false, null, s.id from s
    ),
    u as (update auth.users set last_sign_in_at = now() where id = ${userId}),
    i as (
      update auth.identities set last_sign_in_at = now()
      where user_id = ${userId} and provider = 'email'
    )
    select s.id, extract(epoch from s.created_at)::bigint as auth_time from s`
  return { userId, sessionId: row.id, refreshToken, authTime: Number(row.auth_time) }
}

type Rotation = { ok: SessionGrant } | { error: AuthApiError }

/**
 * Exchanges a refresh token for a new one (grant_type=refresh_token).
 *
 * The presented token row is locked (`for update`), so of two concurrent requests with the same
 * token one rotates it and the other then sees it revoked. A revoked token is never honoured:
 * its whole session is revoked (every token of it, and the session expired so its access tokens
 * stop working too), and that is committed before the error is returned.
 */
export async function rotateRefreshToken(sql: postgres.Sql, token: string): Promise<SessionGrant> {
  const result = await sql.begin(async (tx): Promise<Rotation> => {
    const [row] = await tx`
      select rt.id, rt.revoked, rt.session_id, s.user_id,
        extract(epoch from s.created_at)::bigint as auth_time,
        coalesce(s.not_after <= now(), false) as expired,
        coalesce(u.banned_until > now(), false) as banned
      from auth.refresh_tokens rt
      left join auth.sessions s on s.id = rt.session_id
      left join auth.users u on u.id = s.user_id
      where rt.token = ${token}
      for update of rt`
    if (!row) {
      return {
        error: badRequest(
          'refresh_token_not_found',
          'Invalid Refresh Token: Refresh Token Not Found',
        ),
      }
    }
    if (!row.session_id || !row.user_id) {
      return {
        error: badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found'),
      }
    }
    if (row.revoked) {
      await tx`
        with rt as (
          update auth.refresh_tokens set revoked = true, updated_at = now()
          where session_id = ${row.session_id} and not revoked
        )
        update auth.sessions set not_after = now(), updated_at = now()
        where id = ${row.session_id} and (not_after is null or not_after > now())`
      return {
        error: badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used'),
      }
    }
    if (row.banned) {
      return { error: badRequest('user_banned', 'Invalid Refresh Token: User Banned') }
    }
    if (row.expired) {
      return { error: badRequest('session_expired', 'Invalid Refresh Token: Session Expired') }
    }
    const refreshToken = newRefreshToken()
    await tx`
      with old as (
        update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${row.id}
      ),
      s as (
        update auth.sessions set refreshed_at = timezone('utc', now()), updated_at = now()
        where id = ${row.session_id}
      )
      insert into auth.refresh_tokens (instance_id, token, user_id, revoked, parent, session_id)
      values (${INSTANCE_ID}, ${refreshToken}, ${row.user_id}, false, ${token},
        ${row.session_id})`
    return {
      ok: {
        userId: row.user_id,
        sessionId: row.session_id,
        refreshToken,
        authTime: Number(row.auth_time),
      },
    }
  })
  if ('error' in result) throw result.error
  return result.ok
}

/** True when the session exists for that user and has not been revoked or expired. */
export async function sessionIsActive(sql: Sql, sessionId: string, userId: string) {
  const [row] = await sql`
    select 1 from auth.sessions
    where id = ${sessionId} and user_id = ${userId} and (not_after is null or not_after > now())`
  return row !== undefined
}

/** Which sessions `logout` ends, as in GoTrue's `?scope=`. */
export type LogoutScope = 'global' | 'local' | 'others'

/**
 * Ends sessions of a user: `local` the given one, `others` all but it, `global` all.
 * Their refresh tokens go with them (on delete cascade); for `global`, tokens that never had
 * a session (hand-made rows) are revoked too.
 */
export async function endSessions(
  sql: Sql,
  userId: string,
  sessionId: string | null,
  scope: LogoutScope,
): Promise<void> {
  if (scope === 'local') {
    if (sessionId) await sql`delete from auth.sessions where id = ${sessionId}`
  } else if (scope === 'others') {
    await sql`
      delete from auth.sessions
      where user_id = ${userId} and (${sessionId}::uuid is null or id <> ${sessionId})`
  } else {
    await sql`
      with rt as (
        update auth.refresh_tokens set revoked = true, updated_at = now()
        where user_id = ${userId} and not revoked
      )
      delete from auth.sessions where user_id = ${userId}`
  }
}
