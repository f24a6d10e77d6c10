/**
 * The feed's queries: a page of the organization's raw events newest first, and one event
 * by id. Instants come back as text to the microsecond, so a cursor made from a row is
 * exact.
 */
import type { Tx } from '../db.ts'

/** A position in the feed's order (occurred_at desc, id desc). */
export type FeedPosition = { occurredAt: string; id: string }

/** An event as the feed shows it. */
export type FeedEventRow = {
  id: string
  name: string
  actor_id: string | null
  session_id: string | null
  occurred_at: string
  received_at: string
  properties: Record<string, unknown>
}

/** Which events a feed page holds, and where it starts. */
export type FeedPageOptions = {
  orgId: string
  name?: string
  actorId?: string
  /** ISO instants: at or after `from`, before `to`. */
  from?: string
  to?: string
  /** `[key, value]` pairs of `property.<key>=<value>` filters, all of which must match. */
  properties?: [key: string, value: string][]
  limit: number
  /** Continue strictly after this position (from the previous page's cursor). */
  after?: FeedPosition | null
}

/**
 * One page of the feed plus one row (to tell whether more follow), newest first.
 *
 * @example
 * const rows = await feedPage(tx, { orgId, limit: 50 })
 * const more = rows.length > 50
 */
export function feedPage(tx: Tx, opts: FeedPageOptions): Promise<FeedEventRow[]> {
  let filters = tx`org_id = ${opts.orgId}`
  if (opts.name) filters = tx`${filters} and name = ${opts.name}`
  if (opts.actorId) filters = tx`${filters} and actor_id = ${opts.actorId}`
  // ::text first: postgres.js sends a parameter Postgres types as timestamptz through
  // a JS Date (cutting microseconds off), one typed jsonb through JSON.stringify.
  if (opts.from) filters = tx`${filters} and occurred_at >= ${opts.from}::text::timestamptz`
  if (opts.to) filters = tx`${filters} and occurred_at < ${opts.to}::text::timestamptz`
  for (const [key, value] of opts.properties ?? []) {
    const matches = propertyMatches(key, value)
    filters = tx`${filters} and properties @> any(${matches}::text[]::jsonb[])`
  }
  const after = opts.after
  if (after) {
    filters = tx`${filters}
      and (occurred_at, id) < (${after.occurredAt}::text::timestamptz, ${after.id}::text)`
  }
  // Qualified: the bare names would mean the text columns of the select list, and
  // sorting by those defeats the (org_id, occurred_at desc, id desc) index.
  return tx<FeedEventRow[]>`
    select ${eventColumns(tx)} from public.events
    where ${filters}
    order by events.occurred_at desc, events.id desc
    limit ${opts.limit + 1}`
}

/** One event of the organization by id; undefined when there is none (or RLS hides it). */
export async function feedEvent(
  tx: Tx,
  { orgId, id }: { orgId: string; id: string },
): Promise<FeedEventRow | undefined> {
  const [row] = await tx<FeedEventRow[]>`
    select ${eventColumns(tx)} from public.events where org_id = ${orgId} and id = ${id}
    order by events.occurred_at desc limit 1`
  return row
}

function eventColumns(tx: Tx) {
  return tx`id, name, actor_id, session_id, properties,
    to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at,
    to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as received_at`
}

const JSON_LITERAL = /^(true|false|null)$/
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/**
 * The `{key: value}` objects a `property.<key>=<value>` filter accepts: the value as a
 * string, and also as the JSON number, boolean or null it spells (a query string cannot
 * say which was sent). A number is read as ingestion reads one, as a double, since stored
 * properties hold only those; spelled as Postgres would get it, 1e999999 or 1e-99999 are
 * beyond numeric's range. So 1e-99999 means 0, and 1e999999 (no double) a string only.
 */
function propertyMatches(key: string, value: string): string[] {
  const matches = [JSON.stringify({ [key]: value })]
  if (JSON_LITERAL.test(value)) matches.push(`{${JSON.stringify(key)}:${value}}`)
  else if (JSON_NUMBER.test(value) && Number.isFinite(Number(value))) {
    matches.push(JSON.stringify({ [key]: Number(value) }))
  }
  return matches
}
