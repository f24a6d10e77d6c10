/**
 * The breakdown's query: one series over the window grouped by a field, sorted, one page of
 * groups, with the number of groups and the grand total.
 */
import type { Tx } from '../db.ts'
import { badRequest } from '../http/errors.ts'
import {
  addDays,
  type Field,
  fieldColumn,
  type Filter,
  filterSql,
  inTimezone,
  needsRawEvents,
  parseField,
  type RangeQuery,
  reaggregatedMetrics,
  type ReportScope,
  reportScope,
  type SeriesSpec,
} from './mod.ts'
import {
  notOverflowed,
  overflowedEvents,
  type PropertySets,
  propertySetsFor,
} from './property-sets.ts'

export const SORTS = ['value_desc', 'value_asc', 'key_asc', 'key_desc'] as const
export type Sort = typeof SORTS[number]

/** One group of the page, with the page's totals repeated on every row. */
export type BreakdownRow = {
  total_groups: number
  total: number
  key: string | null
  value: number | null
  share: number | null
}

/** What breakdownRows groups, and which page of the groups it returns. */
export type BreakdownOptions = {
  spec: SeriesSpec
  by: Field
  scope: ReportScope
  filters?: Filter[]
  sort: Sort
  offset: number
  limit: number
}

function orderBy(tx: Tx, sort: Sort) {
  switch (sort) {
    case 'value_desc':
      return tx`value desc, key asc nulls last`
    case 'value_asc':
      return tx`value asc, key asc nulls last`
    case 'key_asc':
      return tx`key asc nulls last`
    case 'key_desc':
      return tx`key desc nulls last`
  }
}

/** The grouped rows of the series: `(key, value)`, before sorting and paging. */
function groupsSql(
  tx: Tx,
  { spec, by, filters, scope, sets }: {
    spec: SeriesSpec
    by: Field
    filters: Filter[]
    scope: ReportScope
    sets: PropertySets | null
  },
) {
  const { org, tz, window } = scope
  if (spec.kind === 'metric') {
    return tx`
      select ${fieldColumn(tx, 'metrics', by)} as key, sum(m.value) as value
      from public.metrics m
      where m.org_id = ${org} and m.metric_name = ${spec.name}
        and m.metric_date >= ${window.from}::date and m.metric_date <= ${window.to}::date
        ${filterSql(tx, 'metrics', filters)}
      group by 1`
  }
  const start = tx`(${window.from}::date::timestamp at time zone ${tz}::text)`
  const stop = tx`(${addDays(window.to, 1)}::date::timestamp at time zone ${tz}::text)`
  if (sets) return propertySetGroupsSql(tx, { spec, by, filters, scope, sets })
  if (by.kind === 'property' || needsRawEvents(filters)) {
    const name = spec.kind === 'event' ? tx`and e.name = ${spec.name}` : tx``
    return tx`
      select ${fieldColumn(tx, 'events', by)} as key, count(*)::numeric as value
      from public.events e
      where e.org_id = ${org} ${name} and e.occurred_at >= ${start} and e.occurred_at < ${stop}
        ${filterSql(tx, 'events', filters)}
      group by 1`
  }
  const name = spec.kind === 'event' ? tx`and ec.name = ${spec.name}` : tx``
  return tx`
    select ec.name as key, sum(ec.events) as value
    from public.event_counts ec
    where ec.org_id = ${org} ${name} and ec.bucket >= ${start} and ec.bucket < ${stop}
      ${filterSql(tx, 'event_counts', filters)}
    group by 1`
}

// The grouped rows from the property-set rollup, plus raw events of overflowed days.
function propertySetGroupsSql(
  tx: Tx,
  { spec, by, filters, scope, sets }: {
    spec: SeriesSpec
    by: Field
    filters: Filter[]
    scope: ReportScope
    sets: PropertySets
  },
) {
  const { org } = scope
  const key = fieldColumn(tx, 'events', by)
  const { allOverflow } = sets
  if (allOverflow) return acrossNamesGroupsSql(tx, { key, filters, scope, sets, allOverflow })
  const name = spec.kind === 'event' ? tx`and e.name = ${spec.name}` : tx``
  const raw = overflowedEvents(tx, sets)
  const rawRows = raw
    ? tx`union all
      select ${key} as key, 1 as events ${raw}
      where e.org_id = ${org} ${name} ${filterSql(tx, 'events', filters)}`
    : tx``
  return tx`
    select key, sum(events)::numeric as value
    from (
      select ${key} as key, e.events
      from public.event_property_sets e
      where e.org_id = ${org} ${name}
        and e.day >= ${sets.from}::date and e.day <= ${sets.to}::date
        ${notOverflowed(tx, sets)} ${filterSql(tx, 'events', filters)}
      ${rawRows}
    ) as rows
    group by 1`
}

// All events by a property: one row per (day, object) across names, where the per-name
// rollup has one per (name, day, object), ~30x fewer for the bench organization. Days past
// the cross-name bound read the per-name rows (and those past their own bound, raw events).
function acrossNamesGroupsSql(
  tx: Tx,
  { key, filters, scope, sets, allOverflow: days }: {
    key: ReturnType<typeof fieldColumn>
    filters: Filter[]
    scope: ReportScope
    sets: PropertySets
    allOverflow: string[]
  },
) {
  const { org } = scope
  const where = filterSql(tx, 'events', filters)
  let perName = tx``
  if (days.length > 0) {
    const dayIsOver = (_: string, i: number) => days.includes(sets.overflow.days[i])
    const overflow = {
      names: sets.overflow.names.filter(dayIsOver),
      days: sets.overflow.days.filter(dayIsOver),
    }
    const named = { ...sets, overflow }
    const raw = overflowedEvents(tx, named)
    const rawRows = raw
      ? tx`union all select ${key} as key, 1 as events ${raw} where e.org_id = ${org} ${where}`
      : tx``
    perName = tx`union all
      select ${key} as key, e.events
      from public.event_property_sets e
      where e.org_id = ${org} and e.day = any(${days}::date[]) ${notOverflowed(tx, named)} ${where}
      ${rawRows}`
  }
  return tx`
    select key, sum(events)::numeric as value
    from (
      select ${key} as key, e.events
      from public.all_event_property_sets e
      where e.org_id = ${org} and e.day >= ${sets.from}::date and e.day <= ${sets.to}::date
        ${days.length > 0 ? tx`and e.day <> all(${days}::date[])` : tx``} ${where}
      ${perName}
    ) as rows
    group by 1`
}

// The rollup answers event series grouped or filtered by properties (event names alone
// come from event_counts, which is finer).
function propertySets(
  tx: Tx,
  { spec, by, scope, filters }: BreakdownOptions & { filters: Filter[] },
) {
  if (spec.kind === 'metric' || (by.kind !== 'property' && !needsRawEvents(filters))) {
    return Promise.resolve(null)
  }
  return propertySetsFor(tx, {
    org: scope.org,
    tz: scope.tz,
    orgTimezone: scope.orgTimezone,
    from: scope.window.from,
    to: scope.window.to,
    name: spec.kind === 'event' ? spec.name : null,
    acrossNames: spec.kind === 'events' && by.kind === 'property' &&
      !filters.some((f) => f.field.kind === 'event_name'),
  })
}

/**
 * One page of groups with the number of groups and the grand total on every row (one row
 * with a null key when the page is empty).
 *
 * @example
 * const rows = await breakdownRows(tx, { spec, by, scope, sort: 'value_desc', offset: 0, limit: 10 })
 */
export function breakdownRows(
  tx: Tx,
  options: BreakdownOptions,
): Promise<BreakdownRow[]> {
  const { spec, by, scope, filters = [], sort, offset, limit } = options
  return inTimezone(scope.tz, async () => {
    const sets = await propertySets(tx, { ...options, filters })
    return await tx<BreakdownRow[]>`
      with grouped as (${groupsSql(tx, { spec, by, filters, scope, sets })}),
      ranked as (
        select key, value, row_number() over (order by ${orderBy(tx, sort)}) as position
        from grouped
      ),
      overall as (select count(*)::int as group_count, coalesce(sum(value), 0) as total from grouped)
      select overall.group_count as total_groups, overall.total::float8 as total, r.key,
             r.value::float8 as value, (r.value / nullif(overall.total, 0))::float8 as share
      from overall
      left join ranked r on r.position > ${offset} and r.position <= ${offset + limit}
      order by r.position`
  })
}

/** What a breakdown report asks for: one series, the field to group by, a page. */
export type BreakdownReportQuery = RangeQuery & {
  series: SeriesSpec[]
  by: string
  sort: Sort
  offset: number
  limit: number
  filters?: Filter[]
}

/**
 * The breakdown report as GET /dashboard/breakdown answers it (and the assistant's
 * breakdown tool): one page of groups with their shares, the number of groups and the
 * grand total. A ratio metric is a 400 naming its parts.
 */
export async function breakdownReport(tx: Tx, q: BreakdownReportQuery) {
  const spec = q.series[0]
  const by = parseField(q.by)
  const scope = await reportScope(tx, q)
  await refuseRatio(tx, { org: scope.org, spec })
  const { filters, sort, offset, limit } = q
  const rows = await breakdownRows(tx, { spec, by, scope, filters, sort, offset, limit })
  return {
    timezone: scope.tz,
    window: scope.window,
    series: spec.id,
    by: q.by,
    sort: q.sort,
    limit: q.limit,
    offset: q.offset,
    total_groups: rows[0]?.total_groups ?? 0,
    total: rows[0]?.total ?? 0,
    groups: rows.filter((r) => r.value !== null).map((r) => ({
      key: r.key,
      value: r.value as number,
      share: r.share,
    })),
  }
}

/**
 * A ratio or weighted mean (engagementRate, averageSessionDuration) has no meaningful sum
 * per group: the caller breaks down its parts instead, which the message names.
 */
async function refuseRatio(tx: Tx, { org, spec }: { org: string; spec: SeriesSpec }) {
  if (spec.kind !== 'metric') return
  const rule = (await reaggregatedMetrics(tx, { org, names: [spec.name] })).get(spec.name)
  if (!rule) return
  const parts = rule.aggregation === 'ratio'
    ? `a ratio (${rule.numerator} / ${rule.denominator})`
    : `a mean weighted by ${rule.weight}`
  const message = `${spec.name} is ${parts}; break down its parts instead`
  throw badRequest(`query.series: ${message}`, [{ path: 'query.series', message }])
}
