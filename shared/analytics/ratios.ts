/**
 * Metrics that must not be summed, such as GA4's engagementRate and averageSessionDuration.
 * The sync writes each of their rows with a `meta` saying how they re-aggregate:
 *
 * - `{ aggregation: 'ratio', numerator, denominator }`: sum(numerator) / sum(denominator),
 *   two metrics stored beside it (engagementRate = engagedSessions / sessions);
 * - `{ aggregation: 'weighted_mean', weight }`: sum(value × weight) / sum(weight) over the
 *   rows that have both, matched by day, source and dimension; averageSessionDuration
 *   weighted by sessions, since GA4 has no total session duration to divide.
 *
 * A report re-aggregates them so over every bucket and window, instead of summing.
 */
import type { Tx } from '../db.ts'
import { METRIC_NAME } from '../domain/metric-name.ts'
import type { SeriesSpec } from './measures.ts'

/** How a metric that is not summed is re-aggregated. */
export type Reaggregation =
  | { aggregation: 'ratio'; numerator: string; denominator: string }
  | { aggregation: 'weighted_mean'; weight: string }

/**
 * What a series sums per bucket: a requested series, or over the rows of a metric that have
 * a weight row (same day, source and dimension) either value × weight (`product`, the
 * numerator of a weighted mean) or the weight alone (`weight`, its denominator).
 */
export type SummedSeries =
  | SeriesSpec
  | { id: string; kind: 'weighted'; part: 'product' | 'weight'; name: string; weight: string }

/**
 * The metrics among `names` that re-aggregate otherwise than by summing. Every row of
 * such a metric carries the same meta, so one row per name (the first by primary key)
 * tells. The `order by` is what makes that one primary-key probe: without it the planner
 * took `limit 1` for a short sequential scan, which read the whole table (650 ms at 1M
 * metric rows) for a name with no rows, and far into it for a name stored late.
 */
export async function reaggregatedMetrics(
  tx: Tx,
  { org, names }: { org: string; names: string[] },
): Promise<Map<string, Reaggregation>> {
  if (names.length === 0) return new Map()
  const rows = await tx<{ name: string; meta: Record<string, unknown> }[]>`
    select n.name, m.meta
    from unnest(${names}::text[]) as n(name)
    cross join lateral (
      select meta from public.metrics
      where org_id = ${org} and metric_name = n.name
      order by metric_date, source, dimension
      limit 1
    ) m
    where m.meta ->> 'aggregation' in ('ratio', 'weighted_mean')`
  const found = new Map<string, Reaggregation>()
  for (const { name, meta } of rows) {
    const rule = reaggregationOf(meta)
    if (rule) found.set(name, rule)
  }
  return found
}

/** The re-aggregation a metric row's meta describes, if it is a valid one. */
export function reaggregationOf(meta: Record<string, unknown> | null): Reaggregation | undefined {
  const isName = (v: unknown): v is string => typeof v === 'string' && METRIC_NAME.test(v)
  if (meta?.aggregation === 'ratio' && isName(meta.numerator) && isName(meta.denominator)) {
    return { aggregation: 'ratio', numerator: meta.numerator, denominator: meta.denominator }
  }
  if (meta?.aggregation === 'weighted_mean' && isName(meta.weight)) {
    return { aggregation: 'weighted_mean', weight: meta.weight }
  }
  return undefined
}

/** Where a requested series' value comes from among the summed series. */
type Source = { kind: 'sum'; at: number } | {
  kind: 'quotient'
  numerator: number
  denominator: number
}

/**
 * The series to sum for `specs`, each re-aggregated metric replaced by a numerator and a
 * denominator (shared when requested more than once), and how to put each requested
 * series back together from their sums. An empty denominator gives 0, as an empty bucket
 * of a summed series does.
 */
export function expandReaggregated(specs: SeriesSpec[], rules: Map<string, Reaggregation>) {
  const summed: SummedSeries[] = []
  const indexOf = (series: SummedSeries) => {
    const at = summed.findIndex((s) => s.id === series.id)
    return at >= 0 ? at : summed.push(series) - 1
  }
  const metric = (name: string): SeriesSpec => ({ id: `metric:${name}`, kind: 'metric', name })
  const sources: Source[] = specs.map((spec) => {
    const rule = spec.kind === 'metric' ? rules.get(spec.name) : undefined
    if (!rule || spec.kind !== 'metric') return { kind: 'sum', at: indexOf(spec) }
    if (rule.aggregation === 'ratio') {
      return {
        kind: 'quotient',
        numerator: indexOf(metric(rule.numerator)),
        denominator: indexOf(metric(rule.denominator)),
      }
    }
    const weighted = (part: 'product' | 'weight') => ({
      id: `${part}:${spec.name}`,
      kind: 'weighted' as const,
      part,
      name: spec.name,
      weight: rule.weight,
    })
    return {
      kind: 'quotient',
      numerator: indexOf(weighted('product')),
      denominator: indexOf(weighted('weight')),
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
