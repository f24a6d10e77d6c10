/**
 * The sync worker's SQL: the queue (claim, attempt, finish) through the security-definer
 * functions of migrations 20261201000100_sources.sql and 20261201000200_sync.sql, the
 * source and its sealed credentials, and the metrics a provider reported. Every query runs
 * as service_role: the worker acts for no user, and each function takes the organization
 * from the source row itself.
 */
import type { Tx } from '../../../shared/db.ts'
import type { EncryptedCredentials } from '../../../shared/credentials.ts'
import type { MetricRow } from '../../../shared/providers/metric-rows.ts'

/** A claimed job, dates as `YYYY-MM-DD` text (never a JS Date in a time zone). */
export type ClaimedJob = {
  id: string
  source_id: string
  kind: 'backfill' | 'scheduled' | 'manual'
  from_date: string
  to_date: string
  attempt: number
  max_attempts: number
}

/** Claims up to `max` due jobs for `worker`, leased for `lease` (an interval, e.g. '7 minutes'). */
export function claimJobs(
  tx: Tx,
  options: { worker: string; max: number; lease: string },
): Promise<ClaimedJob[]> {
  return tx<ClaimedJob[]>`
    select id::text, source_id, kind, from_date::text, to_date::text, attempt, max_attempts
    from private.claim_sync_jobs(${options.worker}, ${options.max}, ${options.lease}::interval)`
}

/** Records the start of an attempt; null when the worker no longer holds the job. */
export async function beginRun(
  tx: Tx,
  options: { job: string; worker: string },
): Promise<string | null> {
  const [row] = await tx<{ id: string | null }[]>`
    select private.begin_sync_run(${options.job}::bigint, ${options.worker})::text as id`
  return row?.id ?? null
}

export type SourceToSync = {
  id: string
  org_id: string
  provider: 'ga4' | 'instagram'
  external_id: string | null
  status: string
  credentials: EncryptedCredentials | null
}

/** The source a job syncs, with its sealed credentials (null when none are stored). */
export async function sourceToSync(
  tx: Tx,
  options: { sourceId: string },
): Promise<SourceToSync | null> {
  const [row] = await tx<
    (Omit<SourceToSync, 'credentials'> & {
      key_id: string | null
      iv: Uint8Array | null
      ciphertext: Uint8Array | null
    })[]
  >`
    select s.id, s.org_id, s.provider, s.external_id, s.status, c.key_id, c.iv, c.ciphertext
    from public.data_sources s
    left join private.source_credentials c on c.source_id = s.id
    where s.id = ${options.sourceId}`
  if (!row) return null
  const { key_id, iv, ciphertext, ...source } = row
  const credentials = key_id && iv && ciphertext ? { key_id, iv, ciphertext } : null
  return { ...source, credentials }
}

/** Replaces a source's sealed credentials (a refreshed token), in its own transaction. */
export async function saveCredentials(
  tx: Tx,
  options: { sourceId: string; sealed: EncryptedCredentials },
): Promise<void> {
  const { key_id, iv, ciphertext } = options.sealed
  await tx`
    update private.source_credentials
    set key_id = ${key_id}, iv = ${iv}, ciphertext = ${ciphertext}, updated_at = now()
    where source_id = ${options.sourceId}`
}

/** Upserts the reported rows; returns how many rows changed. */
export async function storeMetrics(
  tx: Tx,
  options: { sourceId: string; rows: MetricRow[] },
): Promise<number> {
  const [row] = await tx<{ changed: number }[]>`
    select private.store_synced_metrics(${options.sourceId}, ${tx.json(options.rows)}) as changed`
  return row.changed
}

/** Marks the job done; false when its lease had expired and another worker took it. */
export async function completeJob(
  tx: Tx,
  options: {
    job: string
    run: string
    worker: string
    rowsWritten: number
    quota: unknown
    deferMinutes: number
  },
): Promise<boolean> {
  const [row] = await tx<{ done: boolean }[]>`
    select private.complete_sync_job(
      ${options.job}::bigint, ${options.run}::bigint, ${options.worker}, ${options.rowsWritten},
      ${options.quota === null ? null : tx.json(options.quota as never)},
      make_interval(mins => ${options.deferMinutes})) as done`
  return row.done
}

export type JobOutcome = 'retrying' | 'failed' | 'needs_reauth' | 'lease_lost'

/** Records a failed attempt; returns what became of the job. */
export async function failJob(
  tx: Tx,
  options: {
    job: string
    run: string
    worker: string
    failure: 'retry' | 'reauth' | 'fatal' | 'skip'
    error: string
    retryInSeconds: number
    quota?: unknown
  },
): Promise<JobOutcome> {
  const quota = options.quota ? tx.json(options.quota as never) : null
  const [row] = await tx<{ outcome: JobOutcome }[]>`
    select private.fail_sync_job(
      ${options.job}::bigint, ${options.run}::bigint, ${options.worker}, ${options.failure},
      ${options.error}, make_interval(secs => ${options.retryInSeconds}), ${quota}) as outcome`
  return row.outcome
}

/** Jobs that are due and not yet taken: what a next wake-up will find. */
export async function dueJobCount(tx: Tx): Promise<number> {
  const [row] = await tx<{ due: number }[]>`select private.due_sync_job_count() as due`
  return row.due
}
