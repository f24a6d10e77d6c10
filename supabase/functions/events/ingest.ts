/**
 * POST /events: a batch of up to 1,000 events, stored in one statement. Events whose id and
 * occurred_at are already stored are skipped (counted as duplicates), so a retried batch
 * is harmless.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { uuidv7 } from '../../../shared/crypto.ts'
import { inOneTrip, type Sql } from '../../../shared/db.ts'
import { ErrorSchema, json, jsonBody } from '../../../shared/http/openapi.ts'
import { formatBytes, limitBody } from '../../../shared/http/body-limit.ts'
import { validationFailed } from '../../../shared/http/validation.ts'
import { type Ingestor, ingestorActor, ingestRoute } from '../../../shared/ingest-auth.ts'
import { type Event, EventBatch, Ingested, MAX_EVENTS } from './schema.ts'

/**
 * A hosted isolate has 256 MB, and a batch costs ~20 times its size at its peak (the body,
 * its parsed copy, the SQL parameter); tests/bench/memory.ts measures it. 2 MiB holds
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
  responses: {
    200: json(Ingested, 'Stored'),
    413: json(ErrorSchema, `The body is larger than ${formatBytes(MAX_BODY_BYTES)}`),
  },
})

/** What to do with an event whose id and occurred_at are already stored. */
type OnDuplicate = 'fail' | 'skip'

/**
 * The one statement that stores a batch (the events as JSON text) for `orgId`; its count
 * is how many were new.
 *
 * The batch travels as one jsonb parameter unpacked by jsonb_to_recordset: for 1,000
 * events that measured ~5.7 ms from JS to rows, against ~5.9 ms for json_to_recordset and
 * ~7.0 ms for one array per column with unnest (tests/bench/batch_formats.ts compares
 * them in a real insert). Typed text first: postgres.js would JSON-encode a string bound
 * as jsonb a second time. Sorting by id makes concurrent retries of one batch take their
 * index locks in the same order.
 */
export function insertEvents(
  sql: Sql,
  orgId: string,
  batch: string,
  onDuplicate: OnDuplicate,
) {
  return sql`
    insert into public.events (org_id, id, occurred_at, name, actor_id, session_id, properties)
    select ${orgId}::uuid, e.id, e.occurred_at, e.name,
           e.actor_id, e.session_id, coalesce(e.properties, '{}'::jsonb)
    from jsonb_to_recordset(${batch}::text::jsonb) as e(
      id text, occurred_at timestamptz, name text, actor_id text, session_id text,
      properties jsonb)
    order by 2
    ${onDuplicate === 'skip' ? sql`on conflict (org_id, id, occurred_at) do nothing` : sql``}`
}

const isDuplicate = (e: unknown) => (e as { code?: string })?.code === '23505'

/**
 * Stores a batch for the ingestor and returns how many events were new.
 *
 * Most batches hold no stored event, so the first attempt is a plain insert: `on conflict`
 * would probe the primary key once more per event before inserting (~8% of Postgres's
 * time per batch). A batch that does repeat a stored event (a retry) fails on the primary
 * key as a whole, and is then stored again skipping the duplicates.
 */
export async function storeEvents(ingestor: Ingestor, events: Event[]): Promise<number> {
  // Time-ordered ids for events sent without one keep the primary key's inserts local.
  const rows = events.map((e) => e.id === undefined ? { ...e, id: uuidv7() } : e)
  const batch = JSON.stringify(rows)
  const store = async (onDuplicate: OnDuplicate) => {
    const inserted = await inOneTrip(
      ingestorActor(ingestor),
      (sql) => insertEvents(sql, ingestor.orgId, batch, onDuplicate),
    )
    return inserted.count
  }
  try {
    return await store('fail')
  } catch (e) {
    if (!isDuplicate(e)) throw e
    return await store('skip')
  }
}

const limited = new OpenAPIHono({ defaultHook: validationFailed })
limited.use('/', limitBody(MAX_BODY_BYTES))

/** Registers POST /events. */
export const ingestRoutes = limited.openapi(ingest, async (c) => {
  const { events } = c.req.valid('json')
  const ingestor = c.get('ingestor')
  const accepted = await storeEvents(ingestor, events)
  return c.json({ accepted, duplicates: events.length - accepted }, 200)
})
