/**
 * Writing daily metric values: one idempotent upsert per batch.
 */
import type { Sql } from '../../../../shared/db.ts'
import type { MetricRow } from './routes.ts'

/**
 * The one statement that upserts the rows for `orgId`. The batch travels as one jsonb
 * parameter (faster than an array per column, docs/performance/ingestion.md; typed text
 * first, or postgres.js would JSON-encode it again). Rows go in key order so concurrent
 * batches lock rows alike, and a row whose value and meta are unchanged is not rewritten.
 *
 * @example
 * await inOneTrip('service', (sql) => upsertMetrics(sql, { orgId, rows }))
 */
export function upsertMetrics(sql: Sql, options: { orgId: string; rows: MetricRow[] }) {
  return sql`
    insert into public.metrics as m
      (org_id, metric_name, metric_date, source, dimension, value, meta)
    select ${options.orgId}::uuid, r.metric_name, r.metric_date, coalesce(r.source, 'api'),
           coalesce(r.dimension, ''), r.value, coalesce(r.meta, '{}'::jsonb)
    from jsonb_to_recordset(${JSON.stringify(options.rows)}::text::jsonb) as r(
      metric_name text, metric_date date, source text, dimension text, value numeric,
      meta jsonb)
    order by 2, 3, 4, 5
    on conflict (org_id, metric_name, metric_date, source, dimension) do update
      set value = excluded.value, meta = excluded.meta, updated_at = now()
      where (m.value, m.meta) is distinct from (excluded.value, excluded.meta)`
}
