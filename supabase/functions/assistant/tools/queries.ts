/**
 * The SQL of the GA4 tool: the caller's active GA4 sources (as the caller, under RLS), then
 * the sealed credentials of the one picked (as service, by the id RLS let through).
 */
import type { EncryptedCredentials } from '../../../../shared/credentials.ts'
import type { Tx } from '../../../../shared/db.ts'

export type Ga4Source = { id: string; external_id: string; external_name: string | null }

/** Active GA4 sources of the organization, oldest first (as the caller). */
export function ga4Sources(tx: Tx, { orgId }: { orgId: string }): Promise<Ga4Source[]> {
  return tx<Ga4Source[]>`
    select id, external_id, external_name from public.data_sources
    where org_id = ${orgId} and provider = 'ga4' and status = 'active'
      and external_id is not null
    order by created_at, id`
}

/** A source's sealed credentials (as service); null when none are stored. */
export async function sealedCredentials(
  tx: Tx,
  { sourceId }: { sourceId: string },
): Promise<EncryptedCredentials | null> {
  const [row] = await tx<EncryptedCredentials[]>`
    select key_id, iv, ciphertext from private.source_credentials where source_id = ${sourceId}`
  return row ?? null
}

/** Replaces a source's sealed credentials after Google refreshed the access token. */
export async function saveSourceCredentials(
  tx: Tx,
  { sourceId, resealed }: { sourceId: string; resealed: EncryptedCredentials },
): Promise<void> {
  await tx`
    update private.source_credentials
    set key_id = ${resealed.key_id}, iv = ${resealed.iv}, ciphertext = ${resealed.ciphertext},
        updated_at = now()
    where source_id = ${sourceId}`
}
