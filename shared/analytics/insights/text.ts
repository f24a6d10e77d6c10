/**
 * How findings put their numbers into words: the same numbers always give the same
 * sentence (a fixed locale, fixed rounding), so findings can be compared and cached.
 */
import type { SeriesSpec } from '../measures.ts'
import type { DateWindow } from '../range.ts'
import type { AggregationKind } from './schema.ts'

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const fine = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })
const tenth = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
})

/** A value as a sentence shows it: whole numbers from 100 on, else up to two decimals. */
export function formatValue(value: number, aggregation: AggregationKind = 'sum'): string {
  if (aggregation === 'ratio' && Math.abs(value) <= 1) return `${tenth.format(value * 100)}%`
  return Math.abs(value) >= 100 ? whole.format(value) : fine.format(value)
}

/** A percentage with one decimal and no sign (the verb says the direction). */
export function formatPercent(percent: number): string {
  return `${tenth.format(Math.abs(percent))}%`
}

/** A window as `2026-11-01 to 2026-11-28`. */
export function formatWindow(window: DateWindow): string {
  return `${window.from} to ${window.to}`
}

/** What a series is called in a sentence. */
export function seriesLabel(spec: SeriesSpec): string {
  switch (spec.kind) {
    case 'metric':
      return spec.name
    case 'event':
      return `${spec.name} events`
    case 'events':
      return 'all events'
  }
}

/** `rose` or `fell` (or `held steady`) for a change. */
export function direction(change: number): string {
  return change > 0 ? 'rose' : change < 0 ? 'fell' : 'held steady'
}

/** A note for sums of daily unique counts, which count a person once per active day. */
export function unitNote(aggregation: AggregationKind): string {
  return aggregation === 'unique_count' ? ' (summed per day)' : ''
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

/** The weekday of a calendar day, e.g. `Tuesday`. */
export function weekdayOf(date: string): string {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]
}
