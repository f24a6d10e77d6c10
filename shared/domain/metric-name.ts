/**
 * The name of a daily metric: the same rule as the check on `metrics.metric_name`
 * (a test keeps the two in step).
 */
import { z } from '@hono/zod-openapi'

export const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/

export const MetricNameSchema = z.string().regex(METRIC_NAME, {
  message: 'use 1-100 letters, digits, _ . : -, starting with a letter',
}).openapi({ example: 'sessions' })
