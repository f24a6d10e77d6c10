/**
 * The activity feed: the active organization's raw events, newest first by
 * (occurred_at desc, id desc), with keyset pagination, and one event by id.
 *
 * A cursor is a position, not an offset: later pages continue strictly after the last
 * event shown, so events arriving meanwhile with a newer occurred_at never shift them
 * (no duplicates, no gaps). The (org_id, occurred_at desc, id desc) index serves the order.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { notFound } from '../../../../shared/http/errors.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { queryInt } from '../../../../shared/analytics/mod.ts'
import { decodeCursor, encodeCursor } from './cursor.ts'
import { feedEvent, feedPage } from '../../../../shared/analytics/feed.ts'

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

/** The `property.<key>=<value>` parameters of a feed query, as `[key, value]` pairs. */
function propertyFilters(q: Record<string, unknown>): [string, string][] {
  return Object.entries(q)
    .filter(([key]) => key.startsWith(PROPERTY_PREFIX))
    .map(([key, value]) => [key.slice(PROPERTY_PREFIX.length), value as string])
}

export const feedRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(feedRoute, async (c) => {
    const q = c.req.valid('query')
    const page = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await feedPage(tx, {
        orgId: org.id,
        name: q.name,
        actorId: q.actor_id,
        from: q.from,
        to: q.to,
        properties: propertyFilters(q),
        limit: q.limit,
        after: q.cursor ? decodeCursor(q.cursor) : null,
      })
    })
    const events = page.slice(0, q.limit)
    const last = events.at(-1)
    const next_cursor = page.length > q.limit && last
      ? encodeCursor({ occurredAt: last.occurred_at, id: last.id })
      : null
    return c.json({ events, next_cursor }, 200)
  })
  .openapi(eventRoute, async (c) => {
    const { id } = c.req.valid('param')
    const event = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await feedEvent(tx, { orgId: org.id, id })
    })
    if (!event) throw notFound('event')
    return c.json(event, 200)
  })
