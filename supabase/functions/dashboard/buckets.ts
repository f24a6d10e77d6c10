/**
 * Time buckets of a window in a timezone. Day, week (ISO, Monday start) and month buckets
 * are spans of calendar days, computed here and clipped to the window; their instants come
 * from Postgres (`date::timestamp at time zone tz`), so a DST day is 23 or 25 hours long.
 * Hour buckets step over instants from local midnight, so a DST day has 23 or 25 of them.
 */
import type { Tx } from '../../../shared/db.ts'
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

/** Inclusive calendar days of one bucket; `w` is the window (0 current, 1 comparison). */
export type DateSpan = { w: number; from: string; to: string }

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
 * The buckets of `window` at a calendar granularity, first and last clipped to it.
 *
 * @example
 * dateSpans({ from: '2026-03-04', to: '2026-03-10', days: 7 }, 'week', 0)
 * // [{ w: 0, from: '2026-03-04', to: '2026-03-08' }, { w: 0, from: '2026-03-09', to: '2026-03-10' }]
 */
export function dateSpans(
  window: DateWindow,
  granularity: 'day' | 'week' | 'month',
  w: number,
): DateSpan[] {
  const spans: DateSpan[] = []
  for (let from = window.from; from <= window.to;) {
    const next = nextStart(from, granularity)
    const last = addDays(next, -1)
    spans.push({ w, from, to: last < window.to ? last : window.to })
    from = next
  }
  return spans
}

/** How to cut the windows: explicit day spans, or hours over whole windows. */
export type BucketPlan =
  | { kind: 'dates'; spans: DateSpan[] }
  | { kind: 'hours'; windows: DateWindow[] }

/**
 * SQL yielding one row per bucket: `w` (window), `i` (1-based within the window),
 * `dlo`/`dhi` (days [dlo, dhi), null for hours), `lo`/`hi` (instants [lo, hi)) and
 * `off` (the timezone's UTC offset in seconds at `lo`, for labels).
 */
export function bucketRowsSql(tx: Tx, tz: string, plan: BucketPlan) {
  const offset =
    tx`extract(epoch from (lo at time zone ${tz}::text) - (lo at time zone 'UTC'))::int`
  if (plan.kind === 'dates') {
    const w = plan.spans.map((s) => s.w)
    // 1-based position within its window; spans come grouped by window.
    const i: number[] = []
    plan.spans.forEach((s, n) => i.push(n > 0 && plan.spans[n - 1].w === s.w ? i[n - 1] + 1 : 1))
    const dlo = plan.spans.map((s) => s.from)
    const dhi = plan.spans.map((s) => addDays(s.to, 1))
    return tx`
      select w, i, dlo, dhi, lo, hi, ${offset} as off
      from (
        select u.w, u.i, u.dlo, u.dhi,
               (u.dlo::timestamp at time zone ${tz}::text) as lo,
               (u.dhi::timestamp at time zone ${tz}::text) as hi
        from unnest(${w}::int[], ${i}::int[], ${dlo}::date[], ${dhi}::date[]) as u(w, i, dlo, dhi)
      ) spans`
  }
  const w = plan.windows.map((_, n) => n)
  const from = plan.windows.map((x) => x.from)
  const to = plan.windows.map((x) => addDays(x.to, 1))
  return tx`
    select w, i, dlo, dhi, lo, hi, ${offset} as off
    from (
      select win.w,
             (row_number() over (partition by win.w order by h.lo))::int as i,
             null::date as dlo, null::date as dhi,
             h.lo, least(h.lo + interval '1 hour', win.hi) as hi
      from (
        select x.w, (x.f::timestamp at time zone ${tz}::text) as lo,
               (x.t::timestamp at time zone ${tz}::text) as hi
        from unnest(${w}::int[], ${from}::date[], ${to}::date[]) as x(w, f, t)
      ) win
      cross join lateral generate_series(
        win.lo, win.hi - interval '1 microsecond', interval '1 hour'
      ) as h(lo)
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
  row: { dlo: string | null; lo: Date; off: number },
): string {
  if (granularity !== 'hour' && row.dlo) return row.dlo
  const local = new Date(row.lo.getTime() + row.off * 1000).toISOString().slice(0, 19)
  return `${local}${offsetText(row.off)}`
}
