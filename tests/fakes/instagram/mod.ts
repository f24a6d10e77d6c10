/**
 * A fake Instagram for tests (Instagram API with Instagram Login): the authorization
 * window, the token endpoints, `GET /{version}/me` and the account insights, on one
 * 127.0.0.1 port standing for www.instagram.com, api.instagram.com and graph.instagram.com.
 *
 * @example
 * const instagram = startFakeInstagram()
 * const token = instagram.tokens.issue(instagram.account.userId, 'long', 25 * 3600_000)
 * instagram.failNext('insights', { code: 4, message: '(#4) Application request limit reached' })
 * instagram.tokens.advance(61 * 24 * 3600_000)   // every token has now expired
 * instagram.server.requestsTo('refresh')
 */
import { serveFake } from '../server.ts'
import { dailyValue, insightsRoutes, INSTAGRAM_METRICS } from './insights.ts'
import {
  graphError,
  type InstagramAccount,
  type InstagramApp,
  instagramTokenRoutes,
  InstagramTokenStore,
} from './tokens.ts'

export { INSTAGRAM_METRICS, INSTAGRAM_TIME_ZONE } from './insights.ts'
export type { InstagramAccount } from './tokens.ts'

export type FakeInstagramOptions = {
  app?: InstagramApp
  /** The professional account that consents (default: one demo account). */
  account?: InstagramAccount
  /**
   * Shape of `POST /oauth/access_token`'s answer: `data` as documented for Business Login
   * (`{ data: [{ access_token, user_id, permissions }] }`) or `flat`, as it is often seen.
   */
  tokenResponse?: 'data' | 'flat'
  /** A fixed port (scripts/test points the gateway at LYTICS_FAKE_INSTAGRAM_PORT); random otherwise. */
  port?: number
}

export type FakeInstagram = ReturnType<typeof startFakeInstagram>

export function startFakeInstagram(options: FakeInstagramOptions = {}) {
  const app = options.app ?? { clientId: '990602627938098', clientSecret: 'fake-ig-secret' }
  const account = options.account ?? { userId: '17841400000000001', username: 'demo.shop' }
  const tokens = new InstagramTokenStore()
  const consent = { deny: false, tokenResponse: options.tokenResponse ?? 'data' }
  const server = serveFake([
    ...instagramTokenRoutes(app, () => account, tokens, consent),
    {
      name: 'me',
      method: 'GET',
      path: /^\/(?:v\d+\.\d+\/)?me\/?$/,
      handle: (request) => {
        const token = tokens.live(request)
        if (token instanceof Response) return token
        const fields = (request.url.searchParams.get('fields') ?? 'id').split(',')
        const all: Record<string, string> = {
          id: account.userId,
          user_id: account.userId,
          username: account.username,
          account_type: 'BUSINESS',
        }
        return Response.json(
          Object.fromEntries(fields.map((f) => [f, all[f]]).filter(([, v]) => v)),
        )
      },
    },
    ...insightsRoutes(() => [account], tokens),
  ], { port: options.port })
  const url = server.url
  return {
    url,
    server,
    app,
    account,
    tokens,
    /** `consent.deny = true`: the window redirects with `error=access_denied`. */
    consent,
    endpoints: {
      authorize: `${url}/oauth/authorize`,
      token: `${url}/oauth/access_token`,
      /** graph.instagram.com: `/access_token`, `/refresh_access_token`, `/v23.0/me`, … */
      graph: url,
    },
    /** The next `times` requests to a route fail with a Graph API error. */
    failNext(
      route: 'token' | 'exchange' | 'refresh' | 'me' | 'insights',
      failure: { code: number; message: string; subcode?: number; status?: number },
      times = 1,
    ) {
      server.script(
        route,
        () => graphError(failure.code, failure.message, failure.subcode, failure.status),
        times,
      )
    },
    /** What the insights endpoint reports for one Pacific day. */
    dailyValue: (metric: keyof typeof INSTAGRAM_METRICS, date: string) =>
      dailyValue(account.userId, metric, date),
    close: () => server.close(),
  }
}
