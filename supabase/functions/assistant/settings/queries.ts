/**
 * The SQL of an organization's model settings. The row is private (service only): a route
 * first checks the caller's role as the caller (private.require_org_role), then reads or
 * writes as service for that organization.
 */
import type { EncryptedCredentials } from '../../../../shared/credentials.ts'
import type { Tx } from '../../../../shared/db.ts'

export type StoredSettings = EncryptedCredentials & {
  key_hint: string
  base_url: string | null
  model: string | null
  updated_at: Date
}

/** The organization's sealed settings, or null. */
export async function storedSettings(
  tx: Tx,
  { orgId }: { orgId: string },
): Promise<StoredSettings | null> {
  const [row] = await tx<StoredSettings[]>`
    select key_id, iv, ciphertext, key_hint, base_url, model, updated_at
    from private.assistant_settings where org_id = ${orgId}`
  return row ?? null
}

/** Stores (or replaces) the organization's sealed key, base URL and model. */
export async function saveSettings(tx: Tx, options: {
  orgId: string
  userId: string
  sealed: EncryptedCredentials
  keyHint: string
  baseUrl: string | null
  model: string | null
}): Promise<void> {
  const { orgId, userId, sealed, keyHint, baseUrl, model } = options
  await tx`
    insert into private.assistant_settings
      (org_id, key_id, iv, ciphertext, key_hint, base_url, model, updated_by)
    values (${orgId}, ${sealed.key_id}, ${sealed.iv}, ${sealed.ciphertext}, ${keyHint},
            ${baseUrl}, ${model}, ${userId})
    on conflict (org_id) do update set
      key_id = excluded.key_id, iv = excluded.iv, ciphertext = excluded.ciphertext,
      key_hint = excluded.key_hint, base_url = excluded.base_url, model = excluded.model,
      updated_by = excluded.updated_by, updated_at = now()`
}

/** Removes the organization's settings; false when there were none. */
export async function deleteSettings(tx: Tx, { orgId }: { orgId: string }): Promise<boolean> {
  const rows =
    await tx`delete from private.assistant_settings where org_id = ${orgId} returning org_id`
  return rows.length > 0
}
