/**
 * Ending a source's grant at the provider before its credentials are deleted. Google
 * offers a revoke endpoint; Instagram API with Instagram Login offers none (its token
 * simply expires, and the user removes the app in Instagram's settings), so deleting the
 * sealed token is all there is. A failed revoke does not keep the source: the credentials
 * are deleted either way, and the failure is logged without any token.
 */
import { decryptCredentials } from '../../../../shared/credentials.ts'
import { asService } from '../../../../shared/db.ts'
import { Ga4CredentialsSchema } from '../../../../shared/providers/credentials.ts'
import { revokeGrant } from '../ga4/google.ts'
import { readCredentials } from '../oauth/queries.ts'

/** Whether the provider confirmed the revocation (false where it has none, or it failed). */
export async function revokeAtProvider(source: { id: string; provider: string }): Promise<boolean> {
  if (source.provider !== 'ga4') return false
  const sealed = await asService((tx) => readCredentials(tx, { sourceId: source.id }))
  if (!sealed) return false
  try {
    const credentials = await decryptCredentials(sealed, {
      sourceId: source.id,
      schema: Ga4CredentialsSchema,
    })
    await revokeGrant(credentials.refresh_token)
    return true
  } catch (err) {
    console.warn(JSON.stringify({
      level: 'warn',
      msg: 'revoking at the provider failed; deleting the credentials anyway',
      source_id: source.id,
      error: err instanceof Error ? err.name : 'unknown',
      message: err instanceof Error ? err.message : undefined,
    }))
    return false
  }
}
