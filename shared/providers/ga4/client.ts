/**
 * The GA4 Data API client a sync uses: the real `@google-analytics/data` client in REST
 * fallback mode (gRPC does not run on the edge runtime), authenticated as the user who
 * connected the property by an `OAuth2Client` that refreshes its own access token.
 *
 * Google does not rotate refresh tokens, but every refresh mints a new access token; the
 * client emits it as a `tokens` event and `onTokens` gets the whole credential set back,
 * so the caller can store it (encrypted) at once and the next run need not refresh again.
 */
import { BetaAnalyticsDataClient } from '@google-analytics/data'
import { type Credentials, OAuth2Client } from 'google-auth-library'
import type { Ga4Credentials } from '../credentials.ts'

/** What is stored (sealed) for a GA4 source: google-auth-library's own shape. */
export type GoogleCredentials = Ga4Credentials

export type Ga4ClientOptions = {
  clientId: string
  clientSecret: string
  /** GOOGLE_TOKEN_URL, where the refresh token is exchanged. */
  tokenUrl: string
  /** GOOGLE_ANALYTICS_DATA_URL, e.g. https://analyticsdata.googleapis.com. */
  dataUrl: string
  credentials: GoogleCredentials
  /** Called with the merged credentials each time the access token was refreshed. */
  onTokens: (credentials: GoogleCredentials) => void
}

export type Ga4Client = {
  data: BetaAnalyticsDataClient
  auth: OAuth2Client
  close(): Promise<void>
}

/**
 * A Data API client for one source.
 *
 * @example
 * const ga4 = ga4Client({ ...settings, credentials, onTokens: (c) => persist(c) })
 * try { await fetchGa4Daily(ga4.data, { property, from, to }) } finally { await ga4.close() }
 */
export function ga4Client(options: Ga4ClientOptions): Ga4Client {
  const auth = new OAuth2Client({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    endpoints: { oauth2TokenUrl: options.tokenUrl },
  })
  let current: GoogleCredentials = options.credentials
  auth.setCredentials(current as Credentials)
  auth.on('tokens', (tokens: Credentials) => {
    // A refresh answer carries no refresh_token: keep the stored one.
    current = {
      ...current,
      ...stripNullish(tokens),
      refresh_token: tokens.refresh_token ?? current.refresh_token,
    }
    options.onTokens(current)
  })
  const url = new URL(options.dataUrl)
  const protocol = url.protocol.replace(/:$/, '')
  const data = new BetaAnalyticsDataClient({
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port || (protocol === 'https' ? 443 : 80)),
    protocol,
    authClient: auth,
  })
  return { data, auth, close: () => data.close() }
}

function stripNullish(tokens: Credentials): Partial<GoogleCredentials> {
  return Object.fromEntries(
    Object.entries(tokens).filter(([, value]) => value !== null && value !== undefined),
  )
}
