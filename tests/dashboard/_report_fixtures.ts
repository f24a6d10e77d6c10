/**
 * Arrangements shared by the tiles, series, breakdown, filters and CSV tests: a fresh
 * user with a fresh organization, crafted metrics and events written as postgres (the
 * events trigger fills the rollups), and GET helpers for the report endpoints.
 */
import assert from 'node:assert/strict'
import {
  adminSql,
  call,
  newUser,
  type Reply,
  type TestUser,
  uniqueSlug,
} from '../_helpers/stack.ts'

export type OrgUser = TestUser & { orgId: string }

/** A new user owning a new organization in `timezone`, which becomes their active one. */
export async function orgUser(timezone = 'UTC', label = 'reports'): Promise<OrgUser> {
  const user = await newUser(label)
  const res = await call('POST', '/orgs', {
    token: user.token,
    body: { name: 'Reports Org', slug: uniqueSlug('rep'), timezone },
  })
  assert.equal(res.status, 201, res.text)
  return { ...user, orgId: res.body.id }
}

/** A metric row: name, day, source, dimension, value. */
export type MetricRow = [string, string, string, string, number]

/** Writes daily metric rows for the organization. */
export async function insertMetrics(orgId: string, rows: MetricRow[]): Promise<void> {
  await adminSql`
    insert into public.metrics (org_id, metric_name, metric_date, source, dimension, value)
    select ${orgId}, u.name, u.day, u.source, u.dimension, u.value
    from unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::date[],
                ${rows.map((r) => r[2])}::text[], ${rows.map((r) => r[3])}::text[],
                ${rows.map((r) => r[4])}::numeric[])
      as u(name, day, source, dimension, value)`
}

/** An event: its name, its instant (ISO) and optionally its properties. */
export type EventRow = { name: string; at: string; props?: Record<string, unknown> }

/** Writes events for the organization in one statement (so one rollup pass). */
export async function insertEvents(orgId: string, rows: EventRow[]): Promise<void> {
  const json = rows.map((r) => ({ id: crypto.randomUUID(), ...r }))
  await adminSql`
    insert into public.events (org_id, id, occurred_at, name, properties)
    select ${orgId}, r.id, r.at, r.name, coalesce(r.props, '{}')
    from jsonb_to_recordset(${JSON.stringify(json)}::text::jsonb)
      as r(id text, at timestamptz, name text, props jsonb)`
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

/** Asserts a 400 whose message names `field` (e.g. `query.filters[0].op`). */
export function assertInvalid(res: Reply, field: string, message?: RegExp) {
  assert.equal(res.status, 400, res.text)
  assert.equal(res.body.error.code, 'invalid_request', res.text)
  const escaped = field.replace(/[.[\]]/g, '\\$&')
  assert.match(res.body.error.message, new RegExp(`${escaped}:`), res.text)
  if (message) assert.match(res.body.error.message, message, res.text)
}

/** The values of a series response's series, by id. */
// deno-lint-ignore no-explicit-any
export function valuesOf(body: any, id: string): number[] {
  // deno-lint-ignore no-explicit-any
  const s = body.series.find((x: any) => x.series === id)
  assert.ok(s, `no series ${id} in ${JSON.stringify(body)}`)
  return s.values
}
