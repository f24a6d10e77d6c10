/**
 * The live GA4 report: any metrics and dimensions the property itself offers (checked
 * against its metadata first, so a wrong name comes back to the model with the right
 * ones), for what the daily sync does not store. The source is looked up as the caller
 * (RLS: only their active organization's GA4 sources), and only then are its sealed
 * credentials read as service, by that id. Google is called outside any transaction.
 */
import { z } from 'zod'
import { decryptCredentials, encryptCredentials } from '../../../../shared/credentials.ts'
import { asService, asUser } from '../../../../shared/db.ts'
import { ApiError } from '../../../../shared/http/errors.ts'
import { googleConfig } from '../../../../shared/providers/config.ts'
import { Ga4CredentialsSchema } from '../../../../shared/providers/credentials.ts'
import { ga4Client } from '../../../../shared/providers/ga4/client.ts'
import { ga4Failure } from '../../../../shared/providers/ga4/errors.ts'
import {
  rangeQuerySchema,
  resolveWindow,
  withRangeRules,
} from '../../../../shared/analytics/mod.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { ga4Sources, saveSourceCredentials, sealedCredentials } from './queries.ts'
import type { ToolCaller, ToolDefinition } from './registry.ts'

const ga4Args = withRangeRules(
  rangeQuerySchema.omit({ timezone: true }).extend({
    source_id: z.uuid().optional().describe('The GA4 source; needed only when there are several'),
    metrics: z.array(z.string().min(1).max(100)).min(1).max(10)
      .describe('GA4 API metric names, e.g. sessions, bounceRate, totalRevenue'),
    dimensions: z.array(z.string().min(1).max(100)).max(9).default([])
      .describe('GA4 API dimension names, e.g. date, country, deviceCategory, pagePath'),
    limit: z.number().int().min(1).max(100).default(25),
  }),
)

type Ga4Args = z.output<typeof ga4Args>

/** A property's metric and dimension names, cached per isolate for ten minutes. */
const metadataCache = new Map<
  string,
  { at: number; metrics: Set<string>; dimensions: Set<string> }
>()
const METADATA_TTL_MS = 10 * 60_000

function unknownNames(kind: string, asked: string[], offered: Set<string>): string | null {
  const wrong = asked.filter((name) => !offered.has(name))
  if (wrong.length === 0) return null
  const hints = [...offered].filter((name) =>
    wrong.some((w) => name.toLowerCase().includes(w.toLowerCase().slice(0, 4)))
  ).slice(0, 15)
  return `the property offers no ${kind} ${wrong.join(', ')}` +
    (hints.length ? `; similar ones: ${hints.join(', ')}` : '')
}

async function liveReport(caller: ToolCaller, args: Ga4Args) {
  const found = await asUser(caller.claims, async (tx) => {
    const org = await activeOrg(tx)
    return { org, sources: await ga4Sources(tx, { orgId: org.id }) }
  })
  const source = args.source_id
    ? found.sources.find((s) => s.id === args.source_id)
    : found.sources[0]
  if (!source) {
    throw new ApiError(
      404,
      'not_found',
      found.sources.length === 0
        ? 'no GA4 property is connected'
        : `no such GA4 source; connected: ${found.sources.map((s) => s.id).join(', ')}`,
    )
  }
  const sealed = await asService((tx) => sealedCredentials(tx, { sourceId: source.id }))
  if (!sealed) throw new ApiError(404, 'not_found', 'the GA4 source has no credentials')
  const credentials = await decryptCredentials(sealed, {
    sourceId: source.id,
    schema: Ga4CredentialsSchema,
  })
  const settings = googleConfig()
  // A refreshed access token is stored at once, as the sync stores it.
  let stored: Promise<unknown> = Promise.resolve()
  const ga4 = ga4Client({
    clientId: settings.GOOGLE_CLIENT_ID,
    clientSecret: settings.GOOGLE_CLIENT_SECRET,
    tokenUrl: settings.GOOGLE_TOKEN_URL,
    dataUrl: settings.GOOGLE_ANALYTICS_DATA_URL,
    credentials,
    onTokens: (fresh) => {
      stored = stored.then(async () => {
        const resealed = await encryptCredentials(fresh, { sourceId: source.id })
        await asService((tx) => saveSourceCredentials(tx, { sourceId: source.id, resealed }))
      })
    },
  })
  try {
    const property = source.external_id
    let meta = metadataCache.get(property)
    if (!meta || Date.now() - meta.at > METADATA_TTL_MS) {
      const [metadata] = await ga4.data.getMetadata({ name: `${property}/metadata` })
      meta = {
        at: Date.now(),
        metrics: new Set((metadata.metrics ?? []).map((m) => m.apiName ?? '')),
        dimensions: new Set((metadata.dimensions ?? []).map((d) => d.apiName ?? '')),
      }
      metadataCache.set(property, meta)
    }
    const problem = unknownNames('metric', args.metrics, meta.metrics) ??
      unknownNames('dimension', args.dimensions, meta.dimensions)
    if (problem) throw new ApiError(400, 'invalid_request', problem)
    const window = resolveWindow(args, found.org.timezone)
    const [report] = await ga4.data.runReport({
      property,
      dateRanges: [{ startDate: window.from, endDate: window.to }],
      metrics: args.metrics.map((name) => ({ name })),
      dimensions: args.dimensions.map((name) => ({ name })),
      limit: args.limit,
    })
    const metricNames = (report.metricHeaders ?? []).map((h) => h.name ?? '')
    const dimensionNames = (report.dimensionHeaders ?? []).map((h) => h.name ?? '')
    return {
      source_id: source.id,
      property: source.external_name ?? property,
      from: window.from,
      to: window.to,
      time_zone: report.metadata?.timeZone ?? null,
      row_count: Number(report.rowCount ?? 0),
      rows: (report.rows ?? []).map((row) => ({
        ...Object.fromEntries(
          (row.dimensionValues ?? []).map((v, i) => [dimensionNames[i], v.value ?? '']),
        ),
        ...Object.fromEntries(
          (row.metricValues ?? []).map((v, i) => [metricNames[i], Number(v.value ?? 0)]),
        ),
      })),
    }
  } catch (err) {
    if (err instanceof ApiError) throw err
    // Google's message names the problem and never a token; it goes back to the model.
    throw new ApiError(400, 'provider_error', ga4Failure(err).message)
  } finally {
    await stored.catch(() => {})
    await ga4.close()
  }
}

/** The live GA4 report tool, offered only when a GA4 source is active. */
export const ga4Tool: ToolDefinition = {
  name: 'ga4_report',
  description: 'A live Google Analytics 4 report over the connected property: any metrics ' +
    'and dimensions GA4 offers (API names), for what the stored daily metrics do not cover.',
  schema: ga4Args,
  call: liveReport,
}
