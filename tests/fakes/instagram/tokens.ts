/**
 * Instagram API with Instagram Login, the token side: the authorization window
 * (`/oauth/authorize`, auto-approved), the code exchange (`POST /oauth/access_token`, a
 * short-lived token of one hour), the long-lived token (`GET /access_token`,
 * `ig_exchange_token`, 60 days) and its refresh (`GET /refresh_access_token`,
 * `ig_refresh_token`, only once the token is 24 hours old and before it expires). A clock
 * offset lets tests age tokens without waiting.
 */
import { opaqueToken, param, type RecordedRequest, type Route } from '../server.ts'

export type InstagramAccount = { userId: string; username: string }
export type InstagramApp = { clientId: string; clientSecret: string; redirectUris?: string[] }

type IgToken = { userId: string; kind: 'short' | 'long'; issuedAt: number; expiresAt: number }

const HOUR = 3_600_000
const DAY = 24 * HOUR

export class InstagramTokenStore {
  readonly tokens = new Map<string, IgToken>()
  readonly codes = new Map<string, { userId: string; redirectUri: string; used: boolean }>()
  /** Added to the real clock: `advance(25 * 3600_000)` makes every token a day older. */
  offsetMs = 0

  now(): number {
    return Date.now() + this.offsetMs
  }

  advance(ms: number) {
    this.offsetMs += ms
  }

  /** A token as if the flow had run; `ageMs` makes it that old already. */
  issue(userId: string, kind: 'short' | 'long', ageMs = 0) {
    const issuedAt = this.now() - ageMs
    const access_token = opaqueToken(kind === 'short' ? 'IGQfake-short-' : 'IGQfake-long-')
    this.tokens.set(access_token, {
      userId,
      kind,
      issuedAt,
      expiresAt: issuedAt + (kind === 'short' ? HOUR : 60 * DAY),
    })
    return access_token
  }

  /** The live token a request carries (query `access_token` or `Authorization: Bearer`). */
  live(request: RecordedRequest): IgToken | Response {
    const bearer = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
    const token = this.tokens.get(param(request, 'access_token') ?? bearer ?? '')
    if (!token) return graphError(190, 'Invalid OAuth access token - Cannot parse access token')
    if (token.expiresAt <= this.now()) {
      return graphError(
        190,
        `Error validating access token: Session has expired on ${
          new Date(token.expiresAt).toUTCString()
        }.`,
        463,
      )
    }
    return token
  }

  /** Every token of `userId` stops working, as when the user removes the app. */
  revokeUser(userId: string) {
    for (const [key, token] of this.tokens) if (token.userId === userId) this.tokens.delete(key)
  }
}

/** The Graph API's error body. */
export function graphError(code: number, message: string, subcode?: number, status = 400) {
  return Response.json({
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode ? { error_subcode: subcode } : {}),
      fbtrace_id: opaqueToken('A').slice(0, 23),
    },
  }, { status })
}

/** api.instagram.com's older error body, which its OAuth endpoints still use. */
function oauthError(message: string, status = 400) {
  return Response.json({ error_type: 'OAuthException', code: status, error_message: message }, {
    status,
  })
}

export function instagramTokenRoutes(
  app: InstagramApp,
  account: () => InstagramAccount,
  store: InstagramTokenStore,
  options: { deny: boolean; tokenResponse: 'data' | 'flat' },
): Route[] {
  const longLived = (userId: string) => ({
    access_token: store.issue(userId, 'long'),
    token_type: 'bearer',
    expires_in: 60 * 24 * 3600,
  })
  return [{
    name: 'authorize',
    method: 'GET',
    path: /^\/oauth\/authorize\/?$/,
    handle: (request) => {
      const q = request.url.searchParams
      const redirectUri = q.get('redirect_uri') ?? ''
      if (q.get('client_id') !== app.clientId) return oauthError('Invalid platform app')
      if (app.redirectUris && !app.redirectUris.includes(redirectUri)) {
        return oauthError(
          'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
        )
      }
      if (q.get('response_type') !== 'code') return oauthError('Invalid response_type')
      if (!(q.get('scope') ?? '').split(/[ ,]/).includes('instagram_business_basic')) {
        return oauthError('Invalid scope: instagram_business_basic is required')
      }
      const back = new URL(redirectUri)
      if (options.deny) {
        back.searchParams.set('error', 'access_denied')
        back.searchParams.set('error_reason', 'user_denied')
        back.searchParams.set('error_description', 'The user denied your request.')
      } else {
        const code = opaqueToken('AQfake-code-')
        store.codes.set(code, { userId: account().userId, redirectUri, used: false })
        back.searchParams.set('code', code)
      }
      if (q.has('state')) back.searchParams.set('state', q.get('state')!)
      // Instagram appends `#_` to the redirect; it is not part of the code.
      back.hash = '_'
      return new Response(null, { status: 302, headers: { location: back.href } })
    },
  }, {
    name: 'token',
    method: 'POST',
    path: /^\/oauth\/access_token\/?$/,
    handle: (request) => {
      if (param(request, 'client_id') !== app.clientId) return oauthError('Invalid platform app')
      if (param(request, 'client_secret') !== app.clientSecret) {
        return oauthError('Error validating client secret.')
      }
      if (param(request, 'grant_type') !== 'authorization_code') {
        return oauthError('Invalid grant_type')
      }
      const code = store.codes.get(param(request, 'code') ?? '')
      if (!code || code.used) return oauthError('This authorization code has been used')
      code.used = true
      if (param(request, 'redirect_uri') !== code.redirectUri) {
        return oauthError(
          'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
        )
      }
      const token = {
        access_token: store.issue(code.userId, 'short'),
        user_id: code.userId,
        permissions: 'instagram_business_basic,instagram_business_manage_insights',
      }
      return Response.json(options.tokenResponse === 'data' ? { data: [token] } : token)
    },
  }, {
    name: 'exchange',
    method: 'GET',
    path: /^\/access_token\/?$/,
    handle: (request) => {
      const q = request.url.searchParams
      if (q.get('grant_type') !== 'ig_exchange_token') {
        return graphError(100, 'Unsupported grant_type')
      }
      if (q.get('client_secret') !== app.clientSecret) {
        return graphError(101, 'Error validating client secret.')
      }
      const token = store.live(request)
      if (token instanceof Response) return token
      if (token.kind !== 'short') return graphError(100, 'Only short-lived tokens can be exchanged')
      return Response.json(longLived(token.userId))
    },
  }, {
    name: 'refresh',
    method: 'GET',
    path: /^\/refresh_access_token\/?$/,
    handle: (request) => {
      if (request.url.searchParams.get('grant_type') !== 'ig_refresh_token') {
        return graphError(100, 'Unsupported grant_type')
      }
      const token = store.live(request)
      if (token instanceof Response) return token
      if (token.kind !== 'long') return graphError(100, 'Only long-lived tokens can be refreshed')
      if (store.now() - token.issuedAt < DAY) {
        return graphError(
          100,
          'Long-lived tokens can be refreshed once they are at least 24 hours old',
        )
      }
      return Response.json(longLived(token.userId))
    },
  }]
}
