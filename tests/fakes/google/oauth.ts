/**
 * Google's OAuth 2.0 endpoints as a web-server app sees them: the consent redirect
 * (`/o/oauth2/v2/auth`, auto-approved as the configured Google user), the token endpoint
 * (`/token`: authorization_code with PKCE S256, refresh_token) and `/revoke`, with Google's
 * error bodies. The tokens issued here are the ones the fake Analytics APIs accept.
 */
import { opaqueToken, param, type RecordedRequest, type Route } from '../server.ts'

export type GoogleClient = { clientId: string; clientSecret: string; redirectUris?: string[] }

type Grant = { refreshToken: string; scope: string; revoked: boolean }
type AccessToken = { grant: Grant; expiresAt: number }
type Code = {
  grant: Grant
  clientId: string
  redirectUri: string
  challenge: string | null
  used: boolean
  expiresAt: number
}

/** Every token the fake has issued; the Analytics fakes check bearer tokens against it. */
export class GoogleTokenStore {
  readonly codes = new Map<string, Code>()
  readonly grants = new Map<string, Grant>()
  readonly accessTokens = new Map<string, AccessToken>()
  /** Lifetime of new access tokens, as Google's `expires_in` (3599 s). */
  accessTokenSeconds = 3599

  /** A refresh token and a live access token, as if a consent had just happened. */
  issue(scope = 'https://www.googleapis.com/auth/analytics.readonly') {
    const grant: Grant = { refreshToken: opaqueToken('1//fake-refresh-'), scope, revoked: false }
    this.grants.set(grant.refreshToken, grant)
    return { refresh_token: grant.refreshToken, ...this.mintAccess(grant) }
  }

  mintAccess(grant: Grant) {
    const access_token = opaqueToken('ya29.fake-')
    const expiresAt = Date.now() + this.accessTokenSeconds * 1000
    this.accessTokens.set(access_token, { grant, expiresAt })
    return {
      access_token,
      expires_in: this.accessTokenSeconds,
      scope: grant.scope,
      token_type: 'Bearer',
    }
  }

  /** Whether `Authorization: Bearer <token>` is live: issued here, unexpired, unrevoked. */
  isLive(authorization: string | null): boolean {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? ''
    const access = this.accessTokens.get(token)
    return !!access && !access.grant.revoked && access.expiresAt > Date.now()
  }

  /** Every access token issued so far stops working (refresh tokens still do). */
  expireAccessTokens() {
    for (const access of this.accessTokens.values()) access.expiresAt = 0
  }

  /** What a user removing the app's access does: every grant stops working. */
  revokeAll() {
    for (const grant of this.grants.values()) grant.revoked = true
  }
}

/** Google's token-endpoint error, e.g. `invalid_grant` with "Bad Request". */
export function oauthError(error: string, description: string, status = 400): Response {
  return Response.json({ error, error_description: description }, { status })
}

export function oauthRoutes(
  client: GoogleClient,
  store: GoogleTokenStore,
  consent: { deny: boolean },
): Route[] {
  const authenticates = (request: RecordedRequest) => {
    // client_secret_post (google-auth-library's default) or client_secret_basic.
    const basic = /^Basic (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
    const [id, secret] = basic
      ? atob(basic).split(':').map(decodeURIComponent)
      : [param(request, 'client_id'), param(request, 'client_secret')]
    return id === client.clientId && secret === client.clientSecret
  }

  return [{
    name: 'authorize',
    method: 'GET',
    path: /^\/o\/oauth2\/v2\/auth$/,
    handle: (request) => {
      const q = request.url.searchParams
      const redirectUri = q.get('redirect_uri') ?? ''
      if (q.get('client_id') !== client.clientId) {
        return new Response('Error 401: invalid_client', { status: 401 })
      }
      if (client.redirectUris && !client.redirectUris.includes(redirectUri)) {
        return new Response('Error 400: redirect_uri_mismatch', { status: 400 })
      }
      if (q.get('response_type') !== 'code') {
        return new Response('Error 400: unsupported_response_type', { status: 400 })
      }
      const challenge = q.get('code_challenge')
      if (challenge && q.get('code_challenge_method') !== 'S256') {
        return new Response('Error 400: invalid_request (code_challenge_method)', { status: 400 })
      }
      const back = new URL(redirectUri)
      if (consent.deny) {
        back.searchParams.set('error', 'access_denied')
      } else {
        const code = opaqueToken('4/fake-code-')
        const scope = q.get('scope') ?? ''
        const grant: Grant = {
          refreshToken: opaqueToken('1//fake-refresh-'),
          scope,
          revoked: false,
        }
        store.codes.set(code, {
          grant,
          clientId: client.clientId,
          redirectUri,
          challenge,
          used: false,
          expiresAt: Date.now() + 10 * 60_000,
        })
        back.searchParams.set('code', code)
        back.searchParams.set('scope', scope)
      }
      if (q.has('state')) back.searchParams.set('state', q.get('state')!)
      return new Response(null, { status: 302, headers: { location: back.href } })
    },
  }, {
    name: 'token',
    method: 'POST',
    path: /^\/token$/,
    handle: async (request) => {
      if (!authenticates(request)) {
        return oauthError('invalid_client', 'The OAuth client was not found.', 401)
      }
      const grantType = param(request, 'grant_type')
      if (grantType === 'authorization_code') {
        const code = store.codes.get(param(request, 'code') ?? '')
        if (!code || code.used || code.expiresAt < Date.now()) {
          return oauthError('invalid_grant', 'Bad Request')
        }
        code.used = true
        if (param(request, 'redirect_uri') !== code.redirectUri) {
          return oauthError('redirect_uri_mismatch', 'Bad Request')
        }
        if (code.challenge) {
          const verifier = param(request, 'code_verifier')
          if (!verifier) return oauthError('invalid_grant', 'Missing code verifier.')
          if (await s256(verifier) !== code.challenge) {
            return oauthError('invalid_grant', 'Invalid code verifier.')
          }
        }
        store.grants.set(code.grant.refreshToken, code.grant)
        return Response.json({
          ...store.mintAccess(code.grant),
          refresh_token: code.grant.refreshToken,
        })
      }
      if (grantType === 'refresh_token') {
        const grant = store.grants.get(param(request, 'refresh_token') ?? '')
        if (!grant || grant.revoked) {
          return oauthError('invalid_grant', 'Token has been expired or revoked.')
        }
        // Google does not rotate refresh tokens: the answer carries a new access token only.
        return Response.json(store.mintAccess(grant))
      }
      return oauthError('unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`)
    },
  }, {
    name: 'revoke',
    method: 'POST',
    path: /^\/revoke$/,
    handle: (request) => {
      const token = param(request, 'token') ?? ''
      const grant = store.grants.get(token) ?? store.accessTokens.get(token)?.grant
      if (!grant || grant.revoked) return oauthError('invalid_token', 'Token expired or revoked')
      // Revoking either token ends the whole grant, as Google does.
      grant.revoked = true
      return Response.json({})
    },
  }]
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
