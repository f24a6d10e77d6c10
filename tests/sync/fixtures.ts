/**
 * Sources the sync tests start from: an organization with an owner, an active source and
 * its credentials sealed with shared/credentials.ts, as the sources function leaves them
 * once a property or account is connected; and ways to run and watch the queue.
 */
import assert from 'node:assert/strict'
import { decryptCredentials, encryptCredentials } from '../../shared/credentials.ts'
import { adminSql, call, newUser, stack, type TestUser, uniqueSlug } from '../_helpers/stack.ts'

export type Fixture = { owner: TestUser; orgId: string; sourceId: string }

/** A new organization with an active source of `provider`, not due for a day. */
export async function activeSource(options: {
  provider: 'ga4' | 'instagram'
  externalId: string
  credentials: unknown
}): Promise<Fixture> {
  const owner = await newUser('sync-owner')
  const org = await call('POST', '/orgs', {
    token: owner.token,
    body: { name: 'Sync Co', slug: uniqueSlug('sync') },
  })
  assert.equal(org.status, 201, org.text)
  const orgId = org.body.id as string
  const [source] = await adminSql<{ id: string }[]>`
    insert into public.data_sources (org_id, provider, external_id, external_name, status,
                                     next_sync_at, created_by)
    values (${orgId}, ${options.provider}, ${options.externalId}, 'Fixture', 'active',
            now() + interval '1 day', ${owner.id})
    returning id`
  const sealed = await encryptCredentials(options.credentials, { sourceId: source.id })
  await adminSql`
    insert into private.source_credentials (source_id, key_id, iv, ciphertext)
    values (${source.id}, ${sealed.key_id}, ${sealed.iv}, ${sealed.ciphertext})`
  return { owner, orgId, sourceId: source.id }
}

/**
 * Keeps every other source of the stack out of a test that scripts the provider's next
 * failure or counts its calls: the worker runs every due job (pg_cron wakes it each minute
 * too), so another file's leftover job could take the scripted 429 or add a call.
 */
export async function parkOtherSources(sourceId: string): Promise<void> {
  await adminSql`
    update public.data_sources set next_sync_at = now() + interval '1 day'
    where id <> ${sourceId} and status = 'active'
      and (next_sync_at is null or next_sync_at < now() + interval '1 day')`
  await adminSql`
    update private.sync_jobs set run_after = 'infinity'
    where status = 'queued' and source_id <> ${sourceId}`
}

/** Queues a job for the source, as connecting (backfill) or a member (manual) would. */
export async function enqueue(
  sourceId: string,
  options: { kind?: 'backfill' | 'manual'; from: string; to: string },
): Promise<string> {
  const [row] = await adminSql<{ id: string | null }[]>`
    select private.enqueue_sync_job(${sourceId}, ${options.kind ?? 'backfill'},
                                    ${options.from}::date, ${options.to}::date)::text as id`
  assert.ok(row.id, 'a job was queued')
  return row.id
}

/** One wake-up of the worker through the gateway, as pg_cron's would be. */
export function runSync(token = stack.secretKey) {
  return call('POST', '/sync/run', { token, body: {} })
}

export type JobRow = {
  id: string
  status: string
  attempt: number
  run_after: Date
  leased_by: string | null
  last_error: string | null
}

export async function job(id: string): Promise<JobRow> {
  const [row] = await adminSql<JobRow[]>`
    select id::text, status, attempt, run_after, leased_by, last_error
    from private.sync_jobs where id = ${id}`
  return row
}

/**
 * Runs the worker until the job has left the running state. pg_cron also wakes the worker
 * every minute on the same stack, so a job may be taken by either: tests check its state,
 * never which call ran it.
 */
export async function runUntilSettled(id: string, timeoutMs = 30_000): Promise<JobRow> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const res = await runSync()
    assert.equal(res.status, 200, res.text)
    const row = await job(id)
    if (row.status !== 'running' && !(row.status === 'queued' && row.run_after <= new Date())) {
      return row
    }
    if (Date.now() > until) assert.fail(`job ${id} did not settle: ${JSON.stringify(row)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

export type RunRow = {
  job_id: string
  attempt: number
  status: string
  rows_written: number
  error: string | null
  quota: Record<string, { consumed: number; remaining: number }> | null
  from_date: string
  to_date: string
  finished_at: Date | null
}

/** The source's sync_runs, oldest first. */
export function runsOf(sourceId: string): Promise<RunRow[]> {
  return adminSql<RunRow[]>`
    select job_id::text, attempt, status, rows_written, error, quota, from_date::text,
           to_date::text, finished_at
    from public.sync_runs where source_id = ${sourceId} order by id`
}

/** The source's metrics rows, every column as text, for byte-for-byte comparisons. */
export function metricsDump(sourceId: string) {
  return adminSql<
    {
      metric_name: string
      metric_date: string
      dimension: string
      value: string
      meta: string
      updated_at: string
    }[]
  >`
    select metric_name, metric_date::text, source, dimension, value::text, meta::text,
           updated_at::text
    from public.metrics where meta->>'source_id' = ${sourceId}
    order by metric_name, metric_date, dimension`
}

/** The source's credentials, sealed and opened. */
export async function storedCredentials<T = Record<string, unknown>>(sourceId: string) {
  const [sealed] = await adminSql<{ key_id: string; iv: Uint8Array; ciphertext: Uint8Array }[]>`
    select key_id, iv, ciphertext from private.source_credentials where source_id = ${sourceId}`
  return { sealed, opened: await decryptCredentials(sealed, { sourceId }) as T }
}

export async function sourceRow(sourceId: string) {
  const [row] = await adminSql<
    {
      status: string
      last_error: string | null
      last_synced_at: Date | null
      next_sync_at: Date | null
    }[]
  >`select status, last_error, last_synced_at, next_sync_at from public.data_sources
    where id = ${sourceId}`
  return row
}

/** `YYYY-MM-DD`, `days` from today (UTC, as the database's current_date). */
export function utcDay(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
}
