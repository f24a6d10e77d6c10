/**
 * What active users and retention share: they read the rollups keyed by the organization's
 * calendar days (event_actor_days.day, event_actors.first_seen_day are the day in the
 * organization's timezone when the event arrived), so their days are always the
 * organization's and no other timezone can be asked for.
 */
import { z } from '@hono/zod-openapi'
import { rangeQuerySchema } from './range.ts'

/** rangeQuerySchema without a choice of timezone: `timezone` is refused with a reason. */
export const orgDaysRangeSchema = rangeQuerySchema.omit({ timezone: true }).extend({
  timezone: z.string().refine(() => false, {
    message: "not accepted here: these numbers come from rollups kept in the organization's days",
  }).optional().openapi({
    description: "Not accepted: days are always the organization's (see the summary).",
  }),
})

/** A whole number parameter in [min, max], from a query string. */
export function queryInt(min: number, max: number) {
  return z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number')
    .min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)
}

/** `part / whole`, or null when there is no whole to divide by. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null
}
