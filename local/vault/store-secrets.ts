/**
 * Stores what the pg_cron → pg_net wake-up of the `sync` function reads from Vault: the
 * functions' base URL and the secret key it sends. On hosted Supabase these are created
 * once by hand (see the README); locally `scripts/start` and `scripts/test` run this after
 * the gateway has made the keys. Idempotent: an existing secret of that name is updated.
 *
 * Usage: store-secrets.ts <stateDir> <apiUrl> <dbUrl>
 */
import postgres from 'postgres'
import { readPublicKeys } from '../gateway/keys.ts'

/** The Vault names the migrations read; fixed, so the SQL can name them. */
export const VAULT_SECRET_NAMES = {
  functionsUrl: 'lytics_functions_url',
  syncSecret: 'lytics_sync_secret',
} as const

/** Creates or updates one named secret through the vault's own functions. */
export async function upsertVaultSecret(
  sql: postgres.Sql,
  name: string,
  value: string,
  description: string,
): Promise<void> {
  // No row lock: postgres may only select and delete in vault.secrets, as on the platform;
  // the unique index on name turns a concurrent double create into an error, not a duplicate.
  await sql.begin(async (tx) => {
    const [existing] = await tx<{ id: string }[]>`
      select id from vault.secrets where name = ${name}`
    if (existing) await tx`select vault.update_secret(${existing.id}, ${value})`
    else await tx`select vault.create_secret(${value}, ${name}, ${description})`
  })
}

if (import.meta.main) {
  const [stateDir, apiUrl, dbUrl] = Deno.args
  const keys = await readPublicKeys(stateDir)
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  try {
    await upsertVaultSecret(
      sql,
      VAULT_SECRET_NAMES.functionsUrl,
      `${apiUrl}/functions/v1`,
      'Base URL of the Edge Functions, for pg_net calls from pg_cron jobs',
    )
    await upsertVaultSecret(
      sql,
      VAULT_SECRET_NAMES.syncSecret,
      keys.secretKey,
      'Secret API key that pg_cron jobs send to internal functions',
    )
  } finally {
    await sql.end()
  }
}
