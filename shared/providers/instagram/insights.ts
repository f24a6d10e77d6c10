/**
 * Daily account insights of an Instagram professional account (Graph API
 * `/{ig-user-id}/insights`, `period=day`). Instagram counts days in Pacific time and never
 * reports the current one. Two kinds of call, because of the current API's rules:
 * - `reach` and `follower_count` come as a daily `time_series`, read in windows of at most
 *   30 days between `since` and `until` (the API's limit per call);
 * - the interaction metrics are only given with `metric_type=total_value`, one total over
 *   the window, so each day is its own one-day call.
 */
import { ProviderError } from '../errors.ts'
import { addDays, dayIn, startOfDay } from '../days.ts'
import { type Aggregation, type MetricRow } from '../metric-rows.ts'
import { graphFailure } from './errors.ts'

export const INSTAGRAM_TIME_ZONE = 'America/Los_Angeles'

const SUM: Aggregation = { aggregation: 'sum' }
const UNIQUE: Aggregation = { aggregation: 'unique_count' }

/** Daily series: metric → how to re-aggregate it. */
export const INSTAGRAM_SERIES_METRICS: Record<string, Aggregation> = {
  reach: UNIQUE,
  /** New followers that day. */
  follower_count: SUM,
}

/** One total per one-day window. */
export const INSTAGRAM_TOTAL_METRICS: Record<string, Aggregation> = {
  views: SUM,
  accounts_engaged: UNIQUE,
  total_interactions: SUM,
  likes: SUM,
  comments: SUM,
  shares: SUM,
  saves: SUM,
  replies: SUM,
  profile_links_taps: SUM,
}

/** The API's limit on `until - since`, in seconds. */
export const MAX_WINDOW_SECONDS = 30 * 86_400

export type InstagramDailyOptions = {
  /** INSTAGRAM_GRAPH_URL and INSTAGRAM_GRAPH_VERSION. */
  graphUrl: string
  version: string
  userId: string
  accessToken: string
  /** First and last Pacific day, `YYYY-MM-DD`; days from today on are left out. */
  from: string
  to: string
  now?: () => number
}

export type InstagramDaily = { rows: MetricRow[]; requests: number; from: string; to: string }

type Window = { since: number; until: number }

/**
 * Reads every day of `from`..`to` that Instagram reports.
 *
 * @example
 * const { rows } = await fetchInstagramDaily({ graphUrl, version: 'v23.0', userId,
 *   accessToken, from: '2026-01-01', to: '2026-03-31' })
 */
export async function fetchInstagramDaily(options: InstagramDailyOptions): Promise<InstagramDaily> {
  const yesterday = addDays(dayIn(INSTAGRAM_TIME_ZONE, (options.now ?? Date.now)()), -1)
  const to = options.to < yesterday ? options.to : yesterday
  const result: InstagramDaily = { rows: [], requests: 0, from: options.from, to }
  if (options.from > to) return result
  const call = (metrics: Record<string, Aggregation>, window: Window, totals: boolean) =>
    insights(options, { metrics: Object.keys(metrics), window, totals }).finally(() => {
      result.requests++
    })

  for (const window of seriesWindows(options.from, to)) {
    const body = await call(INSTAGRAM_SERIES_METRICS, window, false)
    for (const metric of body.data ?? []) {
      const meta = INSTAGRAM_SERIES_METRICS[metric.name]
      if (!meta) continue
      for (const point of metric.values ?? []) {
        // end_time is the end of the day the value counts: the next Pacific midnight.
        const day = addDays(dayIn(INSTAGRAM_TIME_ZONE, Date.parse(point.end_time)), -1)
        if (day < options.from || day > to) continue
        result.rows.push(row(metric.name, day, point.value, meta))
      }
    }
  }
  for (let day = options.from; day <= to; day = addDays(day, 1)) {
    const window = { since: secondsAt(day), until: secondsAt(addDays(day, 1)) }
    const body = await call(INSTAGRAM_TOTAL_METRICS, window, true)
    for (const metric of body.data ?? []) {
      const meta = INSTAGRAM_TOTAL_METRICS[metric.name]
      if (!meta || metric.total_value === undefined) continue
      result.rows.push(row(metric.name, day, metric.total_value.value, meta))
    }
  }
  return result
}

/**
 * Whole Pacific days from `from` to `to`, cut into windows of at most MAX_WINDOW_SECONDS:
 * counted in seconds rather than days, since a window across the autumn DST change is an
 * hour longer than its days.
 */
export function seriesWindows(from: string, to: string): Window[] {
  const windows: Window[] = []
  let start = from
  while (start <= to) {
    let end = start // last day in the window
    while (
      end < to && secondsAt(addDays(end, 2)) - secondsAt(start) <= MAX_WINDOW_SECONDS
    ) end = addDays(end, 1)
    windows.push({ since: secondsAt(start), until: secondsAt(addDays(end, 1)) })
    start = addDays(end, 1)
  }
  return windows
}

function secondsAt(day: string): number {
  return startOfDay(day, INSTAGRAM_TIME_ZONE) / 1000
}

function row(name: string, day: string, value: unknown, meta: Aggregation): MetricRow {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ProviderError('fatal', `Instagram reported a non-numeric ${name}: ${value}`)
  }
  return {
    metric_name: `instagram.${name}`,
    metric_date: day,
    dimension: '',
    value: String(value),
    meta,
  }
}

type InsightsBody = {
  data?: {
    name: string
    values?: { value: unknown; end_time: string }[]
    total_value?: { value: unknown }
  }[]
}

async function insights(
  options: InstagramDailyOptions,
  request: { metrics: string[]; window: Window; totals: boolean },
): Promise<InsightsBody> {
  const base = options.graphUrl.replace(/\/+$/, '')
  const url = new URL(`${base}/${options.version}/${options.userId}/insights`)
  url.searchParams.set('metric', request.metrics.join(','))
  url.searchParams.set('period', 'day')
  if (request.totals) url.searchParams.set('metric_type', 'total_value')
  url.searchParams.set('since', String(request.window.since))
  url.searchParams.set('until', String(request.window.until))
  let res: Response
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${options.accessToken}` },
      signal: AbortSignal.timeout(30_000),
    })
  } catch (err) {
    throw new ProviderError('retry', `Instagram unreachable: ${(err as Error).message}`)
  }
  if (!res.ok) throw await graphFailure(res)
  return await res.json() as InsightsBody
}
