/**
 * Feature usage: per event name, how often it happened and how many distinct actors did it.
 *
 * Counts come from the event_counts rollup (15-minute buckets, exact for any timezone's
 * days). Distinct actors cannot come from a rollup: event_actor_days has no event name
 * and is keyed by the organization's days, not the timezone asked for. So they are counted
 * from raw events, but only for the names on the requested page (at most 100), each read
 * through the (org_id, name, occurred_at) index over the range, never a scan of the
 * organization's events. That still grows with the page's events in range (with 10M
 * events a year, 90 days of the 20 busiest names is 2.8M events, ~6 s), so the count has
 * a time budget: past it, `actors` is null and the event counts still come back.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser, type Tx } from '../../../shared/db.ts'
import { json, userRoute } from '../../../shared/http/openapi.ts'
import { validationFailed } from '../../../shared/http/validation.ts'
import { activeOrg } from '../../../shared/tenant.ts'
import { queryInt } from './org-days.ts'
import { type DateWindow, rangeQuerySchema, resolveWindow, withRangeRules } from './range.ts'

const query = withRangeRules(rangeQuerySchema.extend({
  limit: queryInt(1, 100).default(20).openapi({ description: 'Names per page (1-100)' }),
  offset: queryInt(0, 100_000).default(0).openapi({ description: 'Names to skip' }),
}))

const Feature = z.object({
  name: z.string(),
  events: z.number().int(),
  actors: z.number().int().nullable().openapi({
    description: 'Distinct actors with this event; null when there were too many events ' +
      'in the range to count them in time (narrow the range)',
  }),
}).openapi('FeatureUsageRow')

const FeatureUsage = z.object({
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  total_groups: z.number().int().openapi({ description: 'Event names with events in range' }),
  limit: z.number().int(),
  offset: z.number().int(),
  features: z.array(Feature).openapi({ description: 'Most frequent first, then by name' }),
}).openapi('FeatureUsage')

const featureUsageRoute = userRoute({
  method: 'get',
  path: '/feature-usage',
  summary: 'Events and distinct actors per event name',
  request: { query },
  responses: { 200: json(FeatureUsage, 'Feature usage, one page of event names') },
})

export const featureUsage = new OpenAPIHono({ defaultHook: validationFailed })

featureUsage.openapi(featureUsageRoute, async (c) => {
  const q = c.req.valid('query')
  const body = await asUser(c.get('user').claims, async (tx) => {
    const org = await activeOrg(tx)
    const timezone = q.timezone ?? org.timezone
    const window = resolveWindow(q, timezone)
    const page = await namesByCount(tx, org.id, window, { ...q, timezone })
    const actors = await actorsByName(tx, org.id, window, {
      timezone,
      names: page.names.map((n) => n.name),
    })
    return {
      from: window.from,
      to: window.to,
      timezone,
      total_groups: page.total_groups,
      limit: q.limit,
      offset: q.offset,
      features: page.names.map((n) => ({
        ...n,
        actors: actors === null ? null : actors.get(n.name) ?? 0,
      })),
    }
  })
  return c.json(body, 200)
})

type Span = { timezone: string }

// The instants where the window's first day starts and the day after its last starts.
function bounds(tx: Tx, window: DateWindow, timezone: string) {
  return {
    start: tx`(${window.from}::date::timestamp at time zone ${timezone})`,
    stop: tx`((${window.to}::date + 1)::timestamp at time zone ${timezone})`,
  }
}

/** One page of event names by count over the window, and how many names there are. */
async function namesByCount(
  tx: Tx,
  orgId: string,
  window: DateWindow,
  opts: Span & { limit: number; offset: number },
): Promise<{ total_groups: number; names: { name: string; events: number }[] }> {
  const { start, stop } = bounds(tx, window, opts.timezone)
  const [row] = await tx<{ total_groups: number; names: { name: string; events: number }[] }[]>`
    with totals as (
      select name, sum(events) as events
      from public.event_counts
      where org_id = ${orgId} and bucket >= ${start} and bucket < ${stop}
      group by name
    )
    select (select count(*) from totals)::int as total_groups,
           coalesce((
             select json_agg(p order by p.events desc, p.name)
             from (
               select name, events from totals
               order by events desc, name
               limit ${opts.limit} offset ${opts.offset}
             ) as p
           ), '[]'::json) as names`
  return row
}

/** How long counting distinct actors may take before the page goes without them. */
export const ACTOR_COUNT_BUDGET_MS = 3000

/**
 * Distinct actors per name over the window, for the given names only; null when that
 * takes longer than the budget. Runs last in the transaction: its statement timeout,
 * set in a savepoint, stays for whatever would follow.
 */
export async function actorsByName(
  tx: Tx,
  orgId: string,
  window: DateWindow,
  opts: Span & { names: string[]; budgetMs?: number },
): Promise<Map<string, number> | null> {
  if (opts.names.length === 0) return new Map()
  const { start, stop } = bounds(tx, window, opts.timezone)
  try {
    const rows = await tx.savepoint(async (sp) => {
      await sp`select set_config('statement_timeout', ${
        String(opts.budgetMs ?? ACTOR_COUNT_BUDGET_MS)
      }, true)`
      // Distinct pairs first: a hash aggregate, cheaper than count(distinct)'s sort.
      return await sp<{ name: string; actors: number }[]>`
        select name, count(*)::int as actors
        from (
          select distinct name, actor_id
          from public.events
          where org_id = ${orgId} and name = any(${opts.names}::text[])
            and occurred_at >= ${start} and occurred_at < ${stop}
            and actor_id is not null
        ) as pairs
        group by name`
    })
    return new Map(rows.map((r) => [r.name, r.actors]))
  } catch (err) {
    // 57014: canceled by statement_timeout.
    if ((err as { code?: string }).code === '57014') return null
    throw err
  }
}
