/**
 * Google's side of connecting GA4: the consent URL, the code exchange (PKCE), the GA4
 * properties the account can see (Admin API accountSummaries) and revoking the grant.
 * Plain fetch: four form posts and GETs do not need google-auth-library's client here
 * (sync uses it, where tokens refresh themselves).
 */
import { z } from 'zod'
import type { Ga4Credentials } from '../../../../shared/providers/credentials.ts'
import { googleConfig } from '../../../../shared/providers/config.ts'
import { ProviderError, providerJson } from '../oauth/provider-error.ts'

export const GA4_SCOPE = 'https://www.googleapis.com/auth/analytics.readonly'

/** The consent screen: offline access (a refresh token), consent asked every time, PKCE. */
export function consentUrl(options: {
  state: string
  codeChallenge: string
  redirectUri: string
}): string {
  const cfg = googleConfig()
  const url = new URL(cfg.GOOGLE_AUTH_URL)
  url.search = new URLSearchParams({
    client_id: cfg.GOOGLE_CLIENT_ID,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: GA4_SCOPE,
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    state: options.state,
    code_challenge: options.codeChallenge,
    code_challenge_method: 'S256',
  }).toString()
  return url.href
}

const TokenResponse = z.object({
  access_token: z.string(),
  refresh_token: z.string().optional(),
  expires_in: z.number(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
})

/** Exchanges an authorization code for tokens (with the PKCE verifier). */
export async function exchangeCode(options: {
  code: string
  verifier: string
  redirectUri: string
}): Promise<Ga4Credentials & { access_token: string }> {
  const cfg = googleConfig()
  const res = await fetch(cfg.GOOGLE_TOKEN_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: options.code,
      code_verifier: options.verifier,
      redirect_uri: options.redirectUri,
      client_id: cfg.GOOGLE_CLIENT_ID,
      client_secret: cfg.GOOGLE_CLIENT_SECRET,
    }),
  })
  const tokens = TokenResponse.parse(await providerJson(res, 'the Google token exchange'))
  // Without one the source could not sync past the hour (prompt=consent should prevent it).
  if (!tokens.refresh_token) {
    throw new ProviderError('no_refresh_token', res.status, 'the Google token exchange')
  }
  return {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expiry_date: Date.now() + tokens.expires_in * 1000,
    scope: tokens.scope,
    token_type: tokens.token_type,
  }
}

/** A GA4 property the consenting account can read. */
export type PropertyChoice = {
  property_id: string
  display_name: string
  account: string
  account_name: string
}

const Summaries = z.object({
  accountSummaries: z.array(z.object({
    account: z.string(),
    displayName: z.string().default(''),
    propertySummaries: z.array(z.object({
      property: z.string(),
      displayName: z.string().default(''),
    })).default([]),
  })).default([]),
  nextPageToken: z.string().optional(),
})

/** 2,000 accounts at Google's default page size: more is not a picker anyone can use. */
const MAX_PAGES = 40
const PAGE_SIZE = 50

/** Every GA4 property of every account the token can see, page after page. */
export async function listProperties(accessToken: string): Promise<PropertyChoice[]> {
  const cfg = googleConfig()
  const choices: PropertyChoice[] = []
  let pageToken: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = new URL(`${cfg.GOOGLE_ANALYTICS_ADMIN_URL}/v1beta/accountSummaries`)
    url.searchParams.set('pageSize', String(PAGE_SIZE))
    if (pageToken) url.searchParams.set('pageToken', pageToken)
    const res = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } })
    const body = Summaries.parse(await providerJson(res, 'listing GA4 properties'))
    for (const account of body.accountSummaries) {
      for (const p of account.propertySummaries) {
        choices.push({
          property_id: p.property,
          display_name: p.displayName,
          account: account.account,
          account_name: account.displayName,
        })
      }
    }
    pageToken = body.nextPageToken
    if (!pageToken) break
  }
  return choices
}

/** Ends the grant at Google (revoking the refresh token revokes its access tokens too). */
export async function revokeGrant(token: string): Promise<void> {
  const res = await fetch(googleConfig().GOOGLE_REVOKE_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  })
  await providerJson(res, 'revoking the Google grant')
}
