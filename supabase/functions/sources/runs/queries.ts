/**
 * The SQL of asking for a sync now and of the run history. The history is read as the
 * caller (RLS); the request is written as service once the caller's role was checked.
 */
import type { Tx } from '../../../../shared/db.ts'

/** How often a member may ask for one source to be synced now. */
export const MANUAL_SYNC_EVERY_SECONDS = 300

/**
 * Claims the source's manual-sync slot: null when the last request was under
 * MANUAL_SYNC_EVERY_SECONDS ago, with how many seconds remain.
 */
export async function claimManualSync(
  tx: Tx,
  options: { id: string },
): Promise<{ ok: true } | { ok: false; retryAfter: number }> {
  const [claimed] = await tx`
    update public.data_sources set last_manual_sync_at = now()
    where id = ${options.id}
      and (last_manual_sync_at is null
           or last_manual_sync_at <= now() - make_interval(secs => ${MANUAL_SYNC_EVERY_SECONDS}))
    returning id`
  if (claimed) return { ok: true }
  const [row] = await tx<{ seconds: number }[]>`
    select greatest(1, ceil(extract(epoch from
             last_manual_sync_at + make_interval(secs => ${MANUAL_SYNC_EVERY_SECONDS}) - now())))::int
             as seconds
    from public.data_sources where id = ${options.id}`
  return { ok: false, retryAfter: row?.seconds ?? MANUAL_SYNC_EVERY_SECONDS }
}

/**
 * Queues a manual job over the look-back window through yesterday, or finds the job
 * already open (one open job per source). Returns that job's id and whether it is new.
 */
export async function enqueueManualSync(
  tx: Tx,
  options: { id: string },
): Promise<{ jobId: number; queued: boolean }> {
  const [row] = await tx<{ queued: string | null; open: string | null }[]>`
    select private.enqueue_sync_job(s.id, 'manual', current_date - 1 - s.lookback_days,
                                    current_date - 1) as queued,
           (select j.id from private.sync_jobs j
            where j.source_id = s.id and j.status in ('queued', 'running')) as open
    from public.data_sources s where s.id = ${options.id}`
  const id = row.queued ?? row.open
  return { jobId: Number(id), queued: row.queued !== null }
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'retrying' | 'needs_reauth'

type RunRow = {
  id: string
  attempt: number
  started_at: Date
  finished_at: Date | null
  status: RunStatus
  rows_written: number
  from_date: string | null
  to_date: string | null
  error: string | null
  quota: unknown
}

/** A page of the source's runs, newest first, before the run `before` when given. */
export async function listRuns(
  tx: Tx,
  options: { orgId: string; sourceId: string; before?: number; limit: number },
) {
  const rows = await tx<RunRow[]>`
    select id, attempt, started_at, finished_at, status, rows_written,
           from_date::text, to_date::text, error, quota
    from public.sync_runs
    where source_id = ${options.sourceId} and org_id = ${options.orgId}
      and (${options.before ?? null}::bigint is null or id < ${options.before ?? null}::bigint)
    order by id desc
    limit ${options.limit + 1}`
  const page = rows.slice(0, options.limit)
  return {
    runs: page.map((r) => ({
      ...r,
      id: Number(r.id),
      started_at: r.started_at.toISOString(),
      finished_at: r.finished_at?.toISOString() ?? null,
    })),
    next_cursor: rows.length > options.limit ? String(page[page.length - 1].id) : null,
  }
}
