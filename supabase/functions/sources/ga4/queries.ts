/**
 * The SQL of connecting GA4. The callback's writes run as service, after
 * private.consume_oauth_state confirmed the flow's user is still an admin of its
 * organization; picking a property reads as the caller (RLS) and writes as service.
 */
import type { Tx } from '../../../../shared/db.ts'
import type { PropertyChoice } from './google.ts'

/** A new GA4 source waiting for its property to be picked, with its credentials. */
export async function createPendingSource(tx: Tx, options: {
  id: string
  orgId: string
  userId: string
  choices: PropertyChoice[]
}): Promise<void> {
  await tx`
    insert into public.data_sources (id, org_id, provider, status, property_choices, created_by)
    values (${options.id}, ${options.orgId}, 'ga4', 'pending', ${tx.json(options.choices)},
            ${options.userId})`
}

/**
 * A re-authorized GA4 source: new choices, and back to work if it already had a property
 * (due at once), else still pending. Returns its status, or undefined when the source is
 * no longer there.
 */
export async function reauthorizeSource(tx: Tx, options: {
  id: string
  orgId: string
  choices: PropertyChoice[]
}): Promise<string | undefined> {
  const [row] = await tx<{ status: string }[]>`
    update public.data_sources set
      property_choices = ${tx.json(options.choices)},
      status = case when external_id is null then 'pending' else 'active' end,
      last_error = null,
      next_sync_at = case when external_id is null then null else now() end
    where id = ${options.id} and org_id = ${options.orgId} and provider = 'ga4'
    returning status`
  return row?.status
}

/** The properties the source's Google account could see when it consented (as the caller). */
export async function propertyChoices(
  tx: Tx,
  options: { orgId: string; id: string },
): Promise<{ provider: string; status: string; choices: PropertyChoice[] } | undefined> {
  const [row] = await tx<{ provider: string; status: string; choices: PropertyChoice[] }[]>`
    select provider, status, property_choices as choices from public.data_sources
    where id = ${options.id} and org_id = ${options.orgId}`
  return row
}

/**
 * Makes a pending source read `property` and activates it, its next scheduled run one
 * interval after the backfill is queued. False when it was no longer pending.
 */
export async function activateProperty(tx: Tx, options: {
  id: string
  property: PropertyChoice
}): Promise<boolean> {
  // Only a pending source: of two concurrent picks, the second changes nothing.
  const rows = await tx`
    update public.data_sources set
      external_id = ${options.property.property_id},
      external_name = ${options.property.display_name},
      status = 'active', last_error = null,
      next_sync_at = now() + make_interval(mins => sync_interval_minutes)
    where id = ${options.id} and status = 'pending'
    returning id`
  return rows.length > 0
}
