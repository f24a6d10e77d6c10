/**
 * Anomalies: days of the window far from what the same weekday looked like in the four
 * weeks before.
 *
 * The rule, for each series and each day d of the window that has a full baseline (the
 * series has data from d − 28 on) and is not after the series' last day of data:
 * - baseline: the values on d − 28, d − 21, d − 14 and d − 7 (the same weekday, so weekly
 *   seasonality does not count as an anomaly);
 * - expected = their mean, deviation = their sample standard deviation, floored at a tenth
 *   of |expected| (and at 1 for counts), so that a flat baseline does not make a small
 *   wobble look extreme;
 * - score = (value − expected) / deviation; |score| ≥ MIN_SCORE is an anomaly.
 * Each series reports its one strongest day; the strongest MAX_ANOMALIES overall are kept.
 */
import { addDays, type DateWindow } from '../range.ts'
import type { SeriesNumbers } from './changes.ts'
import type { AnomalyFinding } from './schema.ts'
import { formatValue, seriesLabel, weekdayOf } from './text.ts'

/** How many deviations from the expected value make a day an anomaly. */
export const MIN_SCORE = 3
/** Anomalies reported, at most. */
export const MAX_ANOMALIES = 2
/** The same weekday in each of the 4 weeks before. */
const BASELINE_OFFSETS = [-28, -21, -14, -7]

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

function sampleDeviation(values: number[], mu: number): number {
  return Math.sqrt(values.reduce((a, v) => a + (v - mu) ** 2, 0) / (values.length - 1))
}

/** The strongest anomaly of one series over the window, if any. */
function strongestDay(s: SeriesNumbers, window: DateWindow): AnomalyFinding | undefined {
  const { spec, aggregation, firstDay, lastDay } = s.candidate
  const counts = aggregation === 'sum' || aggregation === 'unique_count'
  let best: AnomalyFinding | undefined
  for (let day = window.from; day <= window.to && day <= lastDay; day = addDays(day, 1)) {
    if (addDays(day, BASELINE_OFFSETS[0]) < firstDay) continue
    const baseline = BASELINE_OFFSETS.map((n) => {
      const date = addDays(day, n)
      return { date, value: s.days.get(date) ?? 0 }
    })
    const values = baseline.map((b) => b.value)
    const expected = mean(values)
    const deviation = Math.max(
      sampleDeviation(values, expected),
      Math.abs(expected) / 10,
      counts ? 1 : 0,
    )
    if (deviation === 0) continue
    const value = s.days.get(day) ?? 0
    const score = (value - expected) / deviation
    if (Math.abs(score) < MIN_SCORE || (best && Math.abs(score) <= Math.abs(best.score))) continue
    best = {
      kind: 'anomaly',
      text:
        `On ${weekdayOf(day)} ${day}, ${seriesLabel(spec)} came to ${
          formatValue(value, aggregation)
        }, ${score > 0 ? 'above' : 'below'} the ${formatValue(expected, aggregation)} ` +
        `of the same weekday over the previous 4 weeks (${
          formatValue(Math.abs(score))
        } deviations).`,
      series: spec.id,
      aggregation,
      date: day,
      value,
      expected,
      deviation,
      score,
      baseline,
    }
  }
  return best
}

/**
 * The strongest anomalies of the window, at most MAX_ANOMALIES, strongest first (ties by
 * series id). Series that split another by channel are left out: their total is the other's.
 */
export function findAnomalies(numbers: SeriesNumbers[], window: DateWindow): AnomalyFinding[] {
  return numbers
    .filter((s) => !s.candidate.split)
    .flatMap((s) => strongestDay(s, window) ?? [])
    .sort((a, b) => Math.abs(b.score) - Math.abs(a.score) || a.series.localeCompare(b.series))
    // The same day with the same numbers is one anomaly (an only event name beside all events).
    .filter((a, n, all) =>
      !all.slice(0, n).some((b) =>
        b.date === a.date && b.value === a.value && b.expected === a.expected
      )
    )
    .slice(0, MAX_ANOMALIES)
}
