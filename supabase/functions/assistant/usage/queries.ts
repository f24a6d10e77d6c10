/**
 * The SQL of the token ledger: the organization's days, as the caller (members read their
 * organization's usage under RLS).
 */
import type { Tx } from '../../../../shared/db.ts'

export type UsageDay = {
  day: string
  requests: number
  prompt_tokens: number
  completion_tokens: number
}

/** The organization's usage per UTC day from `from` to `to`, oldest first. */
export function usageDays(
  tx: Tx,
  { orgId, from, to }: { orgId: string; from: string; to: string },
): Promise<UsageDay[]> {
  return tx<UsageDay[]>`
    select day::text, requests, prompt_tokens::float8 as prompt_tokens,
           completion_tokens::float8 as completion_tokens
    from public.assistant_usage
    where org_id = ${orgId} and day between ${from}::date and ${to}::date
    order by day`
}
