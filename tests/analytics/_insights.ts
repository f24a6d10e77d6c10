/**
 * What the insights tests share: the fixed windows, daily metric rows over both, and the
 * findings read inside asUser as an organization's owner (RLS applies). The current window
 * is 2026-10-05 (a Monday) to 2026-11-01, the comparison window 2026-09-07 to 2026-10-04.
 */
import assert from 'node:assert/strict'
import { decodeJwt } from 'jose'
import type { JWTClaims } from '../../shared/auth.ts'
import { asUser } from '../../shared/db.ts'
import {
  findInsights,
  type InsightFinding,
  InsightFindingsSchema,
} from '../../shared/analytics/insights.ts'
import { reportScope } from '../../shared/analytics/scope.ts'
import type { OrgOwner } from '../_helpers/orgs.ts'
import { stack } from '../_helpers/stack.ts'
import type { MetricRow } from '../dashboard/_reports.ts'
import { shiftDay } from '../dashboard/_activity.ts'

// shared/db.ts reads its configuration on first use: point it at the test stack.
Deno.env.set('SUPABASE_URL', Deno.env.get('SUPABASE_URL') ?? 'http://127.0.0.1:54321')
Deno.env.set('SUPABASE_DB_URL', stack.dbUrl)
Deno.env.delete('DATABASE_URL')

export const WINDOW = { from: '2026-10-05', to: '2026-11-01', days: 28 }
export const COMPARISON = { from: '2026-09-07', to: '2026-10-04', days: 28 }

/**
 * The findings of the owner's organization over WINDOW, as the owner, checked against the
 * response schema the route documents. `scope` overrides the resolved scope's organization.
 */
export async function insightsOf(owner: OrgOwner, scope?: { org: string }) {
  const claims = decodeJwt(owner.token) as JWTClaims
  const found = await asUser(claims, async (tx) => {
    const resolved = await reportScope(tx, { from: WINDOW.from, to: WINDOW.to })
    return await findInsights(tx, { scope: { ...resolved, ...scope } })
  })
  assert.deepEqual(InsightFindingsSchema.parse(found), found)
  return found
}

/** Every day of both windows. */
export function days(): string[] {
  return Array.from({ length: 56 }, (_, n) => shiftDay(COMPARISON.from, n))
}

/** One row per day of both windows: `previous` before WINDOW.from, then `current`. */
export function daily(
  name: string,
  dimension: string,
  previous: number | ((day: string) => number),
  current: number | ((day: string) => number),
  source = 'api',
): MetricRow[] {
  const value = (v: number | ((day: string) => number), day: string) =>
    typeof v === 'number' ? v : v(day)
  return days().map((day) => [
    name,
    day,
    source,
    dimension,
    value(day < WINDOW.from ? previous : current, day),
  ])
}

/** The findings of one kind. */
export const ofKind = (findings: InsightFinding[], kind: InsightFinding['kind']) =>
  findings.filter((f) => f.kind === kind)
