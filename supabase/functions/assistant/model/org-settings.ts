/**
 * An organization's own model settings, sealed with the same envelope encryption as source
 * credentials (shared/credentials.ts), bound to `assistant:<org id>` so a ciphertext copied
 * to another organization's row does not open.
 */
import { z } from 'zod'
import { decryptCredentials, encryptCredentials } from '../../../../shared/credentials.ts'
import type { EncryptedCredentials } from '../../../../shared/credentials.ts'
import { asService } from '../../../../shared/db.ts'
import { storedSettings } from '../settings/queries.ts'
import type { OrgModelSettings } from './provider.ts'

const SealedKey = z.object({ api_key: z.string().min(1) })

const boundTo = (orgId: string) => `assistant:${orgId}`

/** Seals an API key for the organization. */
export function sealApiKey(apiKey: string, orgId: string): Promise<EncryptedCredentials> {
  return encryptCredentials({ api_key: apiKey }, { sourceId: boundTo(orgId) })
}

/**
 * The organization's provider with its key opened, or null when it stored none. Only call
 * it with an organization the caller was resolved into (activeOrg), never with input.
 */
export async function orgModelSettings(orgId: string): Promise<OrgModelSettings | null> {
  const row = await asService((tx) => storedSettings(tx, { orgId }))
  if (!row) return null
  const opened = await decryptCredentials(row, { sourceId: boundTo(orgId), schema: SealedKey })
  return { apiKey: opened.api_key, baseUrl: row.base_url, model: row.model }
}
