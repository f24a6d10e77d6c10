/**
 * What the tiles, series, breakdown, filters and CSV tests build and read: daily metric rows
 * written as postgres, GET calls to the report endpoints, and a series' values. The
 * organization comes from _helpers/orgs.ts, events from _helpers/events.ts.
 */
import assert from 'node:assert/strict'
import { adminSql, call, type Reply } from '../_helpers/stack.ts'

/** A metric row: name, day, source, dimension, value. */
export type MetricRow = [string, string, string, string, number]

/**
 * Writes daily metric rows for the organization, each with `meta` (e.g. how a ratio
 * re-aggregates; `{}` by default).
 */
export async function insertMetrics(
  orgId: string,
  rows: MetricRow[],
  options: { meta?: Record<string, unknown> } = {},
): Promise<void> {
  await adminSql`
    insert into public.metrics (org_id, metric_name, metric_date, source, dimension, value, meta)
    select ${orgId}, u.name, u.day, u.source, u.dimension, u.value,
           ${JSON.stringify(options.meta ?? {})}::text::jsonb
    from unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::date[],
                ${rows.map((r) => r[2])}::text[], ${rows.map((r) => r[3])}::text[],
                ${rows.map((r) => r[4])}::numeric[])
      as u(name, day, source, dimension, value)`
}

/** GET /functions/v1/dashboard/<path> with query parameters. */
export function getReport(
  user: { token: string } | null,
  path: 'tiles' | 'series' | 'breakdown',
  query: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const qs = new URLSearchParams(query).toString()
  return call('GET', `/dashboard/${path}?${qs}`, { token: user?.token, headers })
}

/** The values of a series response's series, by id. */
// deno-lint-ignore no-explicit-any
export function valuesOf(body: any, id: string): number[] {
  // deno-lint-ignore no-explicit-any
  const s = body.series.find((x: any) => x.series === id)
  assert.ok(s, `no series ${id} in ${JSON.stringify(body)}`)
  return s.values
}
