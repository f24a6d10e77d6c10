/**
 * What every tiles/series/breakdown request resolves first, in its transaction: the
 * caller's active organization, the timezone (the request's or the organization's) and
 * the window of calendar days.
 */
import { z } from '@hono/zod-openapi'
import type { Tx } from '../db.ts'
import { badRequest } from '../http/errors.ts'
import { activeOrg } from '../tenant.ts'
import { type DateWindow, type RangeQuery, resolveWindow } from './range.ts'

/** An inclusive span of calendar days, as responses show it. */
export const WindowSchema = z.object({
  from: z.string().openapi({ example: '2026-10-26' }),
  to: z.string().openapi({ example: '2026-11-22' }),
  days: z.number().int().openapi({ example: 28 }),
}).openapi('DateWindow')

/**
 * The organization, timezone and window a report covers. `orgTimezone` is the
 * organization's own, in which the day rollups are kept: a report in it may read them.
 */
export type ReportScope = { org: string; tz: string; window: DateWindow; orgTimezone?: string }

/** Resolves the scope of a report inside an `asUser` transaction (404 without an org). */
export async function reportScope(tx: Tx, q: RangeQuery): Promise<ReportScope> {
  const org = await activeOrg(tx)
  const tz = q.timezone ?? org.timezone
  return { org: org.id, tz, window: resolveWindow(q, tz), orgTimezone: org.timezone }
}

/** `(value - baseline) / |baseline|` in percent; null without a non-zero baseline. */
export function percentChange(value: number, baseline: number | null): number | null {
  if (baseline === null || baseline === 0) return null
  return ((value - baseline) / Math.abs(baseline)) * 100
}

/**
 * Runs a report's query, answering a timezone that the runtime knows but Postgres does
 * not (their tz databases can be a release apart) with a 400 instead of a 500.
 */
export async function inTimezone<T>(tz: string, query: () => Promise<T>): Promise<T> {
  try {
    return await query()
  } catch (err) {
    const pg = err as { code?: string; message?: string } | null
    if (pg?.code === '22023' && /time zone/i.test(pg.message ?? '')) {
      const message = `${tz} is not a timezone the database knows`
      throw badRequest(`query.timezone: ${message}`, [{ path: 'query.timezone', message }])
    }
    throw err
  }
}
