/**
 * The GA4 Data API over REST, as `@google-analytics/data` calls it in fallback mode:
 * `POST /v1beta/properties/{id}:runReport` and `GET /v1beta/properties/{id}/metadata`.
 * runReport takes one date range, the dimensions `date` and `sessionDefaultChannelGroup`
 * and the metrics of ga4_dataset.ts, pages with `limit`/`offset` (rows sorted by their
 * dimension values), and reports `rowCount`, `metadata.timeZone` and, when asked,
 * `propertyQuota`, spending `tokensPerRequest` of it per call.
 */
import type { RecordedRequest, Route } from '../server.ts'
import { addDays, dateIn, datesBetween } from '../time.ts'
import { googleApiError } from './errors.ts'
import {
  channelDay,
  CHANNELS,
  combine,
  DIMENSIONS,
  METRIC_TYPE_NAMES,
  METRIC_TYPES,
  metricValue,
  type Parts,
} from './ga4_dataset.ts'
import type { GoogleTokenStore } from './oauth.ts'

export type FakeGa4Property = {
  /** Numeric id, as in `properties/123456789`. */
  id: string
  displayName: string
  /** Numeric account id. */
  account: string
  accountDisplayName: string
  /** The property's reporting time zone; `today` and `NdaysAgo` count in it. */
  timeZone: string
  /** No data before this day (the property's creation), `YYYY-MM-DD`. */
  firstDate?: string
}

export type QuotaState = {
  tokensPerDay: number
  tokensPerHour: number
  tokensPerProjectPerHour: number
}

export class Ga4State {
  readonly revisions = new Map<string, number>()
  readonly quotas = new Map<string, QuotaState>()
  /** Tokens one runReport spends from each quota. */
  tokensPerRequest = 10

  constructor(readonly properties: FakeGa4Property[]) {}

  property(id: string) {
    return this.properties.find((p) => p.id === id)
  }

  quota(id: string): QuotaState {
    let quota = this.quotas.get(id)
    if (!quota) {
      quota = { tokensPerDay: 200_000, tokensPerHour: 40_000, tokensPerProjectPerHour: 14_000 }
      this.quotas.set(id, quota)
    }
    return quota
  }

  /** The parts of one day, for one channel or (without) the day's total. */
  day(id: string, date: string, channel?: string): Parts {
    const revision = this.revisions.get(`${id}|${date}`) ?? 0
    if (channel) return channelDay(id, date, channel, revision)
    return combine(CHANNELS.map((c) => channelDay(id, date, c, revision)))
  }
}

type ReportBody = {
  dateRanges?: { startDate?: string; endDate?: string }[]
  dimensions?: { name?: string }[]
  metrics?: { name?: string }[]
  limit?: string | number
  offset?: string | number
  returnPropertyQuota?: boolean
}

const bad = (message: string) => googleApiError({ status: 400, message })

export function dataApiRoutes(state: Ga4State, tokens: GoogleTokenStore): Route[] {
  const guard = (request: RecordedRequest) => {
    if (!tokens.isLive(request.headers.get('authorization'))) return googleApiError({ status: 401 })
    const property = state.property(request.params.id)
    return property ?? googleApiError({ status: 403 })
  }
  return [{
    name: 'runReport',
    method: 'POST',
    path: /^\/v1beta\/properties\/(?<id>[0-9]+):runReport$/,
    handle: (request) => {
      const property = guard(request)
      if (property instanceof Response) return property
      const quota = state.quota(property.id)
      if (quota.tokensPerDay <= 0 || quota.tokensPerHour <= 0) {
        return googleApiError({ status: 429 })
      }
      const body = (request.json ?? {}) as ReportBody
      const report = runReport(state, property, body, enumAsInt(request))
      if (report instanceof Response) return report
      quota.tokensPerDay -= state.tokensPerRequest
      quota.tokensPerHour -= state.tokensPerRequest
      quota.tokensPerProjectPerHour -= state.tokensPerRequest
      if (body.returnPropertyQuota) report.propertyQuota = propertyQuota(quota, state)
      return Response.json(report)
    },
  }, {
    name: 'metadata',
    method: 'GET',
    path: /^\/v1beta\/properties\/(?<id>[0-9]+)\/metadata$/,
    handle: (request) => {
      const property = guard(request)
      if (property instanceof Response) return property
      const asInt = enumAsInt(request)
      return Response.json({
        name: `properties/${property.id}/metadata`,
        dimensions: DIMENSIONS.map((apiName) => ({ apiName, uiName: apiName, category: 'Fake' })),
        metrics: Object.entries(METRIC_TYPES).map(([apiName, type]) => ({
          apiName,
          uiName: apiName,
          type: asInt ? type : METRIC_TYPE_NAMES[type],
          category: 'Fake',
        })),
      })
    },
  }]
}

/** gax asks for `$alt=json;enum-encoding=int`; enums then travel as numbers. */
function enumAsInt(request: RecordedRequest): boolean {
  return (request.url.searchParams.get('$alt') ?? '').includes('enum-encoding=int')
}

function runReport(
  state: Ga4State,
  property: FakeGa4Property,
  body: ReportBody,
  asInt: boolean,
): Record<string, unknown> | Response {
  const dimensions = (body.dimensions ?? []).map((d) => d.name ?? '')
  const metrics = (body.metrics ?? []).map((m) => m.name ?? '')
  if (dimensions.length > 9) return bad('Requests can have at most 9 dimensions.')
  if (metrics.length === 0 || metrics.length > 10) {
    return bad('Requests must have between 1 and 10 metrics.')
  }
  for (const d of dimensions) {
    if (!(DIMENSIONS as readonly string[]).includes(d)) {
      return bad(
        `Field ${d} is not a valid dimension. For a list of valid dimensions and ` +
          'metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema',
      )
    }
  }
  for (const m of metrics) {
    if (!(m in METRIC_TYPES)) {
      return bad(
        `Field ${m} is not a valid metric. For a list of valid dimensions and ` +
          'metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema',
      )
    }
  }
  const ranges = body.dateRanges ?? []
  if (ranges.length !== 1) return bad('The fake supports exactly one date range.')
  const today = dateIn(property.timeZone)
  const first = resolveDate(ranges[0].startDate, today)
  const last = resolveDate(ranges[0].endDate, today)
  if (!first || !last) {
    return bad('Invalid date range: use YYYY-MM-DD, today, yesterday or NdaysAgo.')
  }
  if (first > last) return bad('startDate must not be after endDate.')
  const limit = body.limit === undefined ? 10_000 : Number(body.limit)
  const offset = body.offset === undefined ? 0 : Number(body.offset)
  if (!Number.isInteger(limit) || limit < 0 || limit > 250_000) {
    return bad('limit must be positive and at most 250000.')
  }
  if (!Number.isInteger(offset) || offset < 0) return bad('offset must be non-negative.')

  const dates = datesBetween(first, last)
    .filter((d) => d <= today && (!property.firstDate || d >= property.firstDate))
  const byDate = dimensions.includes('date')
  const byChannel = dimensions.includes('sessionDefaultChannelGroup')
  const groups = new Map<string, { values: Record<string, string>; parts: Parts[] }>()
  for (const date of dates) {
    for (const channel of byChannel ? CHANNELS : [undefined]) {
      const values: Record<string, string> = {}
      if (byDate) values.date = date.replaceAll('-', '')
      if (channel) values.sessionDefaultChannelGroup = channel
      const key = JSON.stringify(dimensions.map((d) => values[d]))
      const group = groups.get(key) ?? { values, parts: [] }
      group.parts.push(state.day(property.id, date, channel))
      groups.set(key, group)
    }
  }
  const all = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const rows = all.slice(offset, offset + (limit || 10_000)).map(([, group]) => {
    const parts = combine(group.parts)
    return {
      dimensionValues: dimensions.map((d) => ({ value: group.values[d] })),
      metricValues: metrics.map((m) => ({ value: metricValue(m, parts) })),
    }
  })
  const report: Record<string, unknown> = {
    dimensionHeaders: dimensions.map((name) => ({ name })),
    metricHeaders: metrics.map((name) => ({
      name,
      type: asInt ? METRIC_TYPES[name] : METRIC_TYPE_NAMES[METRIC_TYPES[name]],
    })),
    rows,
    metadata: { currencyCode: 'USD', timeZone: property.timeZone },
    kind: 'analyticsData#runReport',
  }
  // proto3 JSON leaves zero out, as the real API does for an empty report.
  if (all.length > 0) report.rowCount = all.length
  return report
}

function resolveDate(value: string | undefined, today: string): string | null {
  if (!value) return null
  if (value === 'today') return today
  if (value === 'yesterday') return addDays(today, -1)
  const ago = /^(\d+)daysAgo$/.exec(value)
  if (ago) return addDays(today, -Number(ago[1]))
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null
}

function propertyQuota(quota: QuotaState, state: Ga4State) {
  const status = (remaining: number) => ({
    consumed: state.tokensPerRequest,
    remaining: Math.max(0, remaining),
  })
  return {
    tokensPerDay: status(quota.tokensPerDay),
    tokensPerHour: status(quota.tokensPerHour),
    concurrentRequests: { consumed: 0, remaining: 10 },
    serverErrorsPerProjectPerHour: { consumed: 0, remaining: 10 },
    potentiallyThresholdedRequestsPerHour: { consumed: 0, remaining: 120 },
    tokensPerProjectPerHour: status(quota.tokensPerProjectPerHour),
  }
}
