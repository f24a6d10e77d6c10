/**
 * Insights: a few short findings about a range, computed deterministically from the
 * organization's data with the dashboard's own queries (same numbers as its tiles,
 * breakdowns and retention), each with the numbers it was built from. No model is
 * involved; a caller may hand the findings to one to write prose.
 *
 * What is looked at (insights/candidates.ts): up to 20 metrics with data in the range or
 * the equally long span before it, all events, and the 5 most frequent event names.
 * What is said, in this order, at most MAX_FINDINGS:
 * - largest_change (≤ 2, insights/changes.ts), each followed by its driver: the dimension
 *   value, or for all events the event name, that carried most of it (insights/drivers.ts);
 * - worst_channel and best_channel of the channel-split series (insights/drivers.ts);
 * - retention_shift of new actors' day-7 retention (insights/retention-shift.ts);
 * - anomaly (≤ 2): days far from the same weekday of the 4 weeks before
 *   (insights/anomalies.ts documents the rule).
 *
 * Cost, in one transaction: the two catalogue scans, one event_counts aggregate for the top
 * event names, one bucketTotals statement (plus its meta probe) for every series' window
 * totals and days, two breakdownRows per series broken down (at most three series), and
 * one retentionCells: 8 to 12 statements, each reading rollups or index ranges of the
 * windows only. On the seeded demo organization that is about as much as one tiles request
 * over the same series (the bucketTotals statement is most of it).
 */
import type { Tx } from '../db.ts'
import { compareWindow, todayIn } from './range.ts'
import type { ReportScope } from './scope.ts'
import { findAnomalies } from './insights/anomalies.ts'
import { insightCandidates } from './insights/candidates.ts'
import { largestChanges, seriesNumbers } from './insights/changes.ts'
import {
  breakdownReader,
  breaksDown,
  channelFindings,
  channelSeries,
  driverOf,
} from './insights/drivers.ts'
import { retentionShift } from './insights/retention-shift.ts'
import type { InsightFinding, InsightFindings } from './insights/schema.ts'

export {
  type InsightFinding,
  type InsightFindings,
  InsightFindingSchema,
  InsightFindingsSchema,
} from './insights/schema.ts'

/** Findings returned, at most. */
export const MAX_FINDINGS = 8

/**
 * The findings about `scope`'s window against the equally long span just before it, most
 * important first. An organization without data gets no findings, never an error. `now`
 * (for tests) sets today, which bounds retention and the days anomalies look at.
 *
 * @example
 * const insights = await asUser(claims, async (tx) =>
 *   findInsights(tx, { scope: await reportScope(tx, { range: '28d' }) }))
 */
export async function findInsights(
  tx: Tx,
  { scope, now = new Date() }: { scope: ReportScope; now?: Date },
): Promise<InsightFindings> {
  const { org, tz, window } = scope
  const comparison = compareWindow(window, 'previous_period')!
  const windows = { window, comparison }
  const candidates = await insightCandidates(tx, { scope, comparison, now })
  const numbers = await seriesNumbers(tx, { scope, comparison, candidates })
  const breakdown = breakdownReader(tx, { scope, comparison })

  const findings: InsightFinding[] = []
  for (const change of largestChanges(numbers, windows)) {
    findings.push(change)
    const series = numbers.find((s) => s.candidate.spec.id === change.series)!
    if (!breaksDown(series.candidate)) continue
    const driver = driverOf(change, series.candidate.spec, await breakdown(series.candidate.spec))
    if (driver) findings.push(driver)
  }
  const channels = channelSeries(numbers)
  if (channels) {
    const spec = channels.candidate.spec
    findings.push(...channelFindings(spec, await breakdown(spec), windows))
  }
  const today = todayIn(tz, now)
  const retention = await retentionShift(tx, { org, window, comparison, today })
  if (retention) findings.push(retention)
  findings.push(...findAnomalies(numbers, window))
  return { timezone: tz, window, comparison, findings: findings.slice(0, MAX_FINDINGS) }
}
