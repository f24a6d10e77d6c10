/**
 * POST /metrics: up to 10,000 daily values, written in one statement. A row's key
 * (metric_name, metric_date, source, dimension) is its identity: sending it again replaces
 * the value, so re-sending a batch changes nothing.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { inOneTrip, type Sql } from '../../../shared/db.ts'
import { ErrorSchema, json, jsonBody } from '../../../shared/http/openapi.ts'
import { formatBytes, limitBody } from '../../../shared/http/body-limit.ts'
import { validationFailed } from '../../../shared/http/validation.ts'
import { ingestorActor, ingestRoute } from '../../../shared/ingest-auth.ts'
import { MAX_ROWS, MetricBatch, type MetricRow, Written } from './schema.ts'

/**
 * A hosted isolate has 256 MB, and a batch costs ~20 times its size at its peak (the body,
 * its parsed and validated copies, the SQL parameter); tests/bench/memory.ts measures it.
 * 2 MiB holds 10,000 rows of ~200 bytes, meta included.
 */
export const MAX_BODY_BYTES = 2 * 1024 * 1024

const write = ingestRoute({
  method: 'post',
  path: '/',
  summary: `Write up to ${MAX_ROWS} metric values`,
  description: 'With a user token (member or better of the active organization) or an API ' +
    'key with the ingest scope. Idempotent: a row replaces the stored value with the same ' +
    'metric_name, metric_date, source and dimension. All or nothing: one invalid row ' +
    'refuses the whole batch, and the 400 lists every invalid row by index.',
  request: { body: jsonBody(MetricBatch) },
  responses: {
    200: json(Written, 'Written'),
    413: json(ErrorSchema, `The body is larger than ${formatBytes(MAX_BODY_BYTES)}`),
  },
})

/**
 * The one statement that upserts the rows for `orgId`. The batch travels as one jsonb
 * parameter (faster than an array per column; typed text first, or postgres.js would
 * JSON-encode it again). Rows go in key order so concurrent batches lock rows alike, and a
 * row whose value and meta are unchanged is not rewritten.
 */
export function upsertMetrics(sql: Sql, orgId: string, rows: MetricRow[]) {
  return sql`
    insert into public.metrics as m
      (org_id, metric_name, metric_date, source, dimension, value, meta)
    select ${orgId}::uuid, r.metric_name, r.metric_date, coalesce(r.source, 'api'),
           coalesce(r.dimension, ''), r.value, coalesce(r.meta, '{}'::jsonb)
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r(
      metric_name text, metric_date date, source text, dimension text, value numeric,
      meta jsonb)
    order by 2, 3, 4, 5
    on conflict (org_id, metric_name, metric_date, source, dimension) do update
      set value = excluded.value, meta = excluded.meta, updated_at = now()
      where (m.value, m.meta) is distinct from (excluded.value, excluded.meta)`
}

const limited = new OpenAPIHono({ defaultHook: validationFailed })
limited.use('/', limitBody(MAX_BODY_BYTES))

/** Registers POST /metrics. */
export const writeRoutes = limited.openapi(write, async (c) => {
  const { rows } = c.req.valid('json')
  const ingestor = c.get('ingestor')
  // One round trip: the metric rows stay locked only for the server's commit.
  await inOneTrip(ingestorActor(ingestor), (sql) => upsertMetrics(sql, ingestor.orgId, rows))
  return c.json({ written: rows.length }, 200)
})
