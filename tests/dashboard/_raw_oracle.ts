/**
 * The raw-events answers the day rollups must equal, computed in TypeScript from the crafted
 * events themselves (never from our SQL): breakdown groups with filters, daily counts, and
 * DAU/WAU/MAU, all in the organization's days.
 */
import type { CraftedEvent } from '../_helpers/events.ts'
import { shiftDay } from './_activity.ts'

/** A filter as the API takes it. */
export type RawFilter = { field: string; op: 'is' | 'is_not' | 'contains' | 'in'; value: unknown }

/** The calendar day of an instant in `tz` (YYYY-MM-DD). */
export function localDay(at: string, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date(at))
}

/** The events as stored: one per (id, instant), the first sent kept. */
export function stored(events: CraftedEvent[]): CraftedEvent[] {
  const seen = new Map<string, CraftedEvent>()
  for (const e of events) {
    const key = `${e.id}|${new Date(e.at).toISOString()}`
    if (!seen.has(key)) seen.set(key, e)
  }
  return [...seen.values()]
}

function field(e: CraftedEvent, name: string): string | null {
  if (name === 'event_name') return e.name ?? 'page_view'
  const v = (e.properties ?? {})[name.slice('property.'.length)]
  if (v === undefined || v === null) return null
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

function passes(e: CraftedEvent, f: RawFilter): boolean {
  const v = field(e, f.field)
  switch (f.op) {
    case 'is':
      return v === String(f.value)
    case 'is_not':
      return v !== String(f.value)
    case 'contains':
      return v !== null && v.toLowerCase().includes(String(f.value).toLowerCase())
    case 'in':
      return v !== null && (f.value as unknown[]).map(String).includes(v)
  }
}

/** The events of `name` (all when null) on the days `from`..`to` in `tz` passing `filters`. */
export function selected(
  events: CraftedEvent[],
  { tz, from, to, name = null, filters = [] }: {
    tz: string
    from: string
    to: string
    name?: string | null
    filters?: RawFilter[]
  },
): CraftedEvent[] {
  return stored(events).filter((e) => {
    const day = localDay(e.at, tz)
    return day >= from && day <= to && (name === null || (e.name ?? 'page_view') === name) &&
      filters.every((f) => passes(e, f))
  })
}

/** Breakdown groups `{ key: count }` of the selected events by `by`. */
export function groupsOf(events: CraftedEvent[], by: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const e of events) {
    const key = String(field(e, by))
    out[key] = (out[key] ?? 0) + 1
  }
  return out
}

/** Counts per local day of the selected events. */
export function perDay(events: CraftedEvent[], tz: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const e of events) out[localDay(e.at, tz)] = (out[localDay(e.at, tz)] ?? 0) + 1
  return out
}

/** [date, DAU, WAU, MAU] for each day from `from` to `to` in `tz`. */
export function activeUsers(
  events: CraftedEvent[],
  { tz, from, to }: { tz: string; from: string; to: string },
): [string, number, number, number][] {
  const days = new Map<string, Set<string>>()
  for (const e of stored(events)) {
    if (!e.actor) continue
    const day = localDay(e.at, tz)
    days.set(day, (days.get(day) ?? new Set()).add(e.actor))
  }
  const distinct = (d: string, size: number) => {
    const actors = new Set<string>()
    for (let i = 0; i < size; i++) for (const a of days.get(shiftDay(d, -i)) ?? []) actors.add(a)
    return actors.size
  }
  const out: [string, number, number, number][] = []
  for (let d = from; d <= to; d = shiftDay(d, 1)) {
    out.push([d, distinct(d, 1), distinct(d, 7), distinct(d, 30)])
  }
  return out
}

/** Per event name, `[events, distinct actors]` on the days `from`..`to` in `tz`. */
export function featureUsage(
  events: CraftedEvent[],
  window: { tz: string; from: string; to: string },
): Record<string, [number, number]> {
  const names = new Map<string, { events: number; actors: Set<string> }>()
  for (const e of selected(events, window)) {
    const name = e.name ?? 'page_view'
    const entry = names.get(name) ?? { events: 0, actors: new Set<string>() }
    entry.events++
    if (e.actor) entry.actors.add(e.actor)
    names.set(name, entry)
  }
  return Object.fromEntries([...names].map(([n, v]) => [n, [v.events, v.actors.size]]))
}

/** A retention cohort as the API's `cohorts` entries, with active counts for the matrix. */
export type RawCohort = {
  start: string
  size: number
  day_1: number | null
  day_7: number | null
  day_30: number | null
  actives: number[]
}

/**
 * Retention cohorts of `count` days or ISO weeks from `first` (a Monday for weeks), with
 * periods 0..`periods`: members are the actors whose first active day in `tz` falls in the
 * cohort; period p counts the members active in the cohort's p-th day or week after its
 * start, day N those active exactly N days after their own first day. Every day is taken
 * to be past (no nulls for days not reached).
 */
export function retentionCohorts(
  events: CraftedEvent[],
  { tz, cohort, first, count, periods }: {
    tz: string
    cohort: 'day' | 'week'
    first: string
    count: number
    periods: number
  },
): RawCohort[] {
  const days = new Map<string, Set<string>>()
  for (const e of stored(events)) {
    if (!e.actor) continue
    days.set(e.actor, (days.get(e.actor) ?? new Set()).add(localDay(e.at, tz)))
  }
  const length = cohort === 'week' ? 7 : 1
  return Array.from({ length: count }, (_, i) => {
    const start = shiftDay(first, i * length)
    const end = shiftDay(start, length - 1)
    const members = [...days.values()].map((set) => ({ set, first: [...set].sort()[0] }))
      .filter((m) => m.first >= start && m.first <= end)
    const size = members.length
    const dayShare = (n: number) =>
      size === 0 ? null : members.filter((m) => m.set.has(shiftDay(m.first, n))).length / size
    const actives = Array.from({ length: periods + 1 }, (_, p) => {
      const from = shiftDay(start, p * length)
      const to = shiftDay(from, length - 1)
      return members.filter((m) => [...m.set].some((d) => d >= from && d <= to)).length
    })
    return { start, size, day_1: dayShare(1), day_7: dayShare(7), day_30: dayShare(30), actives }
  })
}
