/**
 * The SQL of connecting Instagram, as service after private.consume_oauth_state confirmed
 * the flow's user is still an admin of its organization.
 */
import type { Tx } from '../../../../shared/db.ts'

/**
 * The organization's source for this Instagram account, created active, or the existing
 * one brought back to work (connecting the same account again re-authorizes it; it is
 * due at once). `isNew` says whether a backfill is owed.
 */
export async function upsertInstagramSource(tx: Tx, options: {
  orgId: string
  userId: string
  externalId: string
  username: string
}): Promise<{ id: string; isNew: boolean }> {
  const [row] = await tx<{ id: string; is_new: boolean }[]>`
    insert into public.data_sources
      (org_id, provider, external_id, external_name, status, next_sync_at, created_by)
    values (${options.orgId}, 'instagram', ${options.externalId}, ${options.username}, 'active',
            null, ${options.userId})
    on conflict (org_id, provider, external_id) do update
      set external_name = excluded.external_name, status = 'active', last_error = null,
          next_sync_at = now()
    returning id, (xmax = 0) as is_new`
  if (row.is_new) {
    // A new source's first scheduled run comes one interval after its backfill is queued.
    await tx`
      update public.data_sources set next_sync_at = now() + make_interval(mins => sync_interval_minutes)
      where id = ${row.id}`
  }
  return { id: row.id, isNew: row.is_new }
}

/** The Instagram account a source reads, when it is one of this organization's. */
export async function instagramAccountOf(
  tx: Tx,
  options: { orgId: string; id: string },
): Promise<string | null | undefined> {
  const [row] = await tx<{ external_id: string | null }[]>`
    select external_id from public.data_sources
    where id = ${options.id} and org_id = ${options.orgId} and provider = 'instagram'`
  return row?.external_id
}
