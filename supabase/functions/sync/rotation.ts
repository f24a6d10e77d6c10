/**
 * Key rotation for stored credentials: every row sealed with an older key of
 * LYTICS_ENCRYPTION_KEYS is re-encrypted with the newest one. It runs inside a function
 * because only functions hold the keys (they are function secrets, never in the database).
 */
import {
  type CredentialKeyring,
  credentialKeyring,
  type EncryptedCredentials,
  reencryptCredentials,
} from '../../../shared/credentials.ts'
import type { Tx } from '../../../shared/db.ts'

export type RotationSummary = { rotated: number; current: number; key_id: string }

/**
 * Re-encrypts, as the service, each credential not under the newest key. A row is written
 * back only if it still holds what was read, so a token refreshed meanwhile (already sealed
 * with the newest key) is never overwritten with the older one.
 *
 * @example
 * const summary = await asService((tx) => rotateStoredCredentials(tx))
 */
export async function rotateStoredCredentials(
  tx: Tx,
  options: { keyring?: CredentialKeyring } = {},
): Promise<RotationSummary> {
  const keyring = options.keyring ?? credentialKeyring()
  const rows = await tx<(EncryptedCredentials & { source_id: string })[]>`
    select source_id, key_id, iv, ciphertext from private.source_credentials
    order by source_id`
  let rotated = 0
  for (const row of rows) {
    const fresh = await reencryptCredentials(row, { sourceId: row.source_id, keyring })
    if (!fresh) continue
    const updated = await tx`
      update private.source_credentials
      set key_id = ${fresh.key_id}, iv = ${fresh.iv}, ciphertext = ${fresh.ciphertext},
          updated_at = now()
      where source_id = ${row.source_id} and key_id = ${row.key_id} and iv = ${row.iv}`
    rotated += updated.count
  }
  return { rotated, current: rows.length - rotated, key_id: keyring.newestKeyId }
}
