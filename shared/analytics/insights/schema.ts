/**
 * The shape of the insights findings: a few short, deterministic statements about a range,
 * each with the numbers it was built from. The schemas document the response; the types
 * are what findInsights returns.
 */
import { z } from '@hono/zod-openapi'
import { WindowSchema } from '../scope.ts'

const Series = z.string().openapi({
  description: 'The series, as the dashboard names it (metric:<name>, event:<name>, events)',
  example: 'metric:ga4.sessions',
})

const Aggregation = z.enum(['sum', 'unique_count', 'ratio', 'weighted_mean']).openapi({
  description: "How the series combines over days (the metric's meta.aggregation; sum for " +
    'events). ratio and weighted_mean are re-aggregated from their parts, never summed.',
})

const Change = {
  current: z.number().openapi({ description: 'Value over the current window' }),
  previous: z.number().openapi({ description: 'Value over the comparison window' }),
  change: z.number().openapi({ description: 'current - previous' }),
  percent_change: z.number().nullable().openapi({
    description: 'Change in percent of previous; null when previous is 0',
  }),
}

const Windows = {
  window: WindowSchema,
  comparison: WindowSchema,
}

const LargestChange = z.object({
  kind: z.literal('largest_change'),
  text: z.string(),
  series: Series,
  aggregation: Aggregation,
  ...Change,
  ...Windows,
}).openapi('InsightLargestChange')

const Driver = z.object({
  kind: z.literal('driver'),
  text: z.string(),
  series: Series,
  field: z.enum(['dimension', 'event_name']).openapi({
    description: 'What the series was broken down by',
  }),
  value: z.string().openapi({ description: 'The group that moved most', example: 'channel:Paid' }),
  ...Change,
  share_of_change: z.number().openapi({
    description: "This group's change as a fraction of the series' whole change",
  }),
  series_change: z.number().openapi({ description: "The series' whole change" }),
  ...Windows,
}).openapi('InsightDriver')

const Channel = z.object({
  kind: z.enum(['best_channel', 'worst_channel']),
  text: z.string(),
  series: Series,
  channel: z.string().openapi({ example: 'Organic Search' }),
  dimension: z.string().openapi({
    description: 'The stored dimension value',
    example: 'channel:Organic Search',
  }),
  ...Change,
  share: z.number().nullable().openapi({
    description: "The channel's share of the series over the current window",
  }),
  channels: z.number().int().openapi({ description: 'How many channels were compared' }),
  ...Windows,
}).openapi('InsightChannel')

const RetentionSide = z.object({
  first_seen: WindowSchema.openapi({ description: 'Days on which the actors were first seen' }),
  actors: z.number().int(),
  retained: z.number().int().openapi({ description: 'Actors active again on their day N' }),
  rate: z.number().openapi({ description: 'retained / actors' }),
})

const RetentionShift = z.object({
  kind: z.literal('retention_shift'),
  text: z.string(),
  series: z.null(),
  day: z.number().int().openapi({ description: 'N of day-N retention (7, or 1 for short ranges)' }),
  current: RetentionSide,
  previous: RetentionSide,
  change_points: z.number().openapi({ description: '(current.rate - previous.rate) × 100' }),
}).openapi('InsightRetentionShift')

const Anomaly = z.object({
  kind: z.literal('anomaly'),
  text: z.string(),
  series: Series,
  aggregation: Aggregation,
  date: z.string().openapi({ example: '2026-11-17' }),
  value: z.number(),
  expected: z.number().openapi({ description: 'Mean of the same weekday over the 4 weeks before' }),
  deviation: z.number().openapi({
    description: 'Standard deviation of those 4 days, floored (see the rule in the summary)',
  }),
  score: z.number().openapi({ description: '(value - expected) / deviation' }),
  baseline: z.array(z.object({ date: z.string(), value: z.number() })),
}).openapi('InsightAnomaly')

/** One finding; `kind` says which numbers it carries. */
export const InsightFindingSchema = z.discriminatedUnion('kind', [
  LargestChange,
  Driver,
  Channel,
  RetentionShift,
  Anomaly,
]).openapi('InsightFinding')

/** The findings about a range, most important first. */
export const InsightFindingsSchema = z.object({
  timezone: z.string(),
  window: WindowSchema,
  comparison: WindowSchema.openapi({ description: 'The equally long span just before' }),
  findings: z.array(InsightFindingSchema),
}).openapi('InsightFindings')

export type InsightFinding = z.infer<typeof InsightFindingSchema>
export type InsightFindings = z.infer<typeof InsightFindingsSchema>
export type AggregationKind = z.infer<typeof Aggregation>
export type LargestChangeFinding = z.infer<typeof LargestChange>
export type DriverFinding = z.infer<typeof Driver>
export type ChannelFinding = z.infer<typeof Channel>
export type RetentionShiftFinding = z.infer<typeof RetentionShift>
export type AnomalyFinding = z.infer<typeof Anomaly>
