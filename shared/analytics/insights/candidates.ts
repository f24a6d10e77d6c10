/**
 * Which series the insights look at, read from the catalogue: the organization's metrics
 * with data in the current or comparison window, all events, and the most frequent event
 * names. Also how each metric combines over days, and whether its dimensions are channels.
 */
import type { Tx } from '../../db.ts'
import { eventCatalog, metricCatalog } from '../catalog.ts'
import { eventNamesByCount } from '../feature-usage.ts'
import { addDays, type DateWindow, todayIn } from '../range.ts'
import { reaggregationOf } from '../ratios.ts'
import type { ReportScope } from '../scope.ts'
import type { SeriesSpec } from '../measures.ts'
import type { AggregationKind } from './schema.ts'

/** Metrics looked at, at most (catalogue order, i.e. by name, when there are more). */
export const MAX_METRICS = 20
/** Event names looked at besides all events: the most frequent over both windows. */
export const MAX_EVENT_NAMES = 5

/** A series the insights may say something about. */
export type Candidate = {
  spec: SeriesSpec
  aggregation: AggregationKind
  /** First and last day with data, in the report's timezone (events: never today, which is partial). */
  firstDay: string
  lastDay: string
  /** Non-empty dimensions of the metric's recent rows (none for events). */
  dimensions: string[]
  /** True when those dimensions are marketing channels (see isChannelSplit). */
  channels: boolean
  /**
   * True for a metric that only splits another one by channel (`ga4.sessionsByChannel`
   * beside `ga4.sessions`): it is read for channels, never reported as a change of its own.
   */
  split: boolean
}

const CHANNEL_PREFIX = 'channel:'

/**
 * Channel names as ingested metrics spell them (lower case): GA4's default channel groups
 * and the usual short forms.
 */
const KNOWN_CHANNELS = new Set([
  'direct',
  'organic',
  'organic search',
  'organic social',
  'organic video',
  'organic shopping',
  'paid',
  'paid search',
  'paid social',
  'paid video',
  'paid shopping',
  'paid other',
  'cpc',
  'display',
  'social',
  'referral',
  'email',
  'affiliate',
  'affiliates',
  'sms',
  'push',
  'mobile push notifications',
  'audio',
  'cross-network',
  'unassigned',
  '(other)',
])

/** The channel a dimension value names: `channel:<name>` or a known channel name. */
export function channelOf(dimension: string): string | null {
  if (dimension.startsWith(CHANNEL_PREFIX)) return dimension.slice(CHANNEL_PREFIX.length)
  return KNOWN_CHANNELS.has(dimension.toLowerCase()) ? dimension : null
}

/**
 * True when a metric's dimensions are channels: at least two, and every one is
 * `channel:<name>` (the GA4 sync's split) or at least half are known channel names (an
 * ingested metric with dimension `organic`, `paid`, …).
 */
export function isChannelSplit(dimensions: string[]): boolean {
  if (dimensions.length < 2) return false
  if (dimensions.every((d) => d.startsWith(CHANNEL_PREFIX))) return true
  return dimensions.filter((d) => channelOf(d) !== null).length * 2 >= dimensions.length
}

function aggregationOf(meta: Record<string, unknown>): AggregationKind {
  return reaggregationOf(meta)?.aggregation ??
    (meta.aggregation === 'unique_count' ? 'unique_count' : 'sum')
}

/**
 * The candidates, in order: metrics by name, then all events, then event names by count.
 * Cost: the two catalogue scans (one index probe per name) and, when there are events,
 * one aggregate of the event_counts rollup over both windows.
 */
export async function insightCandidates(
  tx: Tx,
  { scope, comparison, now }: { scope: ReportScope; comparison: DateWindow; now: Date },
): Promise<Candidate[]> {
  const { org, tz, window } = scope
  const metrics = (await metricCatalog(tx, { orgId: org }))
    .filter((m) => m.first_date <= window.to && m.last_date >= comparison.from)
    .slice(0, MAX_METRICS)
  const names = new Set(metrics.map((m) => m.name))
  const candidates: Candidate[] = metrics.map((m) => {
    const dimensions = m.dimensions.filter((d) => d !== '')
    const base = m.name.endsWith('ByChannel') ? m.name.slice(0, -'ByChannel'.length) : null
    return {
      spec: { id: `metric:${m.name}`, kind: 'metric', name: m.name },
      aggregation: aggregationOf(m.meta ?? {}),
      firstDay: m.first_date,
      lastDay: m.last_date,
      dimensions,
      channels: isChannelSplit(dimensions),
      split: base !== null && names.has(base),
    }
  })
  const events = await eventCatalog(tx, { orgId: org })
  if (events.length === 0) return candidates
  // Today is partial: a day compared with whole days would look like a drop.
  const yesterday = addDays(todayIn(tz, now), -1)
  const dayOf = (at: Date) => todayIn(tz, at)
  const lastOf = (at: Date) => (dayOf(at) < yesterday ? dayOf(at) : yesterday)
  const firstSeen = events.reduce(
    (a, e) => (e.first_seen < a ? e.first_seen : a),
    events[0].first_seen,
  )
  const lastSeen = events.reduce((a, e) => (e.last_seen > a ? e.last_seen : a), events[0].last_seen)
  const eventCandidate = (spec: SeriesSpec, first: Date, last: Date): Candidate => ({
    spec,
    aggregation: 'sum',
    firstDay: dayOf(first),
    lastDay: lastOf(last),
    dimensions: [],
    channels: false,
    split: false,
  })
  candidates.push(eventCandidate({ id: 'events', kind: 'events', name: null }, firstSeen, lastSeen))
  const both = { from: comparison.from, to: window.to, days: comparison.days + window.days }
  const top = await eventNamesByCount(tx, {
    orgId: org,
    window: both,
    timezone: tz,
    limit: MAX_EVENT_NAMES,
    offset: 0,
  })
  const byName = new Map(events.map((e) => [e.name, e]))
  for (const { name } of top.names) {
    const entry = byName.get(name)
    if (!entry) continue
    const spec: SeriesSpec = { id: `event:${name}`, kind: 'event', name }
    candidates.push(eventCandidate(spec, entry.first_seen, entry.last_seen))
  }
  return candidates
}
