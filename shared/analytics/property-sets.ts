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

/**
 * Where the rollup can answer: the window's org-local days, and the overflowed days. For
 * all events grouped and filtered by properties only, `allOverflow` lists the days past
 * the bound of the cross-name rollup `all_event_property_sets` (migration
 * 20261201000700); null when that rollup was not asked for.
 */
export type PropertySets = {
  from: string
  to: string
  tz: string
  overflow: Overflow
  allOverflow: string[] | null
}

/**
 * The rollup's plan for an event series over the days `from`..`to` in `tz`, or null when
 * it cannot answer (another timezone than the organization's, or a rebuild queued).
 *
 * @example
 * const sets = await propertySetsFor(tx, { org, tz, orgTimezone, from, to, name: 'page_view' })
 */
export async function propertySetsFor(
  tx: Tx,
  { org, tz, orgTimezone, from, to, name, acrossNames = false }: {
    org: string
    tz: string
    orgTimezone?: string
    from: string
    to: string
    name: string | null
    /** Also plan the cross-name rollup (all events, no name in filters or grouping). */
    acrossNames?: boolean
  },
): Promise<PropertySets | null> {
  if (!orgTimezone || orgTimezone !== tz) return null
  // All events also need the cross-name rollup's overflowed days: one statement for both.
  const allOverflow = acrossNames
    ? tx`(select coalesce(array_agg(to_char(a.day, 'YYYY-MM-DD') order by a.day), '{}')
          from public.all_event_property_days a
          where a.org_id = ${org} and a.day >= ${from}::date and a.day <= ${to}::date
            and a.overflowed)`
    : tx`null::text[]`
  const rows = await tx<
    { ready: boolean; all_overflow: string[] | null; name: string | null; day: string | null }[]
  >`
    select r.ready, r.all_overflow, d.name, to_char(d.day, 'YYYY-MM-DD') as day
    from (select private.detail_rollups_ready(${org}::uuid) as ready,
                 ${allOverflow} as all_overflow) as r
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
    allOverflow: rows[0].all_overflow,
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
