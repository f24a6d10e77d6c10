/**
 * Retention shift: day-N retention of the actors first seen in the current window against
 * those first seen in the comparison window, from the dashboard's retentionCells (daily
 * cohorts over both windows).
 *
 * Day-N retention is the share of actors active again exactly N days after their first day,
 * as the retention report's day_7 counts it. Only actors whose day N has come (first seen
 * at least N days before today) count, so a window ending today is not read as a drop.
 * N is 7, or 1 when the current window has too few actors who reached day 7.
 * The rollups keep the organization's days, so the window's dates are read as those days
 * even when the report asked for another timezone (as the retention report does).
 */
import type { Tx } from '../../db.ts'
import { addDays, type DateWindow, daysBetween } from '../range.ts'
import { type RetentionCell, retentionCells } from '../retention.ts'
import type { RetentionShiftFinding } from './schema.ts'
import { formatValue } from './text.ts'

/** Each window needs at least this many actors who reached day N. */
export const MIN_ACTORS = 10
/** A shift is reported from this many percentage points on. */
export const MIN_SHIFT_POINTS = 3

type Side = RetentionShiftFinding['current']

/** Actors first seen in `window` up to `lastFirstDay`, and how many were back on day N. */
function sideOf(
  cells: RetentionCell[],
  { window, lastFirstDay, day }: { window: DateWindow; lastFirstDay: string; day: 1 | 7 },
): Side | undefined {
  const to = window.to < lastFirstDay ? window.to : lastFirstDay
  if (to < window.from) return undefined
  const sizes = new Map<string, number>()
  let retained = 0
  for (const cell of cells) {
    if (cell.cohort < window.from || cell.cohort > to) continue
    sizes.set(cell.cohort, cell.size)
    retained += day === 7 ? cell.day_7 : cell.day_1
  }
  const actors = [...sizes.values()].reduce((a, b) => a + b, 0)
  if (actors === 0) return undefined
  const firstSeen = { from: window.from, to, days: daysBetween(window.from, to) + 1 }
  return { first_seen: firstSeen, actors, retained, rate: retained / actors }
}

/**
 * The shift in day-7 (or day-1) retention between the windows' new actors, when both have
 * MIN_ACTORS and it is at least MIN_SHIFT_POINTS. Cost: one retentionCells statement over
 * the actors first seen in either window and their first 30 days of activity (index-only
 * scans of the event_actors and event_actor_days rollups).
 */
export async function retentionShift(
  tx: Tx,
  { org, window, comparison, today }: {
    org: string
    window: DateWindow
    comparison: DateWindow
    today: string
  },
): Promise<RetentionShiftFinding | undefined> {
  const cohorts = {
    first: comparison.from,
    count: comparison.days + window.days,
    length: 1,
    periods: 0,
  } as const
  const cells = await retentionCells(tx, { orgId: org, cohorts })
  if (cells.length === 0) return undefined
  const sides = (day: 1 | 7) => {
    const lastFirstDay = addDays(today, -day)
    return {
      day,
      current: sideOf(cells, { window, lastFirstDay, day }),
      previous: sideOf(cells, { window: comparison, lastFirstDay, day }),
    }
  }
  const week = sides(7)
  const { day, current, previous } = (week.current?.actors ?? 0) >= MIN_ACTORS ? week : sides(1)
  if (!current || !previous || current.actors < MIN_ACTORS || previous.actors < MIN_ACTORS) {
    return undefined
  }
  const points = (current.rate - previous.rate) * 100
  if (Math.abs(points) < MIN_SHIFT_POINTS) return undefined
  const pct = (rate: number) => `${formatValue(rate * 100)}%`
  return {
    kind: 'retention_shift',
    text:
      `Day-${day} retention of new actors ${points > 0 ? 'rose' : 'fell'} ${
        formatValue(Math.abs(points))
      } points, to ${
        pct(current.rate)
      } of ${current.actors} first seen from ${current.first_seen.from} ` +
      `(from ${pct(previous.rate)} of ${previous.actors} in the previous window).`,
    series: null,
    day,
    current,
    previous,
    change_points: points,
  }
}
