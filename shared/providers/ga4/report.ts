/**
 * Daily GA4 numbers for one property: the day totals of the metrics Lytics shows, and
 * sessions / active users by default channel group. Each report is read page by page
 * (`limit`/`offset`) and asks for the property's quota, which the sync records and backs
 * off on.
 *
 * Ratios are stored with what re-aggregates them: `engagementRate` is engagedSessions /
 * sessions, so both parts are fetched; `averageSessionDuration` has no summable numerator
 * in the API (total session duration is not a metric), so it is a mean weighted by
 * sessions. Users are unique counts: a total over days is not their sum.
 */
import type { BetaAnalyticsDataClient } from '@google-analytics/data'
import { ProviderError } from '../errors.ts'
import { type Aggregation, isDecimal, type MetricRow } from '../metric-rows.ts'
import { ga4Failure } from './errors.ts'

const SUM: Aggregation = { aggregation: 'sum' }
const UNIQUE: Aggregation = { aggregation: 'unique_count' }

/** Day totals: metric → how to re-aggregate it. At most 10 metrics per report. */
export const GA4_DAILY_METRICS: Record<string, Aggregation> = {
  activeUsers: UNIQUE,
  newUsers: SUM,
  sessions: SUM,
  screenPageViews: SUM,
  keyEvents: SUM,
  engagedSessions: SUM,
  userEngagementDuration: SUM,
  engagementRate: {
    aggregation: 'ratio',
    numerator: 'ga4.engagedSessions',
    denominator: 'ga4.sessions',
  },
  averageSessionDuration: { aggregation: 'weighted_mean', weight: 'ga4.sessions' },
}

/**
 * By `sessionDefaultChannelGroup`, stored as `ga4.<metric>ByChannel` with dimension
 * `channel:<group>`. A name of their own, because a tile of `ga4.sessions` sums every
 * dimension of that name: the day total and its channel split under one name would count
 * each session twice.
 */
export const GA4_CHANNEL_METRICS: Record<string, Aggregation> = {
  sessions: SUM,
  activeUsers: UNIQUE,
}

/** One quota's use by the last request and what is left of it. */
export type QuotaStatus = { consumed: number; remaining: number }

/** `propertyQuota` of the last report, as numbers. */
export type Ga4Quota = Partial<Record<string, QuotaStatus>>

export type Ga4DailyOptions = {
  /** `properties/123456789` */
  property: string
  /** First and last day, `YYYY-MM-DD`, in the property's time zone. */
  from: string
  to: string
  /** Rows per page; the API allows 250,000, a day range rarely needs more than one page. */
  pageSize?: number
}

export type Ga4Daily = {
  rows: MetricRow[]
  /** The property's quota after the last request, or null when none was reported. */
  quota: Ga4Quota | null
  /** The property's reporting time zone (its days are the ones stored). */
  timeZone: string | null
  requests: number
}

/**
 * Runs the two daily reports for `from`..`to`.
 *
 * @example
 * const { rows, quota } = await fetchGa4Daily(ga4.data, {
 *   property: 'properties/123', from: '2026-03-01', to: '2026-03-31' })
 */
export async function fetchGa4Daily(
  client: BetaAnalyticsDataClient,
  options: Ga4DailyOptions,
): Promise<Ga4Daily> {
  const state: Ga4Daily = { rows: [], quota: null, timeZone: null, requests: 0 }
  await readReport(client, options, state, {
    dimensions: ['date'],
    metrics: GA4_DAILY_METRICS,
    nameOf: (metric) => `ga4.${metric}`,
    dimensionOf: () => '',
  })
  await readReport(client, options, state, {
    dimensions: ['date', 'sessionDefaultChannelGroup'],
    metrics: GA4_CHANNEL_METRICS,
    nameOf: (metric) => `ga4.${metric}ByChannel`,
    dimensionOf: (values) => `channel:${values[1]}`,
  })
  return state
}

type ReportShape = {
  dimensions: string[]
  metrics: Record<string, Aggregation>
  /** The stored metric name of a GA4 metric. */
  nameOf: (metric: string) => string
  /** The stored dimension of a row, from its dimension values. */
  dimensionOf: (values: string[]) => string
}

async function readReport(
  client: BetaAnalyticsDataClient,
  options: Ga4DailyOptions,
  state: Ga4Daily,
  shape: ReportShape,
): Promise<void> {
  const pageSize = options.pageSize ?? 10_000
  const names = Object.keys(shape.metrics)
  for (let offset = 0;; offset += pageSize) {
    let report
    try {
      ;[report] = await client.runReport({
        property: options.property,
        dateRanges: [{ startDate: options.from, endDate: options.to }],
        dimensions: shape.dimensions.map((name) => ({ name })),
        metrics: names.map((name) => ({ name })),
        limit: pageSize,
        offset,
        // Ordered, so pages cut the same row list each time.
        orderBys: shape.dimensions.map((dimensionName) => ({ dimension: { dimensionName } })),
        returnPropertyQuota: true,
        keepEmptyRows: false,
      })
    } catch (err) {
      throw ga4Failure(err)
    }
    state.requests++
    if (report.propertyQuota) state.quota = quotaOf(report.propertyQuota)
    state.timeZone = report.metadata?.timeZone ?? state.timeZone
    // Headers say which column is which; never assume the request's order.
    const metricAt = (report.metricHeaders ?? []).map((h) => h.name ?? '')
    for (const row of report.rows ?? []) {
      const values = (row.dimensionValues ?? []).map((v) => v.value ?? '')
      const day = isoDay(values[0])
      const dimension = shape.dimensionOf(values)
      ;(row.metricValues ?? []).forEach((metric, i) => {
        const name = metricAt[i]
        const value = metric.value ?? ''
        if (!(name in shape.metrics)) return
        if (!isDecimal(value)) {
          throw new ProviderError('fatal', `GA4 reported a non-numeric ${name}: ${value}`)
        }
        state.rows.push({
          metric_name: shape.nameOf(name),
          metric_date: day,
          dimension,
          value,
          meta: shape.metrics[name],
        })
      })
    }
    const total = Number(report.rowCount ?? 0)
    if (offset + pageSize >= total || (report.rows ?? []).length === 0) return
  }
}

/** GA4's `date` dimension is `YYYYMMDD`. */
function isoDay(value: string): string {
  if (!/^\d{8}$/.test(value)) throw new ProviderError('fatal', `GA4 reported a bad date: ${value}`)
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`
}

function quotaOf(quota: object): Ga4Quota {
  const result: Ga4Quota = {}
  for (const [name, status] of Object.entries(quota)) {
    const s = status as { consumed?: number | null; remaining?: number | null } | null
    if (!s || typeof s !== 'object') continue
    result[name] = { consumed: Number(s.consumed ?? 0), remaining: Number(s.remaining ?? 0) }
  }
  return result
}

/**
 * Standard-property limits (GA4 Data API quotas): 200,000 tokens a day and 40,000 an hour.
 * A quota is low when less than a tenth is left.
 */
const QUOTA_LIMITS = { tokensPerDay: 200_000, tokensPerHour: 40_000 } as const

/**
 * How long to wait before the next scheduled sync because the quota runs low: until the
 * hourly quota refills (an hour), or the daily one (12 hours, since GA4 resets it at
 * midnight Pacific and a half-day wait is a safe upper bound for most time zones); 0 when
 * there is quota enough.
 */
export function quotaBackoffMinutes(quota: Ga4Quota | null): number {
  if (!quota) return 0
  const low = (name: keyof typeof QUOTA_LIMITS) => {
    const status = quota[name]
    return status !== undefined && status.remaining < QUOTA_LIMITS[name] / 10
  }
  if (low('tokensPerDay')) return 12 * 60
  if (low('tokensPerHour')) return 60
  return 0
}
