/**
 * What a provider sync produces: daily values ready for `public.metrics`, one row per
 * (name, day, dimension). Values stay the provider's own decimal strings, so the numeric
 * column stores exactly what was reported (no float round trip).
 */

/**
 * How a dashboard may combine a metric over several days or dimensions. `sum` adds;
 * `unique_count` counts people (users, reach), so a total over days is at most the sum and
 * the provider's own total is the true figure; `ratio` is numerator / denominator, each
 * summed first; `weighted_mean` averages daily values weighted by another metric.
 */
export type Aggregation =
  | { aggregation: 'sum' }
  | { aggregation: 'unique_count' }
  | { aggregation: 'ratio'; numerator: string; denominator: string }
  | { aggregation: 'weighted_mean'; weight: string }

export type MetricRow = {
  /** Provider-prefixed, e.g. `ga4.sessions`, `instagram.reach`. */
  metric_name: string
  /** `YYYY-MM-DD`, the provider's own day (the property's or Instagram's time zone). */
  metric_date: string
  /** '' for the day's total, `channel:<group>` for a breakdown. */
  dimension: string
  /** The provider's decimal string. */
  value: string
  meta: Aggregation
}

/** Whether `value` is a finite decimal that `numeric` stores as written. */
export function isDecimal(value: string): boolean {
  return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)
}
