/**
 * One source's numbers for one job: decrypts its credentials, brings its token up to date
 * (storing a refreshed one at once, so a later failure cannot lose it) and asks the
 * provider for the job's days.
 */
import { decryptCredentials, encryptCredentials } from '../../../shared/credentials.ts'
import { asService } from '../../../shared/db.ts'
import { googleConfig, instagramConfig } from '../../../shared/providers/config.ts'
import { ProviderError } from '../../../shared/providers/errors.ts'
import {
  Ga4CredentialsSchema,
  InstagramCredentialsSchema,
} from '../../../shared/providers/credentials.ts'
import { ga4Client, type GoogleCredentials } from '../../../shared/providers/ga4/client.ts'
import {
  fetchGa4Daily,
  type Ga4Quota,
  quotaBackoffMinutes,
} from '../../../shared/providers/ga4/report.ts'
import { fetchInstagramDaily } from '../../../shared/providers/instagram/insights.ts'
import {
  instagramTokenState,
  refreshInstagramToken,
} from '../../../shared/providers/instagram/token.ts'
import type { MetricRow } from '../../../shared/providers/metric-rows.ts'
import { type ClaimedJob, saveCredentials, type SourceToSync } from './queries.ts'

export type Fetched = {
  rows: MetricRow[]
  /** The provider's quota after the last call (GA4), recorded on the attempt. */
  quota: Ga4Quota | null
  /** Minutes to push the next scheduled sync back by, when quota runs low. */
  deferMinutes: number
}

/** Reads the job's days from the source's provider; throws a ProviderError on failure. */
export async function fetchSource(
  source: SourceToSync,
  options: { job: ClaimedJob },
): Promise<Fetched> {
  if (!source.credentials) throw new ProviderError('reauth', 'no credentials are stored')
  if (!source.external_id) throw new ProviderError('fatal', 'no account or property is chosen')
  return source.provider === 'ga4'
    ? await fetchGa4(source, source.credentials, options)
    : await fetchInstagram(source, source.credentials, options)
}

async function fetchGa4(
  source: SourceToSync,
  sealed: NonNullable<SourceToSync['credentials']>,
  { job }: { job: ClaimedJob },
): Promise<Fetched> {
  const settings = googleConfig()
  const credentials = await decryptCredentials(sealed, {
    sourceId: source.id,
    schema: Ga4CredentialsSchema,
  })
  // The client emits refreshed tokens synchronously; their storage is chained and awaited
  // before the job ends, so none is lost even when the report itself fails afterwards.
  let stored: Promise<void> = Promise.resolve()
  const persist = (fresh: GoogleCredentials) => {
    stored = stored.then(() => storeCredentials(source.id, fresh))
  }
  const ga4 = ga4Client({
    clientId: settings.GOOGLE_CLIENT_ID,
    clientSecret: settings.GOOGLE_CLIENT_SECRET,
    tokenUrl: settings.GOOGLE_TOKEN_URL,
    dataUrl: settings.GOOGLE_ANALYTICS_DATA_URL,
    credentials,
    onTokens: persist,
  })
  try {
    const report = await fetchGa4Daily(ga4.data, {
      property: source.external_id!,
      from: job.from_date,
      to: job.to_date,
    })
    return {
      rows: report.rows,
      quota: report.quota,
      deferMinutes: quotaBackoffMinutes(report.quota),
    }
  } finally {
    await stored
    await ga4.close()
  }
}

async function fetchInstagram(
  source: SourceToSync,
  sealed: NonNullable<SourceToSync['credentials']>,
  { job }: { job: ClaimedJob },
): Promise<Fetched> {
  const settings = instagramConfig()
  let credentials = await decryptCredentials(sealed, {
    sourceId: source.id,
    schema: InstagramCredentialsSchema,
  })
  const state = instagramTokenState(credentials)
  if (state === 'expired') {
    throw new ProviderError('reauth', 'the Instagram token expired; log in with Instagram again')
  }
  if (state === 'refresh') {
    credentials = await refreshInstagramToken(credentials, {
      graphUrl: settings.INSTAGRAM_GRAPH_URL,
    })
    await storeCredentials(source.id, credentials)
  }
  const insights = await fetchInstagramDaily({
    graphUrl: settings.INSTAGRAM_GRAPH_URL,
    version: settings.INSTAGRAM_GRAPH_VERSION,
    userId: source.external_id!,
    accessToken: credentials.access_token,
    from: job.from_date,
    to: job.to_date,
  })
  return { rows: insights.rows, quota: null, deferMinutes: 0 }
}

async function storeCredentials(sourceId: string, credentials: unknown): Promise<void> {
  const sealed = await encryptCredentials(credentials, { sourceId })
  await asService((tx) => saveCredentials(tx, { sourceId, sealed }))
}
