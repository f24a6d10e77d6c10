/**
 * The SQL of a data source's own row, run as the caller: RLS shows members their
 * organization's sources, and the policies, column grants and the status guard of the
 * migration decide what an admin may change. The org is the caller's active one.
 */
import type { Tx } from '../../../../shared/db.ts'
import { type DataSource, iso } from '../schemas.ts'

type SourceRow =
  & Omit<DataSource, 'last_synced_at' | 'next_sync_at' | 'created_at' | 'updated_at'>
  & {
    last_synced_at: Date | null
    next_sync_at: Date | null
    created_at: Date
    updated_at: Date
  }

const toSource = (row: SourceRow): DataSource => ({
  ...row,
  last_synced_at: iso(row.last_synced_at),
  next_sync_at: iso(row.next_sync_at),
  created_at: iso(row.created_at),
  updated_at: iso(row.updated_at),
})

/** The columns a DataSource shows, for `returning` and `select`. */
const columns = (tx: Tx) =>
  tx`id, provider, external_id, external_name, status, sync_interval_minutes, lookback_days,
     backfill_days, last_synced_at, next_sync_at, last_error, created_at, updated_at`

/** The sources of `orgId`, newest first. */
export async function listSources(tx: Tx, options: { orgId: string }): Promise<DataSource[]> {
  const rows = await tx<SourceRow[]>`
    select ${columns(tx)} from public.data_sources
    where org_id = ${options.orgId}
    order by created_at desc, id`
  return rows.map(toSource)
}

/** One source of `orgId`, or undefined when it is not there (or not visible). */
export async function findSource(
  tx: Tx,
  options: { orgId: string; id: string },
): Promise<DataSource | undefined> {
  const [row] = await tx<SourceRow[]>`
    select ${columns(tx)} from public.data_sources
    where id = ${options.id} and org_id = ${options.orgId}`
  return row && toSource(row)
}

export type SourceSettings = {
  sync_interval_minutes?: number
  lookback_days?: number
  backfill_days?: number
}

/** Changes the settings given; undefined when the source is not there. */
export async function changeSettings(
  tx: Tx,
  options: { orgId: string; id: string; settings: SourceSettings },
): Promise<DataSource | undefined> {
  const s = options.settings
  const [row] = await tx<SourceRow[]>`
    update public.data_sources set
      sync_interval_minutes = coalesce(${
    s.sync_interval_minutes ?? null
  }::int, sync_interval_minutes),
      lookback_days = coalesce(${s.lookback_days ?? null}::int, lookback_days),
      backfill_days = coalesce(${s.backfill_days ?? null}::int, backfill_days)
    where id = ${options.id} and org_id = ${options.orgId}
    returning ${columns(tx)}`
  return row && toSource(row)
}

/**
 * Pauses or resumes; the migration's guard refuses any other change of status (LY409),
 * and resuming makes the source due at once.
 */
export async function changeStatus(
  tx: Tx,
  options: { orgId: string; id: string; status: 'paused' | 'active' },
): Promise<DataSource | undefined> {
  const [row] = await tx<SourceRow[]>`
    update public.data_sources set status = ${options.status}
    where id = ${options.id} and org_id = ${options.orgId}
    returning ${columns(tx)}`
  return row && toSource(row)
}

/**
 * Deletes the source (its credentials, jobs and runs go with it) and, when asked, the
 * metrics it wrote: their `source` is `<provider>:<source id>` (see store_synced_metrics), so
 * two sources of one provider stay apart.
 */
export async function disconnectSource(
  tx: Tx,
  options: { orgId: string; id: string; provider: string; deleteMetrics: boolean },
): Promise<{ metricsDeleted: number }> {
  let metricsDeleted = 0
  if (options.deleteMetrics) {
    const deleted = await tx`
      delete from public.metrics
      where org_id = ${options.orgId} and source = ${`${options.provider}:${options.id}`}`
    metricsDeleted = deleted.count
  }
  await tx`delete from public.data_sources where id = ${options.id} and org_id = ${options.orgId}`
  return { metricsDeleted }
}
