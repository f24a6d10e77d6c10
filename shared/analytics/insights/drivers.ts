/**
 * Drivers and channels: a series broken down by dimension (or all events by name) over the
 * current and the comparison window with the dashboard's breakdownRows, then the group that
 * moved the series most, and the channels that did best and worst.
 */
import type { Tx } from '../../db.ts'
import { breakdownRows } from '../breakdown.ts'
import type { SeriesSpec } from '../measures.ts'
import type { DateWindow } from '../range.ts'
import { percentChange, type ReportScope } from '../scope.ts'
import { type Candidate, channelOf } from './candidates.ts'
import type { SeriesNumbers } from './changes.ts'
import type { ChannelFinding, DriverFinding, LargestChangeFinding } from './schema.ts'
import { direction, formatPercent, formatValue, seriesLabel } from './text.ts'

/** Groups read per window (the largest); a group outside both pages is not compared. */
export const MAX_GROUPS = 50
/** A group is a driver when its change is at least this fraction of the series' change. */
export const MIN_DRIVER_SHARE = 0.25
/** A channel is compared when it holds at least this share in one of the windows. */
export const MIN_CHANNEL_SHARE = 0.05

/** One group's value in each window. */
export type GroupChange = { key: string; current: number; previous: number }
/** A series' groups and its totals over both windows (every group, not only the page's). */
export type Breakdown = { groups: GroupChange[]; current: number; previous: number }

/** Whether a series may be broken down: summed, and split by something. */
export function breaksDown(c: Candidate): boolean {
  if (c.aggregation !== 'sum' && c.aggregation !== 'unique_count') return false
  return c.spec.kind === 'events' || (c.spec.kind === 'metric' && c.dimensions.length >= 2)
}

/**
 * Reads breakdowns, each series once per request. Cost: two breakdownRows statements per
 * series (one per window), each an index range scan of the series' rows in that window.
 */
export function breakdownReader(
  tx: Tx,
  { scope, comparison }: { scope: ReportScope; comparison: DateWindow },
) {
  const read = new Map<string, Breakdown>()
  return async (spec: SeriesSpec): Promise<Breakdown> => {
    const known = read.get(spec.id)
    if (known) return known
    const by = spec.kind === 'metric'
      ? { kind: 'dimension' as const, key: null }
      : { kind: 'event_name' as const, key: null }
    const page = (s: ReportScope) =>
      breakdownRows(tx, { spec, by, scope: s, sort: 'value_desc', offset: 0, limit: MAX_GROUPS })
    // One after the other: a transaction through a pooler must not pipeline statements.
    const current = await page(scope)
    const previous = await page({ ...scope, window: comparison })
    const groups = new Map<string, GroupChange>()
    const add = (rows: typeof current, side: 'current' | 'previous') => {
      for (const row of rows) {
        if (row.key === null || row.value === null) continue
        const group = groups.get(row.key) ?? { key: row.key, current: 0, previous: 0 }
        group[side] = row.value
        groups.set(row.key, group)
      }
    }
    add(current, 'current')
    add(previous, 'previous')
    const breakdown = {
      groups: [...groups.values()],
      current: current[0]?.total ?? 0,
      previous: previous[0]?.total ?? 0,
    }
    read.set(spec.id, breakdown)
    return breakdown
  }
}

/**
 * The group whose change carries the series' change most (at least MIN_DRIVER_SHARE of
 * it, in the same direction), among two groups or more.
 */
export function driverOf(
  change: LargestChangeFinding,
  spec: SeriesSpec,
  breakdown: Breakdown,
): DriverFinding | undefined {
  const whole = breakdown.current - breakdown.previous
  if (breakdown.groups.length < 2 || whole === 0) return undefined
  const sign = Math.sign(whole)
  const [top] = breakdown.groups
    .map((g) => ({ ...g, change: g.current - g.previous }))
    .sort((a, b) => b.change * sign - a.change * sign || a.key.localeCompare(b.key))
  const share = top.change / whole
  if (share < MIN_DRIVER_SHARE) return undefined
  const percent = percentChange(top.current, top.previous)
  const moved = percent === null
    ? `went from ${formatValue(top.previous)} to ${formatValue(top.current)}`
    : `${direction(top.change)} ${formatPercent(percent)}, from ${formatValue(top.previous)} to ${
      formatValue(top.current)
    }`
  const field = spec.kind === 'metric' ? 'dimension' : 'event_name'
  const name = top.key === '' ? '(no dimension)' : top.key
  return {
    kind: 'driver',
    text: `${name} accounts for ${formatPercent(share * 100)} of the change in ${
      seriesLabel(spec)
    }: it ${moved}.`,
    series: spec.id,
    field,
    value: top.key,
    current: top.current,
    previous: top.previous,
    change: top.change,
    percent_change: percent,
    share_of_change: share,
    series_change: whole,
    window: change.window,
    comparison: change.comparison,
  }
}

/**
 * The series to compare channels on: split by channel and summed; sums before unique
 * counts, then sessions, then the larger volume, then by id.
 */
export function channelSeries(numbers: SeriesNumbers[]): SeriesNumbers | undefined {
  const rank = (s: SeriesNumbers) => [
    s.candidate.aggregation === 'sum' ? 0 : 1,
    /sessions/i.test(s.candidate.spec.id) ? 0 : 1,
    -(Math.abs(s.current) + Math.abs(s.previous)),
  ]
  return numbers
    .filter((s) => s.candidate.channels && breaksDown(s.candidate))
    .sort((a, b) => {
      const [x, y] = [rank(a), rank(b)]
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] ||
        a.candidate.spec.id.localeCompare(b.candidate.spec.id)
    })[0]
}

/**
 * The best and the worst channel by percent change, among channels with a comparison value
 * and at least MIN_CHANNEL_SHARE of the series in one window; none with fewer than two.
 * The worst comes first when the series fell.
 */
export function channelFindings(
  spec: SeriesSpec,
  breakdown: Breakdown,
  { window, comparison }: { window: DateWindow; comparison: DateWindow },
): ChannelFinding[] {
  const shareOf = (value: number, total: number) => (total > 0 ? value / total : null)
  const ranked = breakdown.groups
    .flatMap((g) => {
      const channel = channelOf(g.key)
      const held = Math.max(
        shareOf(g.current, breakdown.current) ?? 0,
        shareOf(g.previous, breakdown.previous) ?? 0,
      )
      if (channel === null || g.previous <= 0 || held < MIN_CHANNEL_SHARE) return []
      return [{ ...g, channel, percent: percentChange(g.current, g.previous) as number }]
    })
    .sort((a, b) => b.percent - a.percent || a.key.localeCompare(b.key))
  if (ranked.length < 2) return []
  const moved = (percent: number) =>
    percent === 0 ? direction(0) : `${direction(percent)} ${formatPercent(percent)}`
  const finding = (
    kind: 'best_channel' | 'worst_channel',
    g: typeof ranked[number],
  ): ChannelFinding => ({
    kind,
    text: `${kind === 'best_channel' ? 'Best' : 'Worst'} channel for ${
      seriesLabel(spec)
    }: ${g.channel}, which ${moved(g.percent)}, from ${formatValue(g.previous)} to ${
      formatValue(g.current)
    }.`,
    series: spec.id,
    channel: g.channel,
    dimension: g.key,
    current: g.current,
    previous: g.previous,
    change: g.current - g.previous,
    percent_change: g.percent,
    share: shareOf(g.current, breakdown.current),
    channels: ranked.length,
    window,
    comparison,
  })
  const best = finding('best_channel', ranked[0])
  const worst = finding('worst_channel', ranked[ranked.length - 1])
  return breakdown.current < breakdown.previous ? [worst, best] : [best, worst]
}
