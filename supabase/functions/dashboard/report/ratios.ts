/**
 * Ratio metrics, such as GA4's engagementRate: a day's value is a ratio of two other
 * metrics, so summing days (or dimensions) would be wrong. The sync writes each ratio row
 * with `meta = { aggregation: 'ratio', numerator, denominator }` and writes the two parts
 * as metrics of their own; a report re-aggregates sum(numerator) / sum(denominator) over
 * every bucket and window instead of summing the ratio.
 */
import type { Tx } from '../../../../shared/db.ts'
import { METRIC_NAME } from '../../../../shared/domain/metric-name.ts'
import type { SeriesSpec } from './measures.ts'

/** How a ratio metric is re-aggregated. */
export type RatioParts = { numerator: string; denominator: string }

/**
 * The ratio metrics among `names`, with their parts. Every row of a ratio metric carries
 * the same meta, so one row per name (the first by primary key) tells.
 */
export async function ratioMetrics(
  tx: Tx,
  { org, names }: { org: string; names: string[] },
): Promise<Map<string, RatioParts>> {
  if (names.length === 0) return new Map()
  const rows = await tx<{ name: string; numerator: string; denominator: string }[]>`
    select n.name, m.meta ->> 'numerator' as numerator, m.meta ->> 'denominator' as denominator
    from unnest(${names}::text[]) as n(name)
    cross join lateral (
      select meta from public.metrics
      where org_id = ${org} and metric_name = n.name
      limit 1
    ) m
    where m.meta ->> 'aggregation' = 'ratio'`
  const parts = rows.filter((r) => METRIC_NAME.test(r.numerator) && METRIC_NAME.test(r.denominator))
  return new Map(parts.map((r) => [r.name, { numerator: r.numerator, denominator: r.denominator }]))
}

/** Where a requested series' value comes from in the expanded list of summed series. */
type Source = { kind: 'sum'; at: number } | {
  kind: 'ratio'
  numerator: number
  denominator: number
}

/**
 * The series to sum for `specs`: each ratio metric replaced by its two parts (shared when
 * requested more than once), and how to put each requested series back together.
 */
export function expandRatios(specs: SeriesSpec[], ratios: Map<string, RatioParts>) {
  const summed: SeriesSpec[] = []
  const indexOf = (spec: SeriesSpec) => {
    const at = summed.findIndex((s) => s.id === spec.id)
    return at >= 0 ? at : summed.push(spec) - 1
  }
  const metric = (name: string): SeriesSpec => ({ id: `metric:${name}`, kind: 'metric', name })
  const sources: Source[] = specs.map((spec) => {
    const parts = spec.kind === 'metric' ? ratios.get(spec.name) : undefined
    if (!parts) return { kind: 'sum', at: indexOf(spec) }
    return {
      kind: 'ratio',
      numerator: indexOf(metric(parts.numerator)),
      denominator: indexOf(metric(parts.denominator)),
    }
  })
  /** The requested series' values, from the summed series' values. */
  const collapse = (values: number[]) =>
    sources.map((s) =>
      s.kind === 'sum'
        ? values[s.at]
        : values[s.denominator] === 0
        ? 0
        : values[s.numerator] / values[s.denominator]
    )
  return { summed, collapse }
}
