/**
 * The SQL of the insights' summary: today's tokens of the organization (as the caller,
 * under RLS), so a summary is not written once the daily budget is spent.
 */
import type { Tx } from '../../../../shared/db.ts'

/** Tokens the organization spent today (UTC). */
export async function tokensToday(tx: Tx, { orgId }: { orgId: string }): Promise<number> {
  const [row] = await tx<{ used: number }[]>`
    select coalesce(sum(prompt_tokens + completion_tokens), 0)::float8 as used
    from public.assistant_usage
    where org_id = ${orgId} and day = (now() at time zone 'UTC')::date`
  return row.used
}
