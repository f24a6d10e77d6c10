/**
 * The parts of an OAuth flow both providers share: a random `state` (stored hashed), PKCE,
 * where the browser may be sent back, and the callback's answers.
 */
import type { Context } from 'hono'
import { sha256Hex } from '../../../../shared/crypto.ts'
import { decryptCredentials, encryptCredentials } from '../../../../shared/credentials.ts'
import { asService, asUser } from '../../../../shared/db.ts'
import { badRequest, notFound, TooManyRequests } from '../../../../shared/http/errors.ts'
import { oauthConfig } from '../../../../shared/providers/config.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import type { AuthUser } from '../../../../shared/auth.ts'
import {
  type ConsumedState,
  consumeOAuthState,
  insertOAuthState,
  type Provider,
} from './queries.ts'
import { z } from 'zod'

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

const randomBase64url = () => base64url(crypto.getRandomValues(new Uint8Array(32)))

/** A state or verifier as made here: 32 random bytes, base64url (43 characters). */
export const STATE = /^[A-Za-z0-9_-]{43}$/

/**
 * The browser may only be sent back to an origin of OAUTH_REDIRECT_ORIGINS, so a
 * crafted connect request cannot turn the callback into an open redirect. Without one,
 * the first allowed origin.
 */
export function allowedRedirect(redirectTo: string | undefined): string {
  const origins = oauthConfig().OAUTH_REDIRECT_ORIGINS
  if (redirectTo === undefined) return `${origins[0]}/`
  let url: URL
  try {
    url = new URL(redirectTo)
  } catch {
    throw badRequest('body.redirect_to: must be an absolute URL', [
      { path: 'body.redirect_to', message: 'must be an absolute URL' },
    ])
  }
  if (!origins.includes(url.origin) || url.username || url.password) {
    throw badRequest('body.redirect_to: this origin is not allowed', [
      { path: 'body.redirect_to', message: 'this origin is not allowed' },
    ])
  }
  url.hash = ''
  return url.href
}

/** How many flows one user may start in 10 minutes, across providers and organizations. */
export const FLOWS_PER_USER = 10

/**
 * Starts a flow for the caller's active organization, as an admin or owner (checked in
 * SQL as the caller): returns the `state` to send and the PKCE challenge (S256). The
 * verifier is sealed with the state's hash as associated data; it expires in 10 minutes.
 * Past FLOWS_PER_USER in 10 minutes, throws TooManyRequests (429).
 */
export async function beginFlow(user: AuthUser, options: {
  provider: Provider
  redirectTo: string
  sourceId?: string
}): Promise<{ state: string; codeChallenge: string }> {
  const org = await asUser(user.claims, async (tx) => {
    const org = await activeOrg(tx, { min: 'admin' })
    if (options.sourceId) {
      // Re-authorizing: the source must be one of this organization's, of this provider.
      const [found] = await tx`
        select 1 from public.data_sources
        where id = ${options.sourceId} and org_id = ${org.id} and provider = ${options.provider}`
      if (!found) throw notFound(`${options.provider} source`)
    }
    return org
  })
  const state = randomBase64url()
  const verifier = randomBase64url()
  const stateHash = await sha256Hex(state)
  const sealedVerifier = await encryptCredentials({ verifier }, { sourceId: stateHash })
  const started = await asService((tx) =>
    insertOAuthState(tx, {
      stateHash,
      userId: user.id,
      orgId: org.id,
      provider: options.provider,
      sealedVerifier,
      redirectTo: options.redirectTo,
      sourceId: options.sourceId ?? null,
      maxLive: FLOWS_PER_USER,
    })
  )
  if (!started.stored) {
    throw new TooManyRequests(
      'rate_limited',
      `${FLOWS_PER_USER} connections were started in the last 10 minutes; ` +
        `try again in ${started.retry_after} s`,
      started.retry_after,
    )
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return { state, codeChallenge: base64url(new Uint8Array(digest)) }
}

/** A flow the browser came back from, with its PKCE verifier unsealed. */
export type ReturnedFlow = ConsumedState & { verifier: string }

/**
 * Consumes the state the browser brought back: undefined when it is malformed, unknown,
 * used or expired (tampered, replayed or late), or of another provider.
 */
export async function finishFlow(
  state: string,
  provider: Provider,
): Promise<ReturnedFlow | undefined> {
  if (!STATE.test(state)) return undefined
  const stateHash = await sha256Hex(state)
  const flow = await asService((tx) => consumeOAuthState(tx, { stateHash }))
  if (!flow || flow.provider !== provider) return undefined
  const { verifier } = await decryptCredentials(flow, {
    sourceId: stateHash,
    schema: z.object({ verifier: z.string() }),
  })
  return { ...flow, verifier }
}

/** Sends the browser back to the app, with what happened in the query string. */
export function backToApp(c: Context, redirectTo: string, outcome: Record<string, string>) {
  const url = new URL(redirectTo)
  for (const [name, value] of Object.entries(outcome)) url.searchParams.set(name, value)
  return c.redirect(url.href, 302)
}

/** The callback's answer when the state is not a live one: nowhere safe to redirect to. */
export function invalidState(c: Context) {
  return c.json({
    error: {
      code: 'invalid_state',
      message: 'query.state: unknown, already used or expired; start connecting again',
    },
  }, 400)
}

/** A provider error code safe to put in a URL (never free text from the provider). */
export function errorCode(text: string | undefined): string {
  return /^[A-Za-z0-9_]{1,40}$/.test(text ?? '') ? text! : 'provider_error'
}
