/**
 * A fake Google for tests: OAuth (consent redirect, token, revoke), the GA Admin API's
 * accountSummaries and the GA4 Data API's runReport and metadata, on one 127.0.0.1 port.
 * Every Google base URL of the app points at `fake.url`.
 *
 * @example
 * const google = startFakeGoogle()
 * const client = new OAuth2Client({ clientId: google.client.clientId,
 *   clientSecret: google.client.clientSecret, endpoints: { oauth2TokenUrl: google.endpoints.token } })
 * client.setCredentials(google.tokens.issue())
 * google.failNext('runReport', { status: 429, retryAfter: 30 })  // then the rows again
 * google.failTokenWith('invalid_grant')                          // next refresh fails
 * google.server.requestsTo('runReport')                         // what the app sent
 * await google.close()
 */
import { type FakeServer, serveFake } from '../server.ts'
import { adminApiRoutes } from './admin_api.ts'
import { dataApiRoutes, type FakeGa4Property, Ga4State } from './data_api.ts'
import { googleApiError, type GoogleFailure } from './errors.ts'
import { metricValue } from './ga4_dataset.ts'
import { type GoogleClient, GoogleTokenStore, oauthError, oauthRoutes } from './oauth.ts'

export type { FakeGa4Property } from './data_api.ts'
export { CHANNELS } from './ga4_dataset.ts'

export type FakeGoogleOptions = {
  client?: GoogleClient
  /** The properties the consenting Google user can see (default: two in one account). */
  properties?: FakeGa4Property[]
  /** A fixed port (scripts/test points the gateway at LYTICS_FAKE_GOOGLE_PORT); random otherwise. */
  port?: number
}

export type FakeGoogle = ReturnType<typeof startFakeGoogle>

export function startFakeGoogle(options: FakeGoogleOptions = {}) {
  const client = options.client ?? {
    clientId: 'fake-client.apps.googleusercontent.com',
    clientSecret: 'fake-google-secret',
  }
  const properties = options.properties ?? [
    {
      id: '111111111',
      displayName: 'Demo Shop (GA4)',
      account: '9001',
      accountDisplayName: 'Demo Company',
      timeZone: 'Europe/Paris',
    },
    {
      id: '222222222',
      displayName: 'Demo Blog (GA4)',
      account: '9001',
      accountDisplayName: 'Demo Company',
      timeZone: 'America/New_York',
    },
  ]
  const tokens = new GoogleTokenStore()
  const ga4 = new Ga4State(properties)
  const consent = { deny: false }
  const server: FakeServer = serveFake([
    ...oauthRoutes(client, tokens, consent),
    ...adminApiRoutes(properties, tokens),
    ...dataApiRoutes(ga4, tokens),
  ], { port: options.port })
  const url = server.url
  return {
    url,
    server,
    client,
    tokens,
    properties,
    /** Set `consent.deny = true` and the consent screen answers `error=access_denied`. */
    consent,
    endpoints: {
      authorize: `${url}/o/oauth2/v2/auth`,
      token: `${url}/token`,
      revoke: `${url}/revoke`,
      /** Base of `/v1beta/accountSummaries`. */
      adminApi: url,
      /** Base of `/v1beta/properties/{id}:runReport`; the client takes host and port. */
      dataApi: url,
    },
    /** The next `times` calls to an Analytics route fail with Google's error body. */
    failNext(
      route: 'runReport' | 'metadata' | 'accountSummaries',
      failure: GoogleFailure,
      times = 1,
    ) {
      server.script(route, () => googleApiError(failure), times)
    },
    /** The next `times` token requests fail, e.g. `invalid_grant` (a revoked consent). */
    failTokenWith(error: string, description = 'Bad Request', times = 1) {
      server.script('token', () => oauthError(error, description), times)
    },
    /** One day's metric as runReport reports it (channel total without `channel`). */
    metric(propertyId: string, date: string, metric: string, channel?: string): string {
      return metricValue(metric, ga4.day(propertyId, date, channel))
    },
    /** Makes the property report different numbers for `date`, as GA4 revises recent days. */
    revise(propertyId: string, date: string) {
      const key = `${propertyId}|${date}`
      ga4.revisions.set(key, (ga4.revisions.get(key) ?? 0) + 1)
    },
    /** Sets what is left of a property's quota; at 0, runReport answers 429. */
    setQuota(propertyId: string, remaining: { tokensPerDay?: number; tokensPerHour?: number }) {
      Object.assign(ga4.quota(propertyId), remaining)
    },
    close: () => server.close(),
  }
}
