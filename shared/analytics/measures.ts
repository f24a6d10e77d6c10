/**
 * What a dashboard request can measure: `metric:<name>` (the sum of a daily metric over
 * its sources and dimensions), `event:<name>` (events of one name) or `events` (all
 * events), listed comma-separated in the `series` query parameter.
 */
import { z } from '@hono/zod-openapi'
import { METRIC_NAME } from '../domain/metric-name.ts'

/** One measured series, as named in the request. */
export type SeriesSpec =
  | { id: string; kind: 'metric'; name: string }
  | { id: string; kind: 'event'; name: string }
  | { id: string; kind: 'events'; name: null }

/** Parses one series name; undefined when it is not one. */
export function parseSeries(id: string): SeriesSpec | undefined {
  if (id === 'events') return { id, kind: 'events', name: null }
  if (id.startsWith('metric:')) {
    const name = id.slice('metric:'.length)
    return METRIC_NAME.test(name) ? { id, kind: 'metric', name } : undefined
  }
  if (id.startsWith('event:')) {
    const name = id.slice('event:'.length)
    return name.length >= 1 && name.length <= 200 ? { id, kind: 'event', name } : undefined
  }
  return undefined
}

const seriesItem = z.string().transform((id, ctx) => {
  const spec = parseSeries(id)
  if (!spec) {
    ctx.addIssue({
      code: 'custom',
      message: `"${id.slice(0, 60)}" is not a series: use metric:<name>, event:<name> or events`,
    })
    return z.NEVER
  }
  return spec
})

/**
 * The `series` query parameter: comma-separated series names, at most `max`, no repeats.
 *
 * @example
 * seriesListSchema(12).parse('metric:sessions,event:signup') // two SeriesSpec
 */
export function seriesListSchema(max: number) {
  return z.string()
    .transform((s) => s.split(',').map((part) => part.trim()))
    .pipe(z.array(seriesItem).min(1).max(max, `at most ${max} series per request`))
    .superRefine((specs, ctx) => {
      const seen = new Set<string>()
      specs.forEach((spec, i) => {
        if (seen.has(spec.id)) {
          ctx.addIssue({ code: 'custom', path: [i], message: `${spec.id} is listed twice` })
        }
        seen.add(spec.id)
      })
    })
    .openapi({
      type: 'string',
      description: `Comma-separated series (at most ${max}): metric:<name> (sum of a daily ` +
        'metric over its sources and dimensions), event:<name> (count of events of that ' +
        'name) or events (all events).',
      example: 'metric:sessions,event:signup',
    })
}
