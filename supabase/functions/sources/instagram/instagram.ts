/**
 * Instagram's side of connecting an account (Instagram API with Instagram Login): the
 * authorization window, the code exchange for a short-lived token, its exchange for a
 * long-lived one (60 days; sync refreshes it), and the account's id and username.
 */
import { z } from 'zod'
import { instagramConfig } from '../../../../shared/providers/config.ts'
import type { InstagramCredentials } from '../../../../shared/providers/credentials.ts'
import { providerJson } from '../oauth/provider-error.ts'

/** Reading the account's profile and its insights. */
export const INSTAGRAM_SCOPES = ['instagram_business_basic', 'instagram_business_manage_insights']

export function authorizeUrl(options: { state: string; redirectUri: string }): string {
  const cfg = instagramConfig()
  const url = new URL(cfg.INSTAGRAM_AUTH_URL)
  url.search = new URLSearchParams({
    client_id: cfg.INSTAGRAM_APP_ID,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: INSTAGRAM_SCOPES.join(','),
    state: options.state,
  }).toString()
  return url.href
}

const ShortLived = z.object({
  access_token: z.string(),
  user_id: z.union([z.string(), z.number()]),
})
// Documented as `{ data: [ … ] }`; often answered flat. Both are taken.
const CodeExchange = z.union([z.object({ data: z.array(ShortLived).min(1) }), ShortLived])
const LongLived = z.object({ access_token: z.string(), expires_in: z.number() })
const Me = z.object({
  id: z.string().optional(),
  user_id: z.union([z.string(), z.number()]).optional(),
  username: z.string(),
})

/** The account's long-lived token and who it is. */
export type ConnectedAccount = { credentials: InstagramCredentials; username: string }

/** Code → short-lived token → long-lived token → `/me`. */
export async function connectAccount(options: {
  code: string
  redirectUri: string
}): Promise<ConnectedAccount> {
  const cfg = instagramConfig()
  const exchanged = CodeExchange.parse(
    await providerJson(
      await fetch(`${cfg.INSTAGRAM_API_URL}/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: cfg.INSTAGRAM_APP_ID,
          client_secret: cfg.INSTAGRAM_APP_SECRET,
          grant_type: 'authorization_code',
          redirect_uri: options.redirectUri,
          // The window appends `#_`, which a browser drops, but a pasted code may keep.
          code: options.code.replace(/#_$/, ''),
        }),
      }),
      'the Instagram code exchange',
    ),
  )
  const short = 'data' in exchanged ? exchanged.data[0] : exchanged

  const exchange = new URL(`${cfg.INSTAGRAM_GRAPH_URL}/access_token`)
  exchange.search = new URLSearchParams({
    grant_type: 'ig_exchange_token',
    client_secret: cfg.INSTAGRAM_APP_SECRET,
    access_token: short.access_token,
  }).toString()
  const issuedAt = Date.now()
  const long = LongLived.parse(
    await providerJson(await fetch(exchange), 'the Instagram long-lived token exchange'),
  )

  const me = new URL(`${cfg.INSTAGRAM_GRAPH_URL}/${cfg.INSTAGRAM_GRAPH_VERSION}/me`)
  me.searchParams.set('fields', 'user_id,username')
  const profile = Me.parse(
    await providerJson(
      await fetch(me, { headers: { authorization: `Bearer ${long.access_token}` } }),
      'reading the Instagram account',
    ),
  )
  return {
    credentials: {
      access_token: long.access_token,
      user_id: String(profile.user_id ?? profile.id ?? short.user_id),
      issued_at: issuedAt,
      expires_at: issuedAt + long.expires_in * 1000,
    },
    username: profile.username,
  }
}
