/**
 * What one batch of metric rows may contain. Every row is checked, so a refused batch
 * names each bad row by index (`body.rows[3].value: ...`), duplicates included.
 */
import { z } from '@hono/zod-openapi'

export const MAX_ROWS = 10_000
const MAX_META_BYTES = 1024

/**
 * The largest magnitude a metric value may have; the same bound as the check
 * `metrics_value_bounded` (migration 20261122000600_value_bounds.sql). A quadrillion is
 * above any daily count or amount in minor currency units, keeps every whole value exact
 * in a float8 and a JS number (below 2^53), and keeps any sum the dashboard can make far
 * from float8's limit, which two values of 1e308 already passed.
 */
export const MAX_METRIC_MAGNITUDE = 1e15
const VALUE_BOUNDS = 'must be between -1e15 and 1e15 (send large amounts in larger units)'

// The same patterns as the checks on public.metrics, so the database never refuses a row.
const metricName = z.string().regex(
  /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/,
  'expected a letter, then up to 99 letters, digits or _ . : -',
)
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
  metric_name: metricName.openapi({ example: 'sessions' }),
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
