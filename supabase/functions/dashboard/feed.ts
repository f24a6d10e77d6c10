/**
 * The activity feed: the active organization's raw events, newest first by
 * (occurred_at desc, id desc), with keyset pagination, and one event by id.
 *
 * A cursor is a position, not an offset: later pages continue strictly after the last
 * event shown, so events arriving meanwhile with a newer occurred_at never shift them
 * (no duplicates, no gaps). The (org_id, occurred_at desc, id desc) index serves the order.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser, type Tx } from '../../../shared/db.ts'
import { notFound } from '../../../shared/http/errors.ts'
import { json, userRoute } from '../../../shared/http/openapi.ts'
import { validationFailed } from '../../../shared/http/validation.ts'
import { activeOrg } from '../../../shared/tenant.ts'
import { decodeCursor, encodeCursor } from './feed-cursor.ts'
import { queryInt } from './org-days.ts'

const PROPERTY_PREFIX = 'property.'
const MAX_PROPERTY_FILTERS = 10
const instant = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' })

const fields = {
  name: z.string().min(1).max(200).optional().openapi({ description: 'Exact event name' }),
  actor_id: z.string().min(1).max(200).optional().openapi({ description: 'Exact actor id' }),
  from: instant.optional().openapi({
    description: 'Events at or after this instant, e.g. 2026-03-01T00:00:00Z',
  }),
  to: instant.optional().openapi({ description: 'Events before this instant (exclusive)' }),
  limit: queryInt(1, 200).default(50).openapi({ description: 'Events per page (1-200)' }),
  cursor: z.string().refine((c) => decodeCursor(c) !== null, 'malformed cursor').optional()
    .openapi({ description: 'next_cursor of the previous page' }),
}

// Loose so that `property.<key>` parameters get through; any other unknown parameter is
// refused, since a misspelled filter would otherwise silently return everything.
const query = z.looseObject(fields).superRefine((q, ctx) => {
  let properties = 0
  for (const [key, value] of Object.entries(q)) {
    if (key in fields) continue
    if (!key.startsWith(PROPERTY_PREFIX)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'unknown parameter' })
    } else if (key.length === PROPERTY_PREFIX.length || key.length > PROPERTY_PREFIX.length + 100) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'property key must be 1-100 chars' })
    } else if (typeof value !== 'string' || value.length > 500) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'expected one value of ≤500 chars' })
    } else if (++properties === MAX_PROPERTY_FILTERS + 1) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `at most ${MAX_PROPERTY_FILTERS} property filters`,
      })
    }
  }
  if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to)) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `must not be after to (${q.to})` })
  }
}).openapi({
  description: 'Also `property.<key>=<value>`: events whose properties contain that key ' +
    'with that value (as a string, or as the number/boolean/null it spells).',
})

const FeedEvent = z.object({
  id: z.string(),
  name: z.string(),
  actor_id: z.string().nullable(),
  session_id: z.string().nullable(),
  occurred_at: z.string().openapi({ example: '2026-03-01T10:15:00.000000Z' }),
  received_at: z.string(),
  properties: z.record(z.string(), z.unknown()),
}).openapi('FeedEvent')

const FeedPage = z.object({
  events: z.array(FeedEvent),
  next_cursor: z.string().nullable().openapi({ description: 'null on the last page' }),
}).openapi('FeedPage')

const feedRoute = userRoute({
  method: 'get',
  path: '/events',
  summary: 'Activity feed, newest first',
  description: 'Raw events of the active organization by (occurred_at desc, id desc). ' +
    'Filters: name, actor_id, from/to and `property.<key>=<value>` (any number, ANDed).',
  request: { query },
  responses: { 200: json(FeedPage, 'One page of events') },
})

const eventRoute = userRoute({
  method: 'get',
  path: '/events/{id}',
  summary: 'One event of the active organization',
  request: {
    params: z.object({
      id: z.string().min(1).max(128).openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: { 200: json(FeedEvent, 'The event') },
})

export const feed = new OpenAPIHono({ defaultHook: validationFailed })

feed.openapi(feedRoute, async (c) => {
  const q = c.req.valid('query')
  const after = q.cursor ? decodeCursor(q.cursor) : null
  const page = await asUser(c.get('user').claims, async (tx) => {
    const org = await activeOrg(tx)
    return await feedPage(tx, org.id, q, after)
  })
  const events = page.slice(0, q.limit)
  const last = events.at(-1)
  const next_cursor = page.length > q.limit && last
    ? encodeCursor({ occurredAt: last.occurred_at, id: last.id })
    : null
  return c.json({ events, next_cursor }, 200)
})

/**
 * One page of the feed plus one row (to tell whether more follow), newest first.
 * Exported for the benchmark, which runs the same SQL outside HTTP.
 */
export function feedPage(
  tx: Tx,
  orgId: string,
  q: z.infer<typeof query>,
  after: ReturnType<typeof decodeCursor> | null,
) {
  const properties = Object.entries(q)
    .filter(([key]) => key.startsWith(PROPERTY_PREFIX))
    .map(([key, value]) => [key.slice(PROPERTY_PREFIX.length), value as string] as const)
  let filters = tx`org_id = ${orgId}`
  if (q.name) filters = tx`${filters} and name = ${q.name}`
  if (q.actor_id) filters = tx`${filters} and actor_id = ${q.actor_id}`
  // ::text first: postgres.js sends a parameter Postgres types as timestamptz through
  // a JS Date (cutting microseconds off), one typed jsonb through JSON.stringify.
  if (q.from) filters = tx`${filters} and occurred_at >= ${q.from}::text::timestamptz`
  if (q.to) filters = tx`${filters} and occurred_at < ${q.to}::text::timestamptz`
  for (const [key, value] of properties) {
    const matches = propertyMatches(key, value)
    filters = tx`${filters} and properties @> any(${matches}::text[]::jsonb[])`
  }
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
    limit ${q.limit + 1}`
}

feed.openapi(eventRoute, async (c) => {
  const { id } = c.req.valid('param')
  const event = await asUser(c.get('user').claims, async (tx) => {
    const org = await activeOrg(tx)
    const [row] = await tx<FeedEventRow[]>`
      select ${eventColumns(tx)} from public.events where org_id = ${org.id} and id = ${id}
      order by events.occurred_at desc limit 1`
    return row
  })
  if (!event) throw notFound('event')
  return c.json(event, 200)
})

type FeedEventRow = z.infer<typeof FeedEvent>

// Instants as text to the microsecond, so the cursor made from a row is exact.
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
