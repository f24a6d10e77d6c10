/**
 * What the organization has stored: one summary per metric.
 */
import type { Tx } from '../../../../shared/db.ts'

/** One metric of an organization and the dates it covers. */
export type MetricSummaryRow = {
  metric_name: string
  first_date: string
  last_date: string
  rows: number
  sources: string[]
}

/** The organization's metrics by name, with their first and last dates and sources. */
export async function listMetrics(
  tx: Tx,
  options: { orgId: string },
): Promise<MetricSummaryRow[]> {
  return await tx<MetricSummaryRow[]>`
    select metric_name, min(metric_date)::text as first_date,
           max(metric_date)::text as last_date, count(*)::int as rows,
           array_agg(distinct source order by source) as sources
    from public.metrics where org_id = ${options.orgId}
    group by metric_name order by metric_name`
}
