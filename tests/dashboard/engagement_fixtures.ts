/**
 * Arrangements shared by the engagement tests (active users, retention, feature usage,
 * feed): a fresh organization with its owner, events written straight into
 * public.events (the rollup trigger fills the rollups), and dashboard calls.
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

export type Owner = TestUser & { orgId: string }

/** A new user who owns a new organization (their active one) in `timezone`. */
export async function newOrgOwner(timezone = 'UTC'): Promise<Owner> {
  const user = await newUser('engagement')
  const res = await call<{ id: string }>('POST', '/orgs', {
    token: user.token,
    body: { name: 'Engagement Org', slug: uniqueSlug('eng'), timezone },
  })
  assert.equal(res.status, 201, res.text)
  return { ...user, orgId: res.body.id }
}

/** An event to insert; `at` is an ISO instant. */
export type CraftedEvent = {
  id: string
  at: string
  name?: string
  actor?: string | null
  session?: string | null
  properties?: Record<string, unknown>
}

/** Inserts events into `orgId` in one statement, as ingestion would. */
export async function insertEvents(orgId: string, events: CraftedEvent[]): Promise<void> {
  const rows = events.map((e) => ({
    ...e,
    name: e.name ?? 'page_view',
    properties: e.properties ?? {},
  }))
  await adminSql`
    insert into public.events (org_id, id, occurred_at, name, actor_id, session_id, properties)
    select ${orgId}::uuid, e.id, e.at, e.name, e.actor, e.session, e.properties
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as e (
      id text, at timestamptz, name text, actor text, session text, properties jsonb)`
}

/** One event per (actor, day), at noon UTC of that day. */
export function activity(days: Record<string, string[]>, name = 'page_view'): CraftedEvent[] {
  return Object.entries(days).flatMap(([actor, dates]) =>
    dates.map((day) => ({ id: `${actor}-${day}-${name}`, at: `${day}T12:00:00Z`, name, actor }))
  )
}

/** GET /dashboard<path> as `user`. */
// deno-lint-ignore no-explicit-any
export function dashboard<T = any>(user: TestUser, path: string): Promise<Reply<T>> {
  return call<T>('GET', `/dashboard${path}`, { token: user.token })
}

/** Asserts a 400 whose message names `field` (e.g. `query.limit`). */
export function assertInvalid(res: Reply, field: string): void {
  assert.equal(res.status, 400, res.text)
  assert.equal(res.body.error.code, 'invalid_request', res.text)
  assert.ok(res.body.error.message.includes(`${field}:`), `expected ${field} in ${res.text}`)
}

/** `date` (YYYY-MM-DD) moved by `n` days. */
export function shiftDay(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** Today in UTC, the timezone of the organizations these tests make unless told. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10)
}
