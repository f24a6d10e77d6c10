/**
 * The long-lived Instagram token (Instagram API with Instagram Login): it lasts 60 days and
 * can be refreshed, for another 60, once it is at least 24 hours old and while it has not
 * expired. A sync refreshes it well before that: when it is a week old, or within ten days
 * of expiring, so a source that syncs daily never comes near the end. An expired token, or
 * one the refresh endpoint refuses (code 190), needs the user to log in again.
 */
import type { InstagramCredentials } from '../credentials.ts'
import { ProviderError } from '../errors.ts'
import { graphFailure } from './errors.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Refresh after a week, or when fewer than ten days are left. */
export const REFRESH_AFTER_MS = 7 * DAY
export const REFRESH_WITHIN_MS = 10 * DAY
const MIN_AGE_MS = DAY
const LIFETIME_MS = 60 * DAY

/** What the token needs before it is used: nothing, a refresh, or a new login. */
export function instagramTokenState(
  credentials: InstagramCredentials,
  now = Date.now(),
): 'fresh' | 'refresh' | 'expired' {
  if (credentials.expires_at <= now) return 'expired'
  const age = now - credentials.issued_at
  if (age < MIN_AGE_MS) return 'fresh'
  if (age >= REFRESH_AFTER_MS || credentials.expires_at - now <= REFRESH_WITHIN_MS) {
    return 'refresh'
  }
  return 'fresh'
}

export type RefreshOptions = {
  /** INSTAGRAM_GRAPH_URL, e.g. https://graph.instagram.com. */
  graphUrl: string
  now?: () => number
}

/**
 * Exchanges the token for a new long-lived one (`ig_refresh_token`). The token travels in
 * the Authorization header, so it is in no URL a proxy or log could keep.
 */
export async function refreshInstagramToken(
  credentials: InstagramCredentials,
  options: RefreshOptions,
): Promise<InstagramCredentials> {
  const now = options.now ?? Date.now
  // Concatenated, not resolved: a base URL with a path (a proxy) keeps it.
  const url = new URL(`${options.graphUrl.replace(/\/+$/, '')}/refresh_access_token`)
  url.searchParams.set('grant_type', 'ig_refresh_token')
  let res: Response
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${credentials.access_token}` },
      signal: AbortSignal.timeout(30_000),
    })
  } catch (err) {
    throw new ProviderError('retry', `Instagram unreachable: ${(err as Error).message}`)
  }
  if (!res.ok) {
    const failure = await graphFailure(res)
    // A token the refresh endpoint refuses can only be replaced by a new login.
    if (failure.failure === 'fatal') {
      throw new ProviderError('reauth', failure.message, { status: failure.status })
    }
    throw failure
  }
  const body = await res.json() as { access_token?: string; expires_in?: number }
  if (!body.access_token) throw new ProviderError('retry', 'Instagram refresh gave no token')
  const issuedAt = now()
  return {
    ...credentials,
    access_token: body.access_token,
    issued_at: issuedAt,
    expires_at: issuedAt + (body.expires_in ?? LIFETIME_MS / 1000) * 1000,
  }
}
