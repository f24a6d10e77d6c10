/**
 * Organization API keys (`lyt_<prefix>_<secret>`): made here, shown once, stored only as a
 * SHA-256. The HTTP side (which header carries a key, 401/403) is shared/http/ingest-guard.ts.
 */
import { randomToken, sha256Hex } from './crypto.ts'
import { inOneTrip } from './db.ts'

/** What an API key may be used for. `read` is stored for later; nothing reads with it yet. */
export type ApiKeyScope = 'ingest' | 'read'
export const API_KEY_SCOPES = ['ingest', 'read'] as const satisfies readonly ApiKeyScope[]

// `lyt_` + 8 visible characters + `_` + the secret; the secret length leaves room to grow.
const API_KEY = /^(lyt_[A-Za-z0-9]{8})_[A-Za-z0-9]{32,128}$/
const SECRET_LENGTH = 40

/** A new API key: the key itself (shown once), its visible prefix and the hash to store. */
export async function newApiKey(): Promise<{ key: string; prefix: string; hash: string }> {
  const prefix = `lyt_${randomToken(8)}`
  const key = `${prefix}_${randomToken(SECRET_LENGTH)}`
  return { key, prefix, hash: await sha256Hex(key) }
}

/** The visible prefix of a well-formed API key, or undefined. */
export function apiKeyPrefix(key: string): string | undefined {
  return API_KEY.exec(key)?.[1]
}

/** A live (unrevoked) API key, as `useApiKey` finds it. */
export type ApiKeyGrant = { keyId: string; orgId: string; scopes: ApiKeyScope[] }

/**
 * The live key behind `key`, or undefined for an unknown or revoked one; marks it used
 * (private.use_api_key). Call it with well-formed keys only (`apiKeyPrefix`).
 */
export async function useApiKey(key: string): Promise<ApiKeyGrant | undefined> {
  const hash = await sha256Hex(key)
  // One round trip: every API-key request makes this lookup.
  const [found] = await inOneTrip(
    'service',
    (sql) =>
      sql<{ key_id: string; org_id: string; scopes: ApiKeyScope[] }[]>`
      select key_id, org_id, scopes from private.use_api_key(${hash})`,
  )
  return found && { keyId: found.key_id, orgId: found.org_id, scopes: found.scopes }
}
