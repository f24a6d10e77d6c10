/**
 * The API keys of an organization, as its admins manage them. Each runs inside an `asUser`
 * transaction; RLS and the `org_id` condition keep other organizations' keys out of reach.
 */
import type { ApiKeyScope } from '../../../../shared/api-keys.ts'
import type { Tx } from '../../../../shared/db.ts'

/** An API key as stored, without its hash. */
export type ApiKeyRow = {
  id: string
  name: string
  prefix: string
  scopes: ApiKeyScope[]
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
}

/** A key to store: its hash only, never the key. */
export type NewApiKeyRow = {
  orgId: string
  name: string
  prefix: string
  hash: string
  scopes: ApiKeyScope[]
  createdBy: string
}

/** Stores a new key and returns it as listed. */
export async function insertApiKey(tx: Tx, key: NewApiKeyRow): Promise<ApiKeyRow> {
  const [row] = await tx<ApiKeyRow[]>`
    insert into public.api_keys (org_id, name, prefix, key_hash, scopes, created_by)
    values (${key.orgId}, ${key.name}, ${key.prefix}, ${key.hash}, ${key.scopes}::text[],
            ${key.createdBy})
    returning id, name, prefix, scopes, created_at, last_used_at, revoked_at`
  return row
}

/** The organization's keys, revoked ones included, newest first. */
export async function listApiKeys(tx: Tx, options: { orgId: string }): Promise<ApiKeyRow[]> {
  return await tx<ApiKeyRow[]>`
    select id, name, prefix, scopes, created_at, last_used_at, revoked_at
    from public.api_keys where org_id = ${options.orgId}
    order by created_at desc, id`
}

/** Revokes the key `id` of the organization; false when it has no such key. */
export async function revokeApiKey(
  tx: Tx,
  options: { orgId: string; id: string },
): Promise<boolean> {
  // Revoking twice keeps the first time, so the record shows when it really stopped.
  const rows = await tx`
    update public.api_keys set revoked_at = coalesce(revoked_at, now())
    where id = ${options.id} and org_id = ${options.orgId}
    returning id`
  return rows.length > 0
}
