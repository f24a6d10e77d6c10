/**
 * Storing a batch of events: with an API key, one COPY (the cheapest way in); with a user
 * token, or when the COPY fails, one statement, retried once without the duplicates when
 * the batch repeats a stored event.
 */
import { uuidv7 } from '../../../../shared/crypto.ts'
import { canCopy, copyAsService, copyText } from '../../../../shared/db-copy.ts'
import { inOneTrip, type Sql } from '../../../../shared/db.ts'
import { type Ingestor, ingestorActor } from '../../../../shared/http/ingest-guard.ts'
import type { Event } from './routes.ts'

/** What to do with an event whose id and occurred_at are already stored. */
export type OnDuplicate = 'fail' | 'skip'

/** What `insertEvents` stores. */
export type InsertEventsOptions = {
  orgId: string
  /** The events as a JSON array, each with an id. */
  batch: string
  onDuplicate: OnDuplicate
}

/**
 * The one statement that stores a batch for `orgId`; its count is how many were new.
 *
 * The batch travels as one jsonb parameter unpacked by jsonb_to_recordset, the fastest of
 * the formats tests/bench/batch_formats.ts compares (docs/performance/ingestion.md). Typed
 * text first: postgres.js would JSON-encode a string bound as jsonb a second time. Sorting
 * by id makes concurrent retries of one batch take their index locks in the same order.
 *
 * @example
 * await insertEvents(sql, { orgId, batch: JSON.stringify(events), onDuplicate: 'skip' })
 */
export function insertEvents(sql: Sql, options: InsertEventsOptions) {
  const { orgId, batch, onDuplicate } = options
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

const COPY_EVENTS = 'copy public.events ' +
  '(org_id, id, occurred_at, name, actor_id, session_id, properties) from stdin'

/**
 * The batch as COPY text, one line per event, sorted by id as insertEvents sorts (so
 * concurrent retries of one batch take their index locks in the same order). Timestamps
 * and the organization need no escaping: the schema admits no tab, newline or backslash
 * in either.
 */
export function eventsCopyText(orgId: string, events: (Event & { id: string })[]): string {
  const sorted = events.toSorted((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  let text = ''
  for (const e of sorted) {
    text += `${orgId}\t${copyText(e.id)}\t${e.occurred_at}\t${copyText(e.name)}\t` +
      `${copyText(e.actor_id)}\t${copyText(e.session_id)}\t` +
      `${copyText(JSON.stringify(e.properties ?? {}))}\n`
  }
  return text
}

/**
 * Stores a batch for the ingestor and returns how many events were new.
 *
 * Most batches hold no stored event, so the first attempt is a plain insert: `on conflict`
 * would probe the primary key once more per event before inserting, a cost every batch
 * would pay (docs/performance/ingestion.md). A batch that does repeat a stored event (a
 * retry) fails on the primary key as a whole, and is then stored again skipping the
 * duplicates.
 */
export async function storeEvents(ingestor: Ingestor, events: Event[]): Promise<number> {
  // Time-ordered ids for events sent without one keep the primary key's inserts local.
  const rows = events.map((e) =>
    e.id === undefined ? { ...e, id: uuidv7() } : e
  ) as (Event & { id: string })[]
  // A key's writes run as the service, which RLS does not filter (COPY refuses tables
  // under RLS): a user's batch goes through the statement and its policy. A COPY that
  // failed stored nothing; the skipping statement below then stores the batch, or says
  // why not (a deleted organization, ...).
  if (ingestor.via === 'api_key' && canCopy()) {
    if (await copyAsService(COPY_EVENTS, eventsCopyText(ingestor.orgId, rows))) return rows.length
    return await storeWith(ingestor, rows, 'skip')
  }
  try {
    return await storeWith(ingestor, rows, 'fail')
  } catch (e) {
    if (!isDuplicate(e)) throw e
    return await storeWith(ingestor, rows, 'skip')
  }
}

async function storeWith(ingestor: Ingestor, rows: Event[], onDuplicate: OnDuplicate) {
  const batch = JSON.stringify(rows)
  const inserted = await inOneTrip(
    ingestorActor(ingestor),
    (sql) => insertEvents(sql, { orgId: ingestor.orgId, batch, onDuplicate }),
  )
  return inserted.count
}
