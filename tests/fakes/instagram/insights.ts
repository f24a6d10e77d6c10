/**
 * The Graph API's account insights, `GET /{version}/{ig-user-id}/insights?metric=…&period=day
 * &since&until`, with the current rules: `reach` and `follower_count` come as a daily
 * `time_series` (`values` with `end_time`, the end of each Pacific day), the interaction
 * metrics only with `metric_type=total_value` (one total over the window, so a daily figure
 * needs a one-day window), and since→until may span at most 30 days. Days count in
 * America/Los_Angeles, as Instagram's do; today (incomplete) is never reported.
 */
import type { Route } from '../server.ts'
import { addDays, dateIn, datesBetween, hash, startOfDay } from '../time.ts'
import { graphError, type InstagramAccount, type InstagramTokenStore } from './tokens.ts'

export const INSTAGRAM_TIME_ZONE = 'America/Los_Angeles'

/** Metric → the metric types it accepts. */
export const INSTAGRAM_METRICS: Record<string, ('time_series' | 'total_value')[]> = {
  reach: ['time_series', 'total_value'],
  follower_count: ['time_series'],
  views: ['total_value'],
  accounts_engaged: ['total_value'],
  total_interactions: ['total_value'],
  likes: ['total_value'],
  comments: ['total_value'],
  shares: ['total_value'],
  saves: ['total_value'],
  replies: ['total_value'],
  profile_links_taps: ['total_value'],
}

const MAX_WINDOW_SECONDS = 30 * 24 * 3600

/** One day's value of a metric; `total_interactions` is the sum of its parts. */
export function dailyValue(userId: string, metric: string, date: string): number {
  const h = (salt: string) => hash(`${userId}|${date}|${salt}`)
  const reach = 100 + (h('reach') % 1900)
  const parts = {
    likes: Math.floor(reach * 0.05) + (h('likes') % 20),
    comments: h('comments') % 15,
    shares: h('shares') % 10,
    saves: h('saves') % 12,
    replies: h('replies') % 5,
  }
  const values: Record<string, number> = {
    reach,
    views: Math.floor(reach * 2.4) + (h('views') % 300),
    accounts_engaged: Math.floor(reach * 0.08) + (h('engaged') % 25),
    total_interactions: Object.values(parts).reduce((a, b) => a + b, 0),
    // New followers that day.
    follower_count: h('followers') % 30,
    profile_links_taps: h('taps') % 9,
    ...parts,
  }
  return values[metric]
}

/** Instagram's timestamp format: `2026-03-24T07:00:00+0000`. */
function graphTime(instant: number): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, '+0000')
}

/** Unix seconds, or a `YYYY-MM-DD` taken as that Pacific day's start. */
function parseTime(value: string | null): number | null {
  if (value === null) return null
  if (/^\d+$/.test(value)) return Number(value)
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return startOfDay(value, INSTAGRAM_TIME_ZONE) / 1000
  return NaN
}

export function insightsRoutes(
  accounts: () => InstagramAccount[],
  store: InstagramTokenStore,
): Route[] {
  return [{
    name: 'insights',
    method: 'GET',
    path: /^\/(?:v\d+\.\d+\/)?(?<userId>\d+)\/insights\/?$/,
    handle: (request) => {
      const token = store.live(request)
      if (token instanceof Response) return token
      const userId = request.params.userId
      if (token.userId !== userId || !accounts().some((a) => a.userId === userId)) {
        return graphError(10, '(#10) Application does not have permission for this action')
      }
      const q = request.url.searchParams
      const metrics = (q.get('metric') ?? '').split(',').map((m) => m.trim()).filter(Boolean)
      if (metrics.length === 0) return graphError(100, '(#100) The parameter metric is required')
      const unknown = metrics.find((m) => !(m in INSTAGRAM_METRICS))
      if (unknown) {
        return graphError(
          100,
          `(#100) metric[${metrics.indexOf(unknown)}] must be one of the ` +
            `following values: ${Object.keys(INSTAGRAM_METRICS).join(', ')}`,
        )
      }
      if (q.get('period') !== 'day') {
        return graphError(100, '(#100) period must be one of the following values: day')
      }
      const metricType = q.get('metric_type') ?? 'time_series'
      if (metricType !== 'time_series' && metricType !== 'total_value') {
        return graphError(100, '(#100) metric_type must be one of: time_series, total_value')
      }
      const wrongType = metrics.filter((m) => !INSTAGRAM_METRICS[m].includes(metricType))
      if (wrongType.length > 0) {
        return graphError(
          100,
          metricType === 'time_series'
            ? `(#100) The following metrics (${wrongType.join(', ')}) should be specified ` +
              'with parameter metric_type=total_value'
            : `(#100) metric_type=total_value is not supported for ${wrongType.join(', ')}`,
        )
      }
      const nowSeconds = Math.floor(store.now() / 1000)
      const until = parseTime(q.get('until')) ?? nowSeconds
      const since = parseTime(q.get('since')) ?? until - 2 * 86_400
      if (!Number.isFinite(since) || !Number.isFinite(until) || since > until) {
        return graphError(100, '(#100) since must be before until, as unix timestamps')
      }
      if (until - since > MAX_WINDOW_SECONDS) {
        return graphError(
          100,
          '(#100) There cannot be more than 30 days (2592000 s) between since and until',
        )
      }
      const today = dateIn(INSTAGRAM_TIME_ZONE, store.now())
      const days = datesBetween(
        dateIn(INSTAGRAM_TIME_ZONE, since * 1000),
        dateIn(INSTAGRAM_TIME_ZONE, until * 1000),
      ).filter((d) =>
        d < today && startOfDay(d, INSTAGRAM_TIME_ZONE) >= since * 1000 &&
        startOfDay(addDays(d, 1), INSTAGRAM_TIME_ZONE) <= until * 1000
      )
      const data = metrics.map((name) => {
        const base = {
          name,
          period: 'day',
          title: name.replaceAll('_', ' '),
          description: `Fake ${name}`,
          id: `${userId}/insights/${name}/day`,
        }
        if (metricType === 'total_value') {
          const sum = days.reduce((total, d) => total + dailyValue(userId, name, d), 0)
          // Reach over several days counts each account once: less than the daily sum.
          const value = name === 'reach' && days.length > 1 ? Math.round(sum * 0.8) : sum
          return { ...base, total_value: { value } }
        }
        return {
          ...base,
          values: days.map((d) => ({
            value: dailyValue(userId, name, d),
            end_time: graphTime(startOfDay(addDays(d, 1), INSTAGRAM_TIME_ZONE)),
          })),
        }
      })
      const page = (from: number, to: number) => {
        const url = new URL(request.url)
        url.searchParams.set('since', String(from))
        url.searchParams.set('until', String(to))
        url.searchParams.delete('access_token')
        return url.href
      }
      const span = until - since
      return Response.json({
        data,
        paging: { previous: page(since - span, since), next: page(until, until + span) },
      })
    },
  }]
}
