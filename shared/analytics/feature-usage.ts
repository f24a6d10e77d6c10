/**
 * Feature usage's queries: a page of event names by count from the event_name_days (or
 * event_counts) rollup, then distinct actors for those names from the feature_actor_windows rollup (migration
 * 20261201000800_feature_usage_windows.sql) when the window allows, else from raw events
 * under a time budget.
 */
import type { Tx } from '../db.ts'
import { activeOrg } from '../tenant.ts'
import { type DateWindow, type RangeQuery, resolveWindow } from './mod.ts'

/** The organization, window and timezone of its days that both queries read. */
export type FeatureUsageScope = { orgId: string; window: DateWindow; timezone: string }

/**
 * One page of event names, most frequent first, how many names there are, and whether the
 * organization's day rollups follow the window's timezone (`day_rollups`, which
 * actorsByName reuses rather than asking again).
 */
export type NamesPage = {
  total_groups: number
  names: { name: string; events: number }[]
  day_rollups: boolean
}

// The instants where the window's first day starts and the day after its last starts.
function bounds(tx: Tx, { window, timezone }: FeatureUsageScope) {
  return {
    start: tx`(${window.from}::date::timestamp at time zone ${timezone})`,
    stop: tx`((${window.to}::date + 1)::timestamp at time zone ${timezone})`,
  }
}

/**
 * One page of event names by count over the window, and how many names there are: from
 * the day rollup event_name_days (≤ one row per name and day, migration 20261201000700)
 * in the organization's own timezone while no rebuild is queued, else from the 15-minute
 * event_counts (96 rows per name and day). `ready` is a one-time filter, so only one of
 * the two branches is read, in one statement.
 */
export async function eventNamesByCount(
  tx: Tx,
  opts: FeatureUsageScope & { limit: number; offset: number },
): Promise<NamesPage> {
  const { orgId, window } = opts
  const { start, stop } = bounds(tx, opts)
  const [row] = await tx<NamesPage[]>`
    with ready as materialized (${dayRollupsReady(tx, opts)}),
    totals as (
      select name, sum(events) as events
      from public.event_name_days
      where (select ok from ready) and org_id = ${orgId}
        and day >= ${window.from}::date and day <= ${window.to}::date
      group by name
      union all
      select name, sum(events) as events
      from public.event_counts
      where not (select ok from ready)
        and org_id = ${orgId} and bucket >= ${start} and bucket < ${stop}
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
           ), '[]'::json) as names,
           (select ok from ready) as day_rollups`
  return row
}

// One row `ok`: the organization's day rollups are kept in this timezone and no rebuild
// is queued (a queued one means their days may still be the old zone's).
function dayRollupsReady(tx: Tx, { orgId, timezone }: FeatureUsageScope) {
  return tx`
    select coalesce((
      select o.timezone = ${timezone}::text and private.detail_rollups_ready(o.id)
      from public.organizations o where o.id = ${orgId}
    ), false) as ok`
}

/** How long counting distinct actors may take before the page goes without them. */
export const ACTOR_COUNT_BUDGET_MS = 3000

/**
 * Longest window, in days, whose distinct actors the window rollup answers (its gaps are
 * exact up to 91 days, migration 20261201000800).
 */
export const MAX_ROLLUP_WINDOW_DAYS = 92

/**
 * Distinct actors per name over the window, for the given names only: from the gap rollup
 * when it can answer (windows of at most 92 days, `dayRollups` from the names page or
 * asked here), else from raw events; null when the raw count takes longer than the budget.
 */
export async function actorsByName(
  tx: Tx,
  opts: FeatureUsageScope & { names: string[]; budgetMs?: number; dayRollups?: boolean },
): Promise<Map<string, number> | null> {
  if (opts.names.length === 0) return new Map()
  if (opts.window.days <= MAX_ROLLUP_WINDOW_DAYS) {
    const ready = opts.dayRollups ??
      (await tx<{ ok: boolean }[]>`${dayRollupsReady(tx, opts)}`)[0].ok
    if (ready) return await actorsFromGaps(tx, opts)
  }
  return await actorsFromEvents(tx, opts)
}

/**
 * Distinct actors per name over [from, to] from feature_actor_windows: an actor of a name
 * is counted on its first active day x of that name in the window, the day whose previous
 * active day of the name lies before `from`, i.e. whose gap exceeds x - from; each row's
 * `beyond[k + 1]` is how many actors that day have a gap above k. One row per name and
 * day (and writing stripe, for the last two days).
 */
async function actorsFromGaps(
  tx: Tx,
  { orgId, window, names }: FeatureUsageScope & { names: string[] },
): Promise<Map<string, number>> {
  const rows = await tx<{ name: string; actors: number }[]>`
    select name, sum(beyond[day - ${window.from}::date + 1])::int as actors
    from public.feature_actor_windows
    where org_id = ${orgId} and name = any(${names}::text[])
      and day between ${window.from}::date and ${window.to}::date
    group by name`
  return new Map(rows.map((r) => [r.name, r.actors]))
}

// Runs last in the transaction: its statement timeout, set in a savepoint, stays for
// whatever would follow.
async function actorsFromEvents(
  tx: Tx,
  opts: FeatureUsageScope & { names: string[]; budgetMs?: number },
): Promise<Map<string, number> | null> {
  const { orgId } = opts
  const { start, stop } = bounds(tx, opts)
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

/** What a feature-usage report asks for: the range and a page of event names. */
export type FeatureUsageReportQuery = RangeQuery & { limit: number; offset: number }

/**
 * The feature-usage report as GET /dashboard/feature-usage answers it (and the assistant's
 * top-events tool): a page of event names by count, with distinct actors when they could
 * be counted in time.
 */
export async function featureUsageReport(tx: Tx, q: FeatureUsageReportQuery) {
  const org = await activeOrg(tx)
  const timezone = q.timezone ?? org.timezone
  const scope = { orgId: org.id, window: resolveWindow(q, timezone), timezone }
  const page = await eventNamesByCount(tx, { ...scope, limit: q.limit, offset: q.offset })
  const names = page.names.map((n) => n.name)
  const actors = await actorsByName(tx, { ...scope, names, dayRollups: page.day_rollups })
  return {
    from: scope.window.from,
    to: scope.window.to,
    timezone,
    total_groups: page.total_groups,
    limit: q.limit,
    offset: q.offset,
    features: page.names.map((n) => ({
      ...n,
      actors: actors === null ? null : actors.get(n.name) ?? 0,
    })),
  }
}
