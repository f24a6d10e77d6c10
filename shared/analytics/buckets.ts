/**
 * Time buckets of a window in a timezone. Day, week (ISO, Monday start) and month buckets
 * are spans of calendar days, computed here and clipped to the window; their instants come
 * from Postgres (`date::timestamp at time zone tz`), so a DST day is 23 or 25 hours long.
 * Hour buckets step over instants from local midnight, so a DST day has 23 or 25 of them.
 */
import type { Tx } from '../db.ts'
import { addDays, type DateWindow } from './range.ts'

export const GRANULARITIES = ['hour', 'day', 'week', 'month'] as const
export type Granularity = typeof GRANULARITIES[number]

/** Longest window (days) each granularity may cover, which bounds the bucket count. */
export const MAX_DAYS_BY_GRANULARITY: Record<Granularity, number> = {
  hour: 31,
  day: 731,
  week: 731,
  month: 731,
}

/** Which window a bucket belongs to: 0 the current one, 1 the comparison. */
export type WindowIndex = 0 | 1

/** Inclusive calendar days of one bucket of window `windowIndex`. */
export type DateSpan = { windowIndex: WindowIndex; from: string; to: string }

function weekday(date: string): number {
  // 0 = Monday ... 6 = Sunday
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7
}

function nextStart(date: string, granularity: 'day' | 'week' | 'month'): string {
  if (granularity === 'day') return addDays(date, 1)
  if (granularity === 'week') return addDays(date, 7 - weekday(date))
  const [y, m] = date.split('-').map(Number)
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10)
}

/**
 * The buckets of `window` at a calendar granularity, first and last clipped to it, marked
 * as window `windowIndex` (default 0, the current one).
 *
 * @example
 * dateSpans({ from: '2026-03-04', to: '2026-03-10', days: 7 }, 'week')
 * // [{ windowIndex: 0, from: '2026-03-04', to: '2026-03-08' },
 * //  { windowIndex: 0, from: '2026-03-09', to: '2026-03-10' }]
 */
export function dateSpans(
  window: DateWindow,
  granularity: 'day' | 'week' | 'month',
  { windowIndex = 0 }: { windowIndex?: WindowIndex } = {},
): DateSpan[] {
  const spans: DateSpan[] = []
  for (let from = window.from; from <= window.to;) {
    const next = nextStart(from, granularity)
    const last = addDays(next, -1)
    spans.push({ windowIndex, from, to: last < window.to ? last : window.to })
    from = next
  }
  return spans
}

/** How to cut the windows: explicit day spans, or hours over whole windows. */
export type BucketPlan =
  | { kind: 'dates'; spans: DateSpan[] }
  | { kind: 'hours'; windows: DateWindow[] }

/**
 * SQL yielding one row per bucket: `window_index` (0 current, 1 comparison),
 * `bucket_index` (1-based within the window), `first_day`/`day_after` (days
 * [first_day, day_after), null for hours), `starts_at`/`ends_at` (instants
 * [starts_at, ends_at)) and `utc_offset_seconds` (the timezone's offset at `starts_at`,
 * for labels).
 */
export function bucketsSql(tx: Tx, { tz, plan }: { tz: string; plan: BucketPlan }) {
  const offset = tx`extract(epoch from (starts_at at time zone ${tz}::text)
    - (starts_at at time zone 'UTC'))::int`
  if (plan.kind === 'dates') {
    const windowIndex = plan.spans.map((s) => s.windowIndex)
    // 1-based position within its window; spans come grouped by window.
    const bucketIndex: number[] = []
    plan.spans.forEach((s, n) =>
      bucketIndex.push(
        n > 0 && plan.spans[n - 1].windowIndex === s.windowIndex ? bucketIndex[n - 1] + 1 : 1,
      )
    )
    const firstDay = plan.spans.map((s) => s.from)
    const dayAfter = plan.spans.map((s) => addDays(s.to, 1))
    return tx`
      select window_index, bucket_index, first_day, day_after, starts_at, ends_at,
             ${offset} as utc_offset_seconds
      from (
        select u.window_index, u.bucket_index, u.first_day, u.day_after,
               (u.first_day::timestamp at time zone ${tz}::text) as starts_at,
               (u.day_after::timestamp at time zone ${tz}::text) as ends_at
        from unnest(${windowIndex}::int[], ${bucketIndex}::int[], ${firstDay}::date[],
                    ${dayAfter}::date[]) as u(window_index, bucket_index, first_day, day_after)
      ) spans`
  }
  const windowIndex = plan.windows.map((_, n) => n)
  const from = plan.windows.map((x) => x.from)
  const to = plan.windows.map((x) => addDays(x.to, 1))
  return tx`
    select window_index, bucket_index, first_day, day_after, starts_at, ends_at,
           ${offset} as utc_offset_seconds
    from (
      select win.window_index,
             (row_number() over (partition by win.window_index order by h.starts_at))::int
               as bucket_index,
             null::date as first_day, null::date as day_after,
             h.starts_at, least(h.starts_at + interval '1 hour', win.ends_at) as ends_at
      from (
        select x.window_index, (x.f::timestamp at time zone ${tz}::text) as starts_at,
               (x.t::timestamp at time zone ${tz}::text) as ends_at
        from unnest(${windowIndex}::int[], ${from}::date[], ${to}::date[])
          as x(window_index, f, t)
      ) win
      cross join lateral generate_series(
        win.starts_at, win.ends_at - interval '1 microsecond', interval '1 hour'
      ) as h(starts_at)
    ) hours`
}

/** A bucket as the API shows it. */
export type BucketOut = { label: string; start: string; end: string }

function offsetText(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+'
  const abs = Math.abs(seconds)
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0')
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0')
  return `${sign}${hh}:${mm}`
}

/**
 * The label of a bucket: its first local day (`2026-03-08`), or for hours its local
 * start with the offset (`2026-03-08T03:00:00-04:00`).
 */
export function bucketLabel(
  granularity: Granularity,
  row: { first_day: string | null; starts_at: Date; utc_offset_seconds: number },
): string {
  if (granularity !== 'hour' && row.first_day) return row.first_day
  const offset = row.utc_offset_seconds
  const local = new Date(row.starts_at.getTime() + offset * 1000).toISOString().slice(0, 19)
  return `${local}${offsetText(offset)}`
}
