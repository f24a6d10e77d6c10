/**
 * The numbers the fake GA4 property reports: deterministic per (property, day, channel),
 * so a test can compute what a sync must have stored. Additive metrics are summed over
 * channels and days; users are not additive (one user comes by several channels), so a
 * total is smaller than the sum, as in GA4; the ratios are recomputed from their parts.
 */
import { hash } from '../time.ts'

export const CHANNELS = [
  'Direct',
  'Email',
  'Organic Search',
  'Organic Social',
  'Paid Search',
  'Referral',
] as const

/** Metric name → GA4 MetricType number (data.proto): what `enum-encoding=int` returns. */
export const METRIC_TYPES: Record<string, number> = {
  activeUsers: 1,
  newUsers: 1,
  totalUsers: 1,
  sessions: 1,
  engagedSessions: 1,
  screenPageViews: 1,
  keyEvents: 1,
  engagementRate: 2,
  bounceRate: 2,
  averageSessionDuration: 4,
  userEngagementDuration: 4,
}

export const METRIC_TYPE_NAMES: Record<number, string> = {
  1: 'TYPE_INTEGER',
  2: 'TYPE_FLOAT',
  4: 'TYPE_SECONDS',
}

export const DIMENSIONS = ['date', 'sessionDefaultChannelGroup'] as const

/** The additive parts every metric is computed from. */
export type Parts = {
  users: number
  newUsers: number
  sessions: number
  engagedSessions: number
  screenPageViews: number
  keyEvents: number
  /** Sum of session lengths, seconds. */
  sessionSeconds: number
  userEngagementDuration: number
}

/** One channel's parts on one day. `revision` changes the numbers, as GA4 revising a day. */
export function channelDay(property: string, date: string, channel: string, revision = 0): Parts {
  const h = (salt: string) => hash(`${property}|${date}|${channel}|${revision}|${salt}`)
  const sessions = 20 + (h('s') % 180)
  const engagedSessions = Math.floor(sessions * (0.4 + (h('e') % 40) / 100))
  const users = Math.max(1, Math.floor(sessions * 0.8) - (h('u') % 5))
  const sessionSeconds = sessions * (60 + (h('d') % 180))
  return {
    users,
    newUsers: Math.floor(users * 0.3),
    sessions,
    engagedSessions,
    screenPageViews: sessions * 3 + (h('p') % 50),
    keyEvents: h('k') % 7,
    sessionSeconds,
    userEngagementDuration: Math.floor(sessionSeconds * 0.6),
  }
}

/** Sums parts; users over several channels or days count ~7% once, as GA4 dedupes them. */
export function combine(parts: Parts[]): Parts {
  const sum = (key: keyof Parts) => parts.reduce((total, p) => total + p[key], 0)
  const largest = Math.max(0, ...parts.map((p) => p.users))
  return {
    users: parts.length > 1 ? Math.max(largest, Math.round(sum('users') * 0.93)) : sum('users'),
    newUsers: sum('newUsers'),
    sessions: sum('sessions'),
    engagedSessions: sum('engagedSessions'),
    screenPageViews: sum('screenPageViews'),
    keyEvents: sum('keyEvents'),
    sessionSeconds: sum('sessionSeconds'),
    userEngagementDuration: sum('userEngagementDuration'),
  }
}

/** A metric's value as the API writes it: a string, integers plain, ratios in full. */
export function metricValue(metric: string, p: Parts): string {
  const ratio = (a: number, b: number) => String(b === 0 ? 0 : a / b)
  switch (metric) {
    case 'activeUsers':
    case 'totalUsers':
      return String(p.users)
    case 'engagementRate':
      return ratio(p.engagedSessions, p.sessions)
    case 'bounceRate':
      return ratio(p.sessions - p.engagedSessions, p.sessions)
    case 'averageSessionDuration':
      return ratio(p.sessionSeconds, p.sessions)
    default:
      return String(p[metric as keyof Parts])
  }
}
