/**
 * The numbers behind the change and anomaly findings, read in one bucketTotals statement,
 * and the largest changes between the comparison window and the current one.
 */
import type { Tx } from '../../db.ts'
import { type BucketPlan, dateSpans } from '../buckets.ts'
import { addDays, type DateWindow } from '../range.ts'
import { inTimezone, percentChange, type ReportScope } from '../scope.ts'
import { bucketTotals } from '../totals.ts'
import type { Candidate } from './candidates.ts'
import type { LargestChangeFinding } from './schema.ts'
import { direction, formatPercent, formatValue, seriesLabel, unitNote } from './text.ts'

/** Days before the window that the anomaly baseline reads (4 weeks of the same weekday). */
export const TRAILING_DAYS = 28
/** A change is reported from this size on, in percent. */
export const MIN_CHANGE_PERCENT = 10
/** Summed series below this volume (both windows together) are too small to report on. */
export const MIN_VOLUME = 20
/** Largest changes reported, at most. */
export const MAX_CHANGES = 2

/** One candidate's value over each window and on each day, ratios re-aggregated. */
export type SeriesNumbers = {
  candidate: Candidate
  current: number
  previous: number
  /** Day → value, from TRAILING_DAYS before the window to its end. */
  days: Map<string, number>
}

/**
 * Every candidate's value over the comparison and current windows and on every day from
 * four weeks before the window to its end, in one statement: window 0 of the plan is the
 * days, window 1 the two windows as two buckets (they are adjacent). bucketTotals
 * re-aggregates ratio and weighted-mean metrics from their parts per bucket, so no ratio
 * is ever summed. Cost: one index range scan per series (two for a re-aggregated metric)
 * over window.days × 2 + 28 days, plus the one-row-per-name meta probe.
 */
export async function seriesNumbers(
  tx: Tx,
  { scope, comparison, candidates }: {
    scope: ReportScope
    comparison: DateWindow
    candidates: Candidate[]
  },
): Promise<SeriesNumbers[]> {
  if (candidates.length === 0) return []
  const { org, tz, window } = scope
  const trailing = {
    from: addDays(window.from, -TRAILING_DAYS),
    to: window.to,
    days: window.days + TRAILING_DAYS,
  }
  const plan: BucketPlan = {
    kind: 'dates',
    spans: [
      ...dateSpans(trailing, 'day'),
      { windowIndex: 1, from: comparison.from, to: comparison.to },
      { windowIndex: 1, from: window.from, to: window.to },
    ],
  }
  const specs = candidates.map((c) => c.spec)
  const rows = await inTimezone(tz, () => bucketTotals(tx, specs, { org, tz, filters: [], plan }))
  const days = rows.filter((r) => r.window_index === 0)
  const previous = rows.find((r) => r.window_index === 1 && r.bucket_index === 1)
  const current = rows.find((r) => r.window_index === 1 && r.bucket_index === 2)
  return candidates.map((candidate, n) => ({
    candidate,
    current: current?.values[n] ?? 0,
    previous: previous?.values[n] ?? 0,
    days: new Map(days.map((d) => [d.first_day as string, d.values[n]])),
  }))
}

/** Whether a series' volume is enough to speak of (ratios and means always are). */
function hasVolume({ candidate, current, previous }: SeriesNumbers): boolean {
  const summed = candidate.aggregation === 'sum' || candidate.aggregation === 'unique_count'
  return !summed || Math.abs(current) + Math.abs(previous) >= MIN_VOLUME
}

/**
 * The series that changed most, in percent of the comparison window: at least
 * MIN_CHANGE_PERCENT, with a non-zero comparison value and enough volume; channel splits
 * of another metric and series with the very same numbers as one already taken (an
 * organization's only event name beside all events) are left out. Largest first, ties by
 * series id.
 */
export function largestChanges(
  numbers: SeriesNumbers[],
  { window, comparison }: { window: DateWindow; comparison: DateWindow },
): LargestChangeFinding[] {
  const ranked = numbers
    .filter((s) => !s.candidate.split && s.previous !== 0 && hasVolume(s))
    .map((s) => ({ s, percent: percentChange(s.current, s.previous) as number }))
    .filter(({ percent }) => Math.abs(percent) >= MIN_CHANGE_PERCENT)
    .sort((a, b) =>
      Math.abs(b.percent) - Math.abs(a.percent) ||
      a.s.candidate.spec.id.localeCompare(b.s.candidate.spec.id)
    )
  const taken: LargestChangeFinding[] = []
  for (const { s, percent } of ranked) {
    if (taken.length >= MAX_CHANGES) break
    if (taken.some((t) => t.current === s.current && t.previous === s.previous)) continue
    const { spec, aggregation } = s.candidate
    const change = s.current - s.previous
    taken.push({
      kind: 'largest_change',
      text: `${seriesLabel(spec)} ${direction(change)} ${formatPercent(percent)}${
        unitNote(aggregation)
      }, from ${formatValue(s.previous, aggregation)} to ${
        formatValue(s.current, aggregation)
      }, against the previous ${window.days} days.`,
      series: spec.id,
      aggregation,
      current: s.current,
      previous: s.previous,
      change,
      percent_change: percent,
      window,
      comparison,
    })
  }
  return taken
}
