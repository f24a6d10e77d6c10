/**
 * The assistant's analytics tools: each is a zod schema (the source of the JSON schema the
 * model sees) and a run over the SAME report code as the dashboard (shared/analytics), in
 * the caller's `asUser` transaction. No schema has an organization: every report resolves
 * it from the verified token (activeOrg), and unknown arguments are dropped.
 */
import { z } from 'zod'
import type { Tx } from '../../../../shared/db.ts'
import {
  COMPARISONS,
  parseSeries,
  rangeQuerySchema,
  type SeriesSpec,
  withRangeRules,
} from '../../../../shared/analytics/mod.ts'
import { activeUsersReport } from '../../../../shared/analytics/active-users.ts'
import { breakdownReport, SORTS } from '../../../../shared/analytics/breakdown.ts'
import { catalogReport } from '../../../../shared/analytics/catalog.ts'
import { featureUsageReport } from '../../../../shared/analytics/feature-usage.ts'
import { RETENTION_LIMITS, retentionReport } from '../../../../shared/analytics/retention.ts'
import { seriesReport } from '../../../../shared/analytics/series.ts'
import { tilesReport } from '../../../../shared/analytics/tiles.ts'
import type { ToolDefinition } from './registry.ts'

/** Most series one tool call may ask for: enough to compare, small enough to read. */
const MAX_TOOL_SERIES = 6

const seriesName = z.string().min(1).max(220).describe(
  'metric:<metric name> (e.g. metric:ga4.sessions), event:<event name>, or events (all events)',
)

/** Series names, each checked as the dashboard's `series` parameter checks it. */
const seriesList = (max: number) =>
  z.array(seriesName).min(1).max(max).transform((ids, ctx): SeriesSpec[] => {
    const specs: SeriesSpec[] = []
    ids.forEach((id, i) => {
      const spec = parseSeries(id)
      if (spec) specs.push(spec)
      else {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `"${
            id.slice(0, 60)
          }" is not a series: use metric:<name>, event:<name> or events`,
        })
      }
    })
    return specs
  })

const range = rangeQuerySchema.extend({
  range: rangeQuerySchema.shape.range.describe(
    'Preset ending today (default 28d); ignored when from/to are given',
  ),
  from: rangeQuerySchema.shape.from.describe('First day, YYYY-MM-DD (with to)'),
  to: rangeQuerySchema.shape.to.describe('Last day, YYYY-MM-DD (with from)'),
})
const orgDaysRange = range.omit({ timezone: true })

const catalogArgs = z.object({})
const seriesArgs = withRangeRules(range.extend({
  series: seriesList(MAX_TOOL_SERIES),
  granularity: z.enum(['day', 'week', 'month']).default('day'),
}))
const compareArgs = withRangeRules(range.extend({
  series: seriesList(MAX_TOOL_SERIES),
  compare: z.enum(COMPARISONS).exclude(['none']).default('previous_period'),
}))
const breakdownArgs = withRangeRules(range.extend({
  series: seriesName,
  by: z.string().regex(/^(dimension|source|event_name|property\.[A-Za-z0-9_.:-]{1,100})$/)
    .describe('dimension or source (metric series); event_name or property.<key> (events)'),
  sort: z.enum(SORTS).default('value_desc'),
  limit: z.number().int().min(1).max(25).default(10),
})).transform((a, ctx) => {
  const spec = parseSeries(a.series)
  if (!spec) {
    ctx.addIssue({ code: 'custom', path: ['series'], message: 'not a series' })
    return z.NEVER
  }
  return { ...a, series: [spec] }
})
const retentionArgs = withRangeRules(
  orgDaysRange.extend({
    cohort: z.enum(['day', 'week']).default('week'),
    cohorts: z.number().int().min(1).max(RETENTION_LIMITS.week.cohorts).optional()
      .describe('The last N cohorts up to today, instead of a range'),
    periods: z.number().int().min(0).max(RETENTION_LIMITS.week.periods).optional(),
  }),
  366,
)
const activeUsersArgs = withRangeRules(
  orgDaysRange.extend({
    date: rangeQuerySchema.shape.from.describe(
      'Day of the headline numbers (default: the last day)',
    ),
  }),
  366,
)
const featureUsageArgs = withRangeRules(range.extend({
  limit: z.number().int().min(1).max(50).default(20),
}))

type Args<S extends z.ZodType> = z.output<S>

/** Drops the sparkline: the comparison's totals are what the model cites. */
async function comparePeriods(tx: Tx, a: Args<typeof compareArgs>) {
  const report = await tilesReport(tx, a)
  return { ...report, tiles: report.tiles.map(({ sparkline: _, ...tile }) => tile) }
}

/** The read-only analytics tools, in the order the model is offered them. */
export const analyticsTools: ToolDefinition[] = [
  {
    name: 'catalog',
    description: "The organization's metric names (with sources, dimensions, first and last " +
      'day, and how each aggregates), event names (first and last seen) and timezone.',
    schema: catalogArgs,
    run: (tx) => catalogReport(tx),
  },
  {
    name: 'series',
    description: 'Values of up to 6 series per day, week or month bucket of a range, ' +
      'zero-filled, with each total.',
    schema: seriesArgs,
    run: (tx, a: Args<typeof seriesArgs>) => seriesReport(tx, { ...a, compare: 'none' }),
  },
  {
    name: 'compare_periods',
    description: 'Totals of up to 6 series over a range and over the previous period (or the ' +
      'same dates a year before), with the change and the percent change.',
    schema: compareArgs,
    run: comparePeriods,
  },
  {
    name: 'breakdown',
    description: 'One series over a range split by dimension (e.g. channel:Organic Search), ' +
      'source, event name or an event property, largest first, with shares.',
    schema: breakdownArgs,
    run: (tx, a: Args<typeof breakdownArgs>) => breakdownReport(tx, { ...a, offset: 0 }),
  },
  {
    name: 'retention',
    description: 'Retention of day or ISO-week cohorts of first-seen actors: size, share ' +
      'active 1, 7 and 30 days later, and the cohort matrix.',
    schema: retentionArgs,
    run: (tx, a: Args<typeof retentionArgs>) => retentionReport(tx, a),
  },
  {
    name: 'active_users',
    description: 'DAU, WAU, MAU and stickiness of a day, and with a range one entry per day.',
    schema: activeUsersArgs,
    run: (tx, a: Args<typeof activeUsersArgs>) => activeUsersReport(tx, a),
  },
  {
    name: 'top_events',
    description: 'Event names by count over a range (feature usage), with distinct actors.',
    schema: featureUsageArgs,
    run: (tx, a: Args<typeof featureUsageArgs>) => featureUsageReport(tx, { ...a, offset: 0 }),
  },
]
