/**
 * Event counts by property from the `event_property_sets` rollup (migration
 * 20261201000500_event_detail_rollups.sql): one row per organization day, event name and
 * distinct properties object, with its number of events. Filters and breakdown keys are the
 * same `e.properties ->> key` expressions as on raw events, weighted by the row's `events`,
 * so the answer is the raw answer, exactly.
 *
 * The rollup's days are the organization's calendar days, so it answers only windows of
 * whole days in the organization's timezone, and only while no timezone rebuild is queued.
 * A (name, day) past the rollup's bound ("overflowed") is counted from raw events instead,
 * one day's index range each.
 */
import type { Tx } from '../db.ts'

/** The names and days (parallel arrays) read from raw events instead of the rollup. */
export type Overflow = { names: string[]; days: string[] }

/** Where the rollup can answer: the window's org-local days, and the overflowed days. */
export type PropertySets = { from: string; to: string; tz: string; overflow: Overflow }

/**
 * The rollup's plan for an event series over the days `from`..`to` in `tz`, or null when
 * it cannot answer (another timezone than the organization's, or a rebuild queued).
 *
 * @example
 * const sets = await propertySetsFor(tx, { org, tz, orgTimezone, from, to, name: 'page_view' })
 */
export async function propertySetsFor(
  tx: Tx,
  { org, tz, orgTimezone, from, to, name }: {
    org: string
    tz: string
    orgTimezone?: string
    from: string
    to: string
    name: string | null
  },
): Promise<PropertySets | null> {
  if (!orgTimezone || orgTimezone !== tz) return null
  const rows = await tx<{ ready: boolean; name: string | null; day: string | null }[]>`
    select r.ready, d.name, to_char(d.day, 'YYYY-MM-DD') as day
    from (select private.detail_rollups_ready(${org}::uuid) as ready) as r
    left join public.event_property_days d
      on r.ready and d.org_id = ${org} and d.overflowed
        and d.day >= ${from}::date and d.day <= ${to}::date
        ${name === null ? tx`` : tx`and d.name = ${name}`}`
  if (!rows[0]?.ready) return null
  const overflowed = rows.filter((r) => r.name !== null && r.day !== null)
  return {
    from,
    to,
    tz,
    overflow: {
      names: overflowed.map((r) => r.name as string),
      days: overflowed.map((r) => r.day as string),
    },
  }
}

/** `and` the rollup row's (name, day) is not overflowed, for a where clause over alias e. */
export function notOverflowed(tx: Tx, { overflow }: PropertySets) {
  if (overflow.names.length === 0) return tx``
  return tx`and not exists (
    select 1 from unnest(${overflow.names}::text[], ${overflow.days}::date[]) as o (name, day)
    where o.name = e.name and o.day = e.day)`
}

/**
 * A join restricting raw events (alias e) to the overflowed days, one index range per
 * (name, day), or null when nothing overflowed.
 */
export function overflowedEvents(tx: Tx, { overflow, tz }: PropertySets) {
  if (overflow.names.length === 0) return null
  return tx`
    from public.events e
    join unnest(${overflow.names}::text[], ${overflow.days}::date[]) as o (name, day)
      on e.name = o.name
      and e.occurred_at >= (o.day::timestamp at time zone ${tz}::text)
      and e.occurred_at < ((o.day + 1)::timestamp at time zone ${tz}::text)`
}
