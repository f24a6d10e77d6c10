/**
 * POST /metrics: up to 10,000 daily values, written in one statement. A row's key
 * (metric_name, metric_date, source, dimension) is its identity: sending it again replaces
 * the value, so re-sending a batch changes nothing.
 *
 * Every row is checked, so a refused batch names each bad row by index
 * (`body.rows[3].value: ...`), duplicates included.
 */
import { z } from '@hono/zod-openapi'
import { inOneTrip } from '../../../../shared/db.ts'
import { MetricNameSchema } from '../../../../shared/domain/metric-name.ts'
import { ingestorActor } from '../../../../shared/http/ingest-guard.ts'
import { ingestApp, ingestRoute } from '../../../../shared/http/ingest-route.ts'
import { json, jsonBody } from '../../../../shared/http/openapi.ts'
import { upsertMetrics } from './queries.ts'

export const MAX_ROWS = 10_000
const MAX_META_BYTES = 1024

/**
 * The largest magnitude a metric value may have; the same bound as the check
 * `metrics_value_bounded` (migration 20261122000200_analytics.sql). A quadrillion is
 * above any daily count or amount in minor currency units, keeps every whole value exact
 * in a float8 and a JS number (below 2^53), and keeps any sum the dashboard can make far
 * from float8's limit, which two values of 1e308 already passed.
 */
export const MAX_METRIC_MAGNITUDE = 1e15
const VALUE_BOUNDS = 'must be between -1e15 and 1e15 (send large amounts in larger units)'

// The same pattern as the check on public.metrics.source, so the database never refuses a
// row (the metric name's rule is shared/domain/metric-name.ts).
const source = z.string().regex(
  /^[a-z0-9][a-z0-9_.:-]{0,63}$/,
  'expected up to 64 lowercase letters, digits or _ . : -',
)

const metricDate = z.iso.date({ error: 'expected a date as YYYY-MM-DD' })
  .refine(
    (d) => d >= '1970-01-01' && d <= '2100-12-31',
    'must be between 1970-01-01 and 2100-12-31',
  )

const meta = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const json = JSON.stringify(value)
  if (json.length > MAX_META_BYTES) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_META_BYTES} bytes as JSON` })
  }
})

export const MetricRow = z.strictObject({
  metric_date: metricDate.openapi({ example: '2026-11-21' }),
  metric_name: MetricNameSchema,
  value: z.number()
    .min(-MAX_METRIC_MAGNITUDE, VALUE_BOUNDS)
    .max(MAX_METRIC_MAGNITUDE, VALUE_BOUNDS)
    .openapi({ example: 1234, description: 'Between -1e15 and 1e15' }),
  source: source.optional().openapi({ description: 'Where it comes from; default `api`' }),
  dimension: z.string().max(200).optional().openapi({
    description: 'A breakdown value such as a country or channel; default empty (the total)',
  }),
  meta: meta.optional().openapi({
    description: `Any JSON object, at most ${MAX_META_BYTES} bytes`,
  }),
}).openapi('MetricRow')

export type MetricRow = z.infer<typeof MetricRow>

type KeyParts = Partial<Record<'metric_name' | 'metric_date' | 'source' | 'dimension', unknown>>

/**
 * Two rows with the same key would leave the stored value up to their order (and Postgres
 * refuses to update one row twice in a statement), so the later one is an error naming the
 * first. Runs even when other rows are invalid, so one response lists every problem.
 */
function noDuplicateKeys(rows: unknown[], ctx: z.RefinementCtx) {
  if (!Array.isArray(rows)) return
  const seen = new Map<string, number>()
  rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null) return
    const r = row as KeyParts
    const key = JSON.stringify([r.metric_name, r.metric_date, r.source ?? 'api', r.dimension ?? ''])
    const first = seen.get(key)
    if (first === undefined) seen.set(key, i)
    else {
      ctx.addIssue({
        code: 'custom',
        path: [i],
        message: `duplicates rows[${first}] (same metric_name, metric_date, source, dimension)`,
      })
    }
  })
}

export const MetricBatch = z.strictObject({
  rows: z.array(MetricRow).min(1).max(MAX_ROWS)
    .superRefine(noDuplicateKeys, { when: () => true }),
}).openapi('MetricBatch')

export const Written = z.object({
  written: z.number().int().openapi({ description: 'Rows now stored with these values' }),
}).openapi('Written')

/**
 * Sized so the largest batch stays well inside a hosted isolate's 256 MB; the peak it
 * costs is measured by tests/bench/memory.ts (docs/performance/ingestion.md). 2 MiB holds
 * 10,000 rows of ~200 bytes, meta included.
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
  responses: { 200: json(Written, 'Written') },
}, { maxBodyBytes: MAX_BODY_BYTES })

/** POST /metrics. */
export const writeRoutes = ingestApp()
  .openapi(write, async (c) => {
    const { rows } = c.req.valid('json')
    const ingestor = c.get('ingestor')
    // One round trip: the metric rows stay locked only for the server's commit.
    await inOneTrip(
      ingestorActor(ingestor),
      (sql) => upsertMetrics(sql, { orgId: ingestor.orgId, rows }),
    )
    return c.json({ written: rows.length }, 200)
  })
