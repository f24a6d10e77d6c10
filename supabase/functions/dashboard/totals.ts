/**
 * The one query behind tiles and series: every series summed into every bucket of one or
 * two windows, zero-filled. Each series reads only its window's rows through an index
 * range scan, and `width_bucket` over the bucket boundaries assigns rows to buckets, so
 * the cost grows with the rows read, not with rows × buckets.
 *
 * Metrics sum `value` over sources and dimensions; events come from the 15-minute
 * rollup `event_counts` (exact for any timezone) unless a filter needs event properties.
 */
import type { Tx } from '../../../shared/db.ts'
import { type BucketPlan, bucketRowsSql } from './buckets.ts'
import { type Filter, filterSql, needsRawEvents } from './filters.ts'
import type { SeriesSpec } from './measures.ts'

/** One bucket with the value of each requested series, in request order. */
export type BucketTotals = {
  w: number
  i: number
  dlo: string | null
  lo: Date
  hi: Date
  off: number
  values: number[]
  /**
   * Each series' total over the bucket's whole window (summed exactly, in numeric). Metric
   * values are at most ±1e15 (metrics_value_bounded), so no sum comes near float8's limit.
   */
  totals: number[]
}

type Scope = { org: string; tz: string; filters: Filter[] }

/**
 * Rows `(w, i, v)` of one series in window `w`: its total per bucket, for buckets with
 * rows. The window's bounds come from `bd` as scalar subqueries (evaluated once, before
 * the scan), so they become index conditions: a join to `bd` would be planned blind and
 * may scan the series' whole history.
 */
function perBucket(tx: Tx, spec: SeriesSpec, w: number, { org, filters }: Scope) {
  const bound = (column: 'lo' | 'hi' | 'dlo' | 'dhi' | 't_bounds' | 'd_bounds') =>
    tx`(select ${tx(column)} from bd where bd.w = ${w}::int)`
  if (spec.kind === 'metric') {
    return tx`
      select ${w}::int as w, width_bucket(m.metric_date, ${bound('d_bounds')}) as i,
             sum(m.value) as v
      from public.metrics m
      where m.org_id = ${org} and m.metric_name = ${spec.name}
        and m.metric_date >= ${bound('dlo')} and m.metric_date < ${bound('dhi')}
        ${filterSql(tx, 'metrics', filters)}
      group by 2`
  }
  if (needsRawEvents(filters)) {
    const name = spec.kind === 'event' ? tx`and e.name = ${spec.name}` : tx``
    return tx`
      select ${w}::int as w, width_bucket(e.occurred_at, ${bound('t_bounds')}) as i,
             count(*) as v
      from public.events e
      where e.org_id = ${org} ${name}
        and e.occurred_at >= ${bound('lo')} and e.occurred_at < ${bound('hi')}
        ${filterSql(tx, 'events', filters)}
      group by 2`
  }
  const name = spec.kind === 'event' ? tx`and ec.name = ${spec.name}` : tx``
  return tx`
    select ${w}::int as w, width_bucket(ec.bucket, ${bound('t_bounds')}) as i,
           sum(ec.events) as v
    from public.event_counts ec
    where ec.org_id = ${org} ${name}
      and ec.bucket >= ${bound('lo')} and ec.bucket < ${bound('hi')}
      ${filterSql(tx, 'event_counts', filters)}
    group by 2`
}

/** The windows (0 = current, 1 = comparison) a plan has buckets in. */
function windowsOf(plan: BucketPlan): number[] {
  return plan.kind === 'hours'
    ? plan.windows.map((_, w) => w)
    : [...new Set(plan.spans.map((s) => s.w))]
}

/**
 * Sums each series into each bucket of `plan`, in one statement.
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
  const names = specs.map((_, n) => tx(`v${n}`))
  const windows = windowsOf(opts.plan)
  const ctes = specs.reduce((sql, spec, n) => {
    const parts = windows.map((w) => perBucket(tx, spec, w, opts))
      .reduce((union, part) => tx`${union} union all ${part}`)
    return tx`${sql}, ${names[n]} as (${parts})`
  }, tx``)
  const joins = specs.reduce(
    (sql, _, n) => tx`${sql} left join ${names[n]} on ${names[n]}.w = b.w and ${names[n]}.i = b.i`,
    tx``,
  )
  const values = specs
    .map((_, n) => tx`coalesce(${names[n]}.v, 0)::float8`)
    .reduce((sql, v) => tx`${sql}, ${v}`)
  const totals = specs
    .map((_, n) => tx`(sum(coalesce(${names[n]}.v, 0)) over (partition by b.w))::float8`)
    .reduce((sql, v) => tx`${sql}, ${v}`)
  return await tx<BucketTotals[]>`
    with b as (${bucketRowsSql(tx, opts.tz, opts.plan)}),
    bd as (
      select w, min(lo) as lo, max(hi) as hi, min(dlo) as dlo, max(dhi) as dhi,
             array_agg(lo order by i) || max(hi) as t_bounds,
             array_agg(dlo order by i) || max(dhi) as d_bounds
      from b group by w
    )${ctes}
    select b.w, b.i, b.dlo::text as dlo, b.lo, b.hi, b.off, array[${values}] as values,
           array[${totals}] as totals
    from b ${joins}
    order by b.w, b.i`
}
