/**
 * The service-side SQL of the OAuth flows: states, sealed credentials and the backfill
 * queued on connect. Run only after the caller's role was checked in SQL (as the user
 * when they start a flow; inside private.consume_oauth_state when the browser returns).
 */
import type { EncryptedCredentials } from '../../../../shared/credentials.ts'
import type { Tx } from '../../../../shared/db.ts'

export type Provider = 'ga4' | 'instagram'

/** Whether a flow was recorded; if not, in how many seconds the user's oldest one expires. */
export type StartedFlow = { stored: boolean; retry_after: number }

/**
 * Records a flow in progress, its state stored only as a hash, unless the user already has
 * `maxLive` unexpired flows (used or not: each lives 10 minutes, so this caps the flows a
 * user starts in 10 minutes). A cap against a runaway client, not an exact quota: two
 * starts at the same moment may both see room.
 */
export async function insertOAuthState(tx: Tx, options: {
  stateHash: string
  userId: string
  orgId: string
  provider: Provider
  sealedVerifier: EncryptedCredentials
  redirectTo: string
  sourceId: string | null
  maxLive: number
}): Promise<StartedFlow> {
  const v = options.sealedVerifier
  const [row] = await tx<StartedFlow[]>`
    with live as (
      select count(*)::int as flows,
             greatest(1, ceil(extract(epoch from min(expires_at) - now())))::int as retry_after
      from private.oauth_states
      where user_id = ${options.userId} and expires_at > now()
    ), stored as (
      insert into private.oauth_states
        (state_hash, user_id, org_id, provider, key_id, iv, ciphertext, redirect_to, source_id)
      select ${options.stateHash}, ${options.userId}, ${options.orgId}, ${options.provider},
             ${v.key_id}, ${v.iv}, ${v.ciphertext}, ${options.redirectTo}, ${options.sourceId}
      from live where live.flows < ${options.maxLive}
      returning 1
    )
    select exists (select 1 from stored) as stored, coalesce(live.retry_after, 1) as retry_after
    from live`
  return row
}

export type ConsumedState = {
  user_id: string
  org_id: string
  provider: Provider
  key_id: string
  iv: Uint8Array
  ciphertext: Uint8Array
  redirect_to: string
  source_id: string | null
  user_is_admin: boolean
}

/** The state's flow, once: undefined for an unknown, used or expired state. */
export async function consumeOAuthState(
  tx: Tx,
  options: { stateHash: string },
): Promise<ConsumedState | undefined> {
  const [row] = await tx<ConsumedState[]>`
    select * from private.consume_oauth_state(${options.stateHash})`
  return row
}

/** A source's sealed credentials, or undefined. */
export async function readCredentials(
  tx: Tx,
  options: { sourceId: string },
): Promise<EncryptedCredentials | undefined> {
  const [row] = await tx<EncryptedCredentials[]>`
    select key_id, iv, ciphertext from private.source_credentials
    where source_id = ${options.sourceId}`
  return row
}

/** Stores (or replaces) a source's sealed credentials. */
export async function storeCredentials(
  tx: Tx,
  options: { sourceId: string; sealed: EncryptedCredentials },
): Promise<void> {
  const s = options.sealed
  await tx`
    insert into private.source_credentials (source_id, key_id, iv, ciphertext)
    values (${options.sourceId}, ${s.key_id}, ${s.iv}, ${s.ciphertext})
    on conflict (source_id) do update
      set key_id = excluded.key_id, iv = excluded.iv, ciphertext = excluded.ciphertext,
          updated_at = now()`
}

/**
 * Queues the source's backfill, from `backfill_days` ago through yesterday; sync runs it
 * (never the OAuth callback). Returns the job id, or null when a job is already open.
 */
export async function enqueueBackfill(
  tx: Tx,
  options: { sourceId: string },
): Promise<number | null> {
  const [row] = await tx<{ id: string | null }[]>`
    select private.enqueue_sync_job(s.id, 'backfill', current_date - s.backfill_days,
                                    current_date - 1) as id
    from public.data_sources s where s.id = ${options.sourceId}`
  return row?.id == null ? null : Number(row.id)
}
