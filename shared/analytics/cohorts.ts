/**
 * Retention's cohorts and the table built from the query's cells. Day N of an actor counts
 * from their own first-seen day; period k of the matrix counts from the first day of their
 * cohort.
 */
import { addDays, daysBetween, share } from './mod.ts'
import type { RetentionCell } from './retention.ts'

/** `count` consecutive cohorts of `length` days (1 or 7) from `first`, matrix 0..periods. */
export type Cohorts = { first: string; count: number; length: 1 | 7; periods: number }

const DAY_MARKS = [1, 7, 30] as const

/** The Monday of `day`'s ISO week. */
export function startOfIsoWeek(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay() // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7))
}

/** The response's cohorts, oldest first, with empty cohorts and not-yet-reached days. */
export function cohortTable(c: Cohorts, cells: RetentionCell[], today: string) {
  const byCohort = Map.groupBy(cells, (cell) => cell.cohort)
  return Array.from({ length: c.count }, (_, i) => {
    const start = addDays(c.first, i * c.length)
    const rows = byCohort.get(start) ?? []
    const size = rows[0]?.size ?? 0
    const newest = rows[0]?.newest ?? start
    const active = new Map(rows.map((r) => [r.period, r.active]))
    const dayShare = (n: typeof DAY_MARKS[number]) => {
      // A share is final only once every member has reached their own day n.
      if (size === 0 || daysBetween(newest, today) < n) return null
      const key = `day_${n}` as const
      return rows.reduce((sum, r) => sum + r[key], 0) / size
    }
    const matrix = Array.from({ length: c.periods + 1 }, (_, period) => {
      if (addDays(start, period * c.length) > today) return { period, active: null, share: null }
      const count = active.get(period) ?? 0
      return { period, active: count, share: share(count, size) }
    })
    return {
      start,
      end: addDays(start, c.length - 1),
      size,
      day_1: dayShare(1),
      day_7: dayShare(7),
      day_30: dayShare(30),
      matrix,
    }
  })
}
