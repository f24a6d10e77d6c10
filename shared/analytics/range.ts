/**
 * Date ranges of the dashboard: presets and explicit dates, resolved to calendar days in
 * an IANA timezone, and the comparison window that goes with them.
 *
 * Dates are plain `YYYY-MM-DD` strings (calendar days in the chosen timezone, both ends
 * inclusive); SQL turns them into instants with `at time zone`, which handles DST.
 */
import { z } from '@hono/zod-openapi'
import { isValidTimezone } from '../domain/timezone.ts'

/** Longest range any dashboard query may cover, in days. */
export const MAX_RANGE_DAYS = 731

export const PRESETS = ['7d', '28d', '90d', 'mtd', 'ytd'] as const
export type Preset = typeof PRESETS[number]
export const COMPARISONS = ['previous_period', 'previous_year', 'none'] as const
export type Comparison = typeof COMPARISONS[number]

/** An inclusive span of calendar days. */
export type DateWindow = { from: string; to: string; days: number }

/** A calendar day as `YYYY-MM-DD`, rejecting impossible dates such as 2026-02-30. */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((d) => {
    // zod runs this even when the regex failed, so an unparsable date must not throw.
    const t = toDate(d)
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d
  }, 'not a real calendar date')

/** Query parameters shared by every ranged dashboard endpoint. */
export const rangeQuerySchema = z.object({
  range: z.enum(PRESETS).optional().openapi({
    description: 'Preset ending today (inclusive); ignored when from/to are given. Default 28d.',
  }),
  from: isoDate.optional().openapi({ description: 'First day (inclusive), YYYY-MM-DD' }),
  to: isoDate.optional().openapi({ description: 'Last day (inclusive), YYYY-MM-DD' }),
  timezone: z.string().refine(isValidTimezone, 'not a known IANA timezone').optional().openapi({
    description: "IANA timezone of the days, e.g. Europe/Berlin. Default: the organization's.",
  }),
})

export type RangeQuery = z.infer<typeof rangeQuerySchema>

/**
 * Adds the cross-field rules (both dates or none, from ≤ to, bounded span) to a query
 * schema that includes rangeQuerySchema's fields.
 */
export function withRangeRules<T extends z.ZodType<RangeQuery>>(
  schema: T,
  maxDays = MAX_RANGE_DAYS,
) {
  return schema.superRefine((q, ctx) => {
    if ((q.from === undefined) !== (q.to === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [q.from === undefined ? 'from' : 'to'],
        message: 'from and to must be given together',
      })
    } else if (q.from && q.to) {
      if (q.from > q.to) {
        ctx.addIssue({ code: 'custom', path: ['from'], message: `must not be after to (${q.to})` })
      } else if (daysBetween(q.from, q.to) + 1 > maxDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `range is longer than ${maxDays} days`,
        })
      }
    }
  })
}

function toDate(d: string): Date {
  return new Date(`${d}T00:00:00Z`)
}

/** `date` moved by `n` days. */
export function addDays(date: string, n: number): string {
  const d = toDate(date)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** Whole days from `from` to `to` (0 when equal). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / 86_400_000)
}

/** The same calendar day a year earlier; 29 February becomes the 28th. */
export function yearBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number)
  const last = new Date(Date.UTC(y - 1, m, 0)).getUTCDate()
  return `${String(y - 1).padStart(4, '0')}-${String(m).padStart(2, '0')}-${
    String(Math.min(d, last)).padStart(2, '0')
  }`
}

// One formatter per timezone: building one took ~0.2 ms, more than formatting with it,
// and every report resolves its window through todayIn. The names that reach here are
// IANA names (isValidTimezone, or an organization's stored one), a bounded set.
const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** Today's calendar date in `tz`. */
export function todayIn(tz: string, now = new Date()): string {
  let format = dayFormats.get(tz)
  if (!format) {
    // en-CA formats as YYYY-MM-DD. Built before it is kept, so an unknown tz throws each time.
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
    dayFormats.set(tz, format)
  }
  return format.format(now)
}

function window(from: string, to: string): DateWindow {
  return { from, to, days: daysBetween(from, to) + 1 }
}

/**
 * The window a query asks for: explicit dates, else the preset (default 28d) ending today.
 * `now` is for tests.
 */
export function resolveWindow(
  q: RangeQuery,
  tz: string,
  { now = new Date() }: { now?: Date } = {},
): DateWindow {
  if (q.from && q.to) return window(q.from, q.to)
  const today = todayIn(tz, now)
  switch (q.range ?? '28d') {
    case '7d':
      return window(addDays(today, -6), today)
    case '28d':
      return window(addDays(today, -27), today)
    case '90d':
      return window(addDays(today, -89), today)
    case 'mtd':
      return window(`${today.slice(0, 8)}01`, today)
    case 'ytd':
      return window(`${today.slice(0, 5)}01-01`, today)
  }
}

/**
 * The window to compare `current` with: the equally long span just before it, the same
 * dates a year earlier, or none.
 */
export function compareWindow(current: DateWindow, mode: Comparison): DateWindow | null {
  switch (mode) {
    case 'none':
      return null
    case 'previous_period':
      return window(addDays(current.from, -current.days), addDays(current.from, -1))
    case 'previous_year':
      return window(yearBefore(current.from), yearBefore(current.to))
  }
}
