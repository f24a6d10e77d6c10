/**
 * POST /events: a batch of up to 1,000 events, stored in one statement. Events whose id and
 * occurred_at are already stored are skipped (counted as duplicates), so a retried batch
 * is harmless.
 *
 * Every check runs on every event, so a refused batch names each bad event by index
 * (`body.events[3].occurred_at: ...`).
 */
import { z } from '@hono/zod-openapi'
import { json, jsonBody } from '../../../../shared/http/openapi.ts'
import { withFastPath } from '../../../../shared/http/fast-path.ts'
import { ingestApp, ingestRoute } from '../../../../shared/http/ingest-route.ts'
import { plainBatchCheck } from './fast-batch.ts'
import { storeEvents } from './queries.ts'

export const MAX_EVENTS = 1000
/** Clocks drift; a little future is tolerated, more means a wrong clock or unit. */
const MAX_FUTURE_MS = 5 * 60_000
/** Older events would land in rollup days nobody reads and are usually a unit mistake. */
const MAX_AGE_DAYS = 400
const MAX_PROPERTIES_BYTES = 8192

// Text Postgres cannot store (NUL, unpaired surrogates) is refused for every request by
// the validation hook (shared/http/storable.ts), keys of properties included.
const text = (max: number) => z.string().min(1).max(max)

const occurredAt = z.iso.datetime({
  offset: true,
  error: 'expected an ISO-8601 timestamp with an offset, e.g. 2026-01-31T12:00:00Z',
}).superRefine((value, ctx) => {
  const at = Date.parse(value)
  const now = Date.now()
  if (Number.isNaN(at)) ctx.addIssue({ code: 'custom', message: 'is not a valid date' })
  else if (/[+-](1[6-9]|2\d):\d\d$/.test(value)) {
    // Postgres takes offsets up to ±15:59 (real zones span -12:00 to +14:00).
    ctx.addIssue({ code: 'custom', message: 'has an offset beyond ±15:59' })
  } else if (at > now + MAX_FUTURE_MS) {
    ctx.addIssue({ code: 'custom', message: 'is more than 5 minutes in the future' })
  } else if (at < now - MAX_AGE_DAYS * 86_400_000) {
    ctx.addIssue({ code: 'custom', message: `is older than ${MAX_AGE_DAYS} days` })
  }
})

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

// A plain-object test rather than z.record, which checks every key and value on its own
// (the costliest check of an event, docs/performance/ingestion.md); the values are any
// JSON, and the size check below serializes them anyway.
const properties = z.custom<Record<string, unknown>>(isObject, 'expected a JSON object').openapi({
  type: 'object',
  additionalProperties: true,
}).superRefine((value, ctx) => {
  const json = JSON.stringify(value)
  if (json.length > MAX_PROPERTIES_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message: `must be at most ${MAX_PROPERTIES_BYTES} bytes as JSON`,
    })
  }
})

export const Event = z.strictObject({
  id: text(128).optional().openapi({
    description: 'Your id for the event. Send one and a retried batch is stored once; ' +
      'without it the server assigns one (a UUIDv7) and a retry stores the event again. ' +
      'Time-ordered ids (UUIDv7, ULID) are the cheapest to store.',
    example: '01J9Z6Q3V8K2M4N6P8R0S2T4V6',
  }),
  name: text(200).openapi({ example: 'signup_completed' }),
  occurred_at: occurredAt.openapi({
    description: `When it happened, with an offset; at most ${MAX_AGE_DAYS} days old and ` +
      '5 minutes ahead',
    example: '2026-11-22T09:30:00Z',
  }),
  actor_id: text(200).nullish().openapi({ description: 'Who did it (your user id)' }),
  session_id: text(200).nullish(),
  properties: properties.optional().openapi({
    description: `Any JSON object, at most ${MAX_PROPERTIES_BYTES} bytes`,
    example: { plan: 'pro' },
  }),
}).openapi('Event')

export type Event = z.infer<typeof Event>

/** The batch as zod checks it: the source of truth for what POST /events accepts. */
export const EventBatchSchema = z.strictObject({
  events: z.array(Event).min(1).max(MAX_EVENTS),
})

/**
 * The batch the route validates with: EventBatchSchema, with a fast path for the common,
 * certainly valid shape (fast-batch.ts); everything else, every 400 included, is zod's.
 */
export const EventBatch = withFastPath(
  EventBatchSchema.openapi('EventBatch'),
  plainBatchCheck({
    maxEvents: MAX_EVENTS,
    maxFutureMs: MAX_FUTURE_MS,
    maxAgeDays: MAX_AGE_DAYS,
    maxPropertiesBytes: MAX_PROPERTIES_BYTES,
  }),
)

export const Ingested = z.object({
  accepted: z.number().int().openapi({ description: 'Events stored by this request' }),
  duplicates: z.number().int().openapi({
    description: 'Events whose id was already stored (or repeated in the batch)',
  }),
}).openapi('Ingested')

/**
 * Sized so the largest batch stays well inside a hosted isolate's 256 MB; the peak it
 * costs is measured by tests/bench/memory.ts (docs/performance/ingestion.md). 2 MiB holds
 * 1,000 events of ~2 KB, properties included.
 */
export const MAX_BODY_BYTES = 2 * 1024 * 1024

const ingest = ingestRoute({
  method: 'post',
  path: '/',
  summary: `Send up to ${MAX_EVENTS} events`,
  description: 'With a user token (member or better of the active organization) or an API ' +
    'key with the ingest scope. All or nothing: one invalid event refuses the whole batch, ' +
    'and the 400 lists every invalid event by index. Give each event an `id` to make ' +
    'retries safe: an event whose id and occurred_at are already stored is counted as a ' +
    'duplicate and not stored again.',
  request: { body: jsonBody(EventBatch) },
  responses: { 200: json(Ingested, 'Stored') },
}, { maxBodyBytes: MAX_BODY_BYTES })

/** POST /events. */
export const ingestRoutes = ingestApp()
  .openapi(ingest, async (c) => {
    const { events } = c.req.valid('json')
    const accepted = await storeEvents(c.get('ingestor'), events)
    return c.json({ accepted, duplicates: events.length - accepted }, 200)
  })
