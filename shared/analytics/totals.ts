/**
 * The one query behind tiles and series: every series summed into every bucket of one or
 * two windows, zero-filled. Each series reads only its window's rows through an index
 * range scan, and `width_bucket` over the bucket boundaries assigns rows to buckets, so
 * the cost grows with the rows read, not with rows × buckets.
 *
 * Metrics sum `value` over sources and dimensions; events come from the day rollup
 * `event_name_days` when the buckets are days of the organization's timezone, else from the
 * 15-minute rollup `event_counts` (exact for any timezone). With property filters they come
 * from the day rollup `event_property_sets` (property-sets.ts) for such days, else from raw
 * events.
 */
import type { Tx } from '../db.ts'
import { type BucketPlan, bucketsSql, type WindowIndex } from './buckets.ts'
import { type Filter, filterSql, needsRawEvents } from './filters.ts'
import type { SeriesSpec } from './measures.ts'
import { expandReaggregated, reaggregatedMetrics, type SummedSeries } from './ratios.ts'
import {
  notOverflowed,
  overflowedEvents,
  type PropertySets,
  propertySetsFor,
} from './property-sets.ts'

/** One bucket with the value of each requested series, in request order. */
export type BucketTotals = {
  /** 0 the current window, 1 the comparison window. */
  window_index: WindowIndex
  /** 1-based position within its window. */
  bucket_index: number
  /** The bucket's first local day (YYYY-MM-DD); null for hour buckets. */
  first_day: string | null
  starts_at: Date
  /** Exclusive. */
  ends_at: Date
  /** The timezone's UTC offset at `starts_at`, for labels. */
  utc_offset_seconds: number
  values: number[]
  /**
   * Each series' total over the bucket's whole window (summed exactly, in numeric). Metric
   * values are at most ±1e15 (metrics_value_bounded), so no sum comes near float8's limit.
   */
  totals: number[]
}

/**
 * `orgTimezone`: the organization's, in which day rollups are kept. `sets`: the property
 * set rollup's plan, when event series filtered by properties can read it. `dayBuckets`:
 * every bucket is whole days of the organization's timezone, so day rollups can answer.
 */
type Scope = {
  org: string
  tz: string
  filters: Filter[]
  orgTimezone?: string
  sets?: PropertySets | null
  dayBuckets?: boolean
}

/** The per-window aggregates of `buckets` that `bucketValues` reads its bounds from. */
type WindowBound =
  | 'starts_at'
  | 'ends_at'
  | 'first_day'
  | 'day_after'
  | 'instant_bounds'
  | 'day_bounds'

/**
 * Rows `(window_index, bucket_index, value)` of one series in one window: its total per
 * bucket, for buckets with rows. The window's bounds come from `window_bounds` as scalar
 * subqueries (evaluated once, before the scan), so they become index conditions: a join
 * to `window_bounds` would be planned blind and may scan the series' whole history.
 */
function bucketValues(
  tx: Tx,
  spec: SummedSeries,
  windowIndex: WindowIndex,
  { org, filters, sets, dayBuckets }: Scope,
) {
  const bound = (column: WindowBound) =>
    tx`(select ${tx(column)} from window_bounds
      where window_bounds.window_index = ${windowIndex}::int)`
  if (spec.kind === 'weighted') {
    return tx`
      select ${windowIndex}::int as window_index,
             width_bucket(m.metric_date, ${bound('day_bounds')}) as bucket_index,
             sum(${spec.part === 'product' ? tx`m.value * w.value` : tx`w.value`}) as value
      from public.metrics m
      join public.metrics w on w.org_id = m.org_id and w.metric_name = ${spec.weight}
        and w.metric_date = m.metric_date and w.source = m.source and w.dimension = m.dimension
      where m.org_id = ${org} and m.metric_name = ${spec.name}
        and m.metric_date >= ${bound('first_day')} and m.metric_date < ${bound('day_after')}
        ${filterSql(tx, 'metrics', filters)}
      group by 2`
  }
  if (spec.kind === 'metric') {
    return tx`
      select ${windowIndex}::int as window_index,
             width_bucket(m.metric_date, ${bound('day_bounds')}) as bucket_index,
             sum(m.value) as value
      from public.metrics m
      where m.org_id = ${org} and m.metric_name = ${spec.name}
        and m.metric_date >= ${bound('first_day')} and m.metric_date < ${bound('day_after')}
        ${filterSql(tx, 'metrics', filters)}
      group by 2`
  }
  if (needsRawEvents(filters) && sets) {
    const name = spec.kind === 'event' ? tx`and e.name = ${spec.name}` : tx``
    const raw = overflowedEvents(tx, sets)
    const rawRows = raw
      ? tx`union all
        select width_bucket(e.occurred_at, ${bound('instant_bounds')}) as bucket_index,
               count(*) as value
        ${raw}
        where e.org_id = ${org} ${name}
          and e.occurred_at >= ${bound('starts_at')} and e.occurred_at < ${bound('ends_at')}
          ${filterSql(tx, 'events', filters)}
        group by 1`
      : tx``
    // Day buckets in the organization's timezone: the rollup's days fall in them whole.
    return tx`
      select ${windowIndex}::int as window_index, bucket_index, sum(value) as value
      from (
        select width_bucket(e.day, ${bound('day_bounds')}) as bucket_index,
               sum(e.events) as value
        from public.event_property_sets e
        where e.org_id = ${org} ${name}
          and e.day >= ${bound('first_day')} and e.day < ${bound('day_after')}
          ${notOverflowed(tx, sets)} ${filterSql(tx, 'events', filters)}
        group by 1
        ${rawRows}
      ) as parts
      group by 2`
  }
  if (needsRawEvents(filters)) {
    const name = spec.kind === 'event' ? tx`and e.name = ${spec.name}` : tx``
    return tx`
      select ${windowIndex}::int as window_index,
             width_bucket(e.occurred_at, ${bound('instant_bounds')}) as bucket_index,
             count(*) as value
      from public.events e
      where e.org_id = ${org} ${name}
        and e.occurred_at >= ${bound('starts_at')} and e.occurred_at < ${bound('ends_at')}
        ${filterSql(tx, 'events', filters)}
      group by 2`
  }
  const name = spec.kind === 'event' ? tx`and ec.name = ${spec.name}` : tx``
  // The day rows are the organization's days only while no timezone rebuild is queued; the
  // readiness test is a one-time filter, so exactly one of the two branches reads rows.
  const ready = tx`(select private.detail_rollups_ready(${org}::uuid))`
  const quarterHours = (unlessReady: boolean) =>
    tx`
    select ${windowIndex}::int as window_index,
           width_bucket(ec.bucket, ${bound('instant_bounds')}) as bucket_index,
           sum(ec.events) as value
    from public.event_counts ec
    where ${unlessReady ? tx`not ${ready} and` : tx``} ec.org_id = ${org} ${name}
      and ec.bucket >= ${bound('starts_at')} and ec.bucket < ${bound('ends_at')}
      ${filterSql(tx, 'event_counts', filters)}
    group by 2`
  if (!dayBuckets) return quarterHours(false)
  // One row per name and day instead of 96: 90 days of one name read ~90 rows, not ~8,500.
  return tx`
    select ${windowIndex}::int as window_index,
           width_bucket(ec.day, ${bound('day_bounds')}) as bucket_index,
           sum(ec.events) as value
    from public.event_name_days ec
    where ${ready} and ec.org_id = ${org} ${name}
      and ec.day >= ${bound('first_day')} and ec.day < ${bound('day_after')}
      ${filterSql(tx, 'event_counts', filters)}
    group by 2
    union all
    ${quarterHours(true)}`
}

// Event series filtered by properties read the property-set rollup when the buckets are
// whole days of the organization's timezone.
function propertySets(
  tx: Tx,
  specs: SeriesSpec[],
  { org, tz, orgTimezone, filters, plan }: Scope & { plan: BucketPlan },
): Promise<PropertySets | null> {
  if (plan.kind !== 'dates' || plan.spans.length === 0 || !needsRawEvents(filters)) {
    return Promise.resolve(null)
  }
  if (!specs.some((s) => s.kind !== 'metric')) return Promise.resolve(null)
  const from = plan.spans.reduce((d, s) => s.from < d ? s.from : d, plan.spans[0].from)
  const to = plan.spans.reduce((d, s) => s.to > d ? s.to : d, plan.spans[0].to)
  return propertySetsFor(tx, { org, tz, orgTimezone, from, to, name: null })
}

/** The windows (0 = current, 1 = comparison) a plan has buckets in. */
function windowsOf(plan: BucketPlan): WindowIndex[] {
  return plan.kind === 'hours'
    ? plan.windows.map((_, w) => w as WindowIndex)
    : [...new Set(plan.spans.map((s) => s.windowIndex))]
}

/**
 * Each series' value in each bucket of `plan`: a sum, or for a ratio or weighted-mean
 * metric (see ratios.ts) the sum of its numerator over the sum of its denominator, per
 * bucket and per window.
 *
 * @example
 * const rows = await bucketTotals(tx, specs, { org, tz, filters, plan })
 * rows[0].values[1] // the first bucket's value of the second series
 */
export async function bucketTotals(
  tx: Tx,
  specs: SeriesSpec[],
  opts: Scope & { plan: BucketPlan },
): Promise<BucketTotals[]> {
  const names = specs.flatMap((s) => s.kind === 'metric' ? [s.name] : [])
  const rules = await reaggregatedMetrics(tx, { org: opts.org, names })
  const sets = await propertySets(tx, specs, opts)
  const dayBuckets = opts.plan.kind === 'dates' && opts.orgTimezone === opts.tz
  if (rules.size === 0) return await bucketSums(tx, specs, { ...opts, sets, dayBuckets })
  const { summed, collapse } = expandReaggregated(specs, rules)
  const rows = await bucketSums(tx, summed, { ...opts, sets, dayBuckets })
  return rows.map((row) => ({ ...row, values: collapse(row.values), totals: collapse(row.totals) }))
}

/**
 * Sums each series into each bucket of `plan`, in one statement: `buckets` lists the
 * buckets, `window_bounds` each window's outer bounds and bucket boundaries, and
 * `series_<n>` the values of the n-th series, left-joined onto the buckets (so a bucket
 * without rows is 0).
 */
async function bucketSums(
  tx: Tx,
  specs: SummedSeries[],
  opts: Scope & { plan: BucketPlan },
): Promise<BucketTotals[]> {
  const names = specs.map((_, n) => tx(`series_${n}`))
  const windows = windowsOf(opts.plan)
  const ctes = specs.reduce((sql, spec, n) => {
    const parts = windows.map((w) => bucketValues(tx, spec, w, opts))
      .reduce((union, part) => tx`${union} union all ${part}`)
    return tx`${sql}, ${names[n]} as (${parts})`
  }, tx``)
  const joins = specs.reduce(
    (sql, _, n) =>
      tx`${sql} left join ${names[n]} on ${names[n]}.window_index = buckets.window_index
        and ${names[n]}.bucket_index = buckets.bucket_index`,
    tx``,
  )
  const values = specs
    .map((_, n) => tx`coalesce(${names[n]}.value, 0)::float8`)
    .reduce((sql, v) => tx`${sql}, ${v}`)
  const totals = specs
    .map((_, n) =>
      tx`(sum(coalesce(${names[n]}.value, 0)) over (partition by buckets.window_index))::float8`
    )
    .reduce((sql, v) => tx`${sql}, ${v}`)
  return await tx<BucketTotals[]>`
    with buckets as (${bucketsSql(tx, opts)}),
    window_bounds as (
      select window_index, min(starts_at) as starts_at, max(ends_at) as ends_at,
             min(first_day) as first_day, max(day_after) as day_after,
             array_agg(starts_at order by bucket_index) || max(ends_at) as instant_bounds,
             array_agg(first_day order by bucket_index) || max(day_after) as day_bounds
      from buckets group by window_index
    )${ctes}
    select buckets.window_index, buckets.bucket_index, buckets.first_day::text as first_day,
           buckets.starts_at, buckets.ends_at, buckets.utc_offset_seconds,
           array[${values}] as values, array[${totals}] as totals
    from buckets ${joins}
    order by buckets.window_index, buckets.bucket_index`
}
