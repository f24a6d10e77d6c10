/**
 * Events for tests: timestamps relative to now, and events written straight into
 * public.events (the rollup trigger fills the rollups, as for an ingested batch).
 */
import { adminSql } from './stack.ts'

/** An ISO timestamp `minutesAgo` minutes before now (negative: in the future). */
export function ago(minutesAgo: number): string {
  return new Date(Date.now() - minutesAgo * 60_000).toISOString()
}

/**
 * An ISO timestamp `minutes` before 23:00 UTC yesterday. Tests that count active days
 * use it for events spread over minutes: with `ago`, a run just after midnight UTC would
 * split them over two days.
 */
export function yesterdayAgo(minutes: number): string {
  const yesterday11pm = new Date().setUTCHours(0, 0, 0, 0) - 60 * 60_000
  return new Date(yesterday11pm - minutes * 60_000).toISOString()
}

/** An event to insert; `at` is an ISO instant. */
export type CraftedEvent = {
  at: string
  /** Default: a random UUID. */
  id?: string
  /** Default: `page_view`. */
  name?: string
  actor?: string | null
  session?: string | null
  properties?: Record<string, unknown>
}

/**
 * Inserts events into `orgId` in one statement (so one rollup pass), as postgres.
 *
 * @example
 * await insertEvents(orgId, [{ at: '2026-03-01T12:00:00Z', name: 'signup', actor: 'u1' }])
 */
export async function insertEvents(orgId: string, events: CraftedEvent[]): Promise<void> {
  const rows = events.map((e) => ({
    ...e,
    id: e.id ?? crypto.randomUUID(),
    name: e.name ?? 'page_view',
    properties: e.properties ?? {},
  }))
  await adminSql`
    insert into public.events (org_id, id, occurred_at, name, actor_id, session_id, properties)
    select ${orgId}::uuid, e.id, e.at, e.name, e.actor, e.session, e.properties
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as e (
      id text, at timestamptz, name text, actor text, session text, properties jsonb)`
}
