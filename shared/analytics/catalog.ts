/**
 * The catalogue's SQL: which metrics and events an organization has, read along the
 * primary keys (one index probe per name found, never a scan of the organization's rows).
 */
import type { Tx } from '../db.ts'
import { activeOrg } from '../tenant.ts'
import { reaggregationOf } from './ratios.ts'

/** Dimensions listed per metric; a metric with more says so. */
export const MAX_DIMENSIONS = 100
/** Event names listed; an organization with more says so. */
export const MAX_EVENT_NAMES = 500
/** Sources and dimensions are read from a metric's latest days only. */
export const RECENT_DAYS = 92

export type MetricEntry = {
  name: string
  first_date: string
  last_date: string
  meta: Record<string, unknown>
  sources: string[]
  dimensions: string[]
}

/**
 * Every metric name of the organization (a loose index scan: each step jumps to the next
 * name), with its first and last day, the meta of its first row, and the sources and
 * dimensions of its last RECENT_DAYS days (up to MAX_DIMENSIONS + 1 dimensions, so the
 * caller can tell there are more).
 */
export function metricCatalog(tx: Tx, { orgId }: { orgId: string }): Promise<MetricEntry[]> {
  return tx<MetricEntry[]>`
    with recursive names as (
      (select metric_name as name from public.metrics
       where org_id = ${orgId} order by metric_name limit 1)
      union all
      select (select m.metric_name from public.metrics m
              where m.org_id = ${orgId} and m.metric_name > names.name
              order by m.metric_name limit 1)
      from names where names.name is not null
    )
    select n.name, first_row.metric_date::text as first_date,
           last_row.metric_date::text as last_date, first_row.meta,
           recent.sources, recent.dimensions
    from names n
    cross join lateral (
      select metric_date, meta from public.metrics
      where org_id = ${orgId} and metric_name = n.name order by metric_date limit 1
    ) first_row
    cross join lateral (
      select metric_date from public.metrics
      where org_id = ${orgId} and metric_name = n.name order by metric_date desc limit 1
    ) last_row
    cross join lateral (
      select coalesce(array_agg(distinct r.source order by r.source), '{}') as sources,
             coalesce((array_agg(distinct r.dimension order by r.dimension)
               filter (where r.dimension <> ''))[1:${MAX_DIMENSIONS + 1}], '{}') as dimensions
      from public.metrics r
      where r.org_id = ${orgId} and r.metric_name = n.name
        and r.metric_date > last_row.metric_date - ${RECENT_DAYS}::int
    ) recent
    where n.name is not null
    order by n.name`
}

export type EventEntry = { name: string; first_seen: Date; last_seen: Date }

/**
 * Event names with their first and last 15-minute bucket, from the event_counts rollup
 * (the same loose index scan), at most MAX_EVENT_NAMES + 1.
 */
export function eventCatalog(tx: Tx, { orgId }: { orgId: string }): Promise<EventEntry[]> {
  return tx<EventEntry[]>`
    with recursive names as (
      (select name from public.event_counts where org_id = ${orgId} order by name limit 1)
      union all
      select (select ec.name from public.event_counts ec
              where ec.org_id = ${orgId} and ec.name > names.name order by ec.name limit 1)
      from names where names.name is not null
    )
    select n.name,
           (select min(bucket) from public.event_counts
            where org_id = ${orgId} and name = n.name) as first_seen,
           (select max(bucket) + interval '15 minutes' from public.event_counts
            where org_id = ${orgId} and name = n.name) as last_seen
    from (select name from names where name is not null limit ${MAX_EVENT_NAMES + 1}) n
    order by n.name`
}

/**
 * The catalogue as GET /dashboard/catalog answers it (and the assistant's catalogue tool
 * and system prompt): each metric with how it aggregates, its sources, dimensions and
 * dates, and each event name with its first and last 15-minute bucket.
 */
export async function catalogReport(tx: Tx) {
  const org = await activeOrg(tx)
  const metrics = await metricCatalog(tx, { orgId: org.id })
  const events = await eventCatalog(tx, { orgId: org.id })
  return {
    timezone: org.timezone,
    metrics: metrics.map((m) => {
      const rule = reaggregationOf(m.meta)
      return {
        name: m.name,
        aggregation: rule?.aggregation ??
          (m.meta?.aggregation === 'unique_count' ? 'unique_count' as const : 'sum' as const),
        numerator: rule?.aggregation === 'ratio' ? rule.numerator : null,
        denominator: rule?.aggregation === 'ratio' ? rule.denominator : null,
        weight: rule?.aggregation === 'weighted_mean' ? rule.weight : null,
        sources: m.sources,
        dimensions: m.dimensions.slice(0, MAX_DIMENSIONS),
        dimensions_truncated: m.dimensions.length > MAX_DIMENSIONS,
        first_date: m.first_date,
        last_date: m.last_date,
      }
    }),
    events: events.slice(0, MAX_EVENT_NAMES).map((e) => ({
      name: e.name,
      first_seen: e.first_seen.toISOString(),
      last_seen: e.last_seen.toISOString(),
    })),
    events_truncated: events.length > MAX_EVENT_NAMES,
  }
}
