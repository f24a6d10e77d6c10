/**
 * The one query of health: a round trip that also says which migration the database is at.
 */
import { db } from '../../../shared/db.ts'

/** The latest applied migration's version, or null when none is recorded. */
export async function latestMigration(): Promise<string | null> {
  const [row] = await db()<{ version: string | null }[]>`
    select (select max(version) from supabase_migrations.schema_migrations) as version`
  return row?.version ?? null
}
