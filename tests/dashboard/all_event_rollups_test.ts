/**
 * The cross-name day rollups of migration 20261201000700 answer exactly what raw events
 * answer: breakdowns of all events by any property with the filter language
 * (all_event_property_sets), feature usage's page of names by count, and event series and
 * tiles by day of the organization's timezone (event_name_days), in a timezone with a DST change, with late, out-of-order and duplicate batches, past the
 * cross-name bound, across a timezone change; deleting the organization deletes them. The
 * reference answers come from the crafted events in TypeScript (_raw_oracle.ts); removing
 * the raw events afterwards (which the rollups do not follow) shows where answers came from.
 */
import assert from 'node:assert/strict'
import { adminSql, test } from '../_helpers/stack.ts'
import { newOrgOwner, type OrgOwner } from '../_helpers/orgs.ts'
import { type CraftedEvent, insertEvents } from '../_helpers/events.ts'
import { dashboard, shiftDay } from './_activity.ts'
import { getReport } from './_reports.ts'
import { featureUsage, groupsOf, perDay, type RawFilter, selected } from './_raw_oracle.ts'

const TZ = 'America/New_York' // DST starts 2026-03-08: that local day has 23 hours
const NAMES = ['page_view', 'signup', 'login', 'report_viewed', 'chart_created']
const PATHS = ['/', '/docs', '/pricing']
const COUNTRIES = ['DE', 'US', 'FR', 'JP']
const PLANS = ['free', 'pro', undefined]

// Events from `firstDay` over `days` days, near local midnight on both sides of the offset
// change, every name sharing the same few property objects (what the rollup merges).
function craft(prefix: string, firstDay = '2026-02-20', days = 26): CraftedEvent[] {
  const events: CraftedEvent[] = []
  let n = 0
  for (let d = 0; d < days; d++) {
    for (const hour of ['00:30', '04:30', '05:30', '13:00', '23:30']) {
      n++
      const properties: Record<string, unknown> = {
        path: PATHS[n % 3],
        country: COUNTRIES[(n * 7) % 4],
      }
      if (PLANS[(n * 5) % 3]) properties.plan = PLANS[(n * 5) % 3]
      events.push({
        id: `${prefix}${n}`,
        at: `${shiftDay(firstDay, d)}T${hour}:00Z`,
        name: NAMES[n % NAMES.length],
        actor: n % 9 === 0 ? null : `u${(n * 5) % 17}`,
        properties,
      })
    }
  }
  return events
}

const WINDOWS: [string, string][] = [
  ['2026-03-01', '2026-03-14'],
  ['2026-03-08', '2026-03-08'],
  ['2026-02-15', '2026-03-17'],
]
const FILTERED: RawFilter[] = [
  { field: 'property.country', op: 'in', value: ['DE', 'US'] },
  { field: 'property.plan', op: 'is_not', value: 'free' },
]
const CONTAINS: RawFilter[] = [{ field: 'property.path', op: 'contains', value: 'DOC' }]

async function breakdown(user: OrgOwner, w: [string, string], by: string, filters: RawFilter[]) {
  const res = await getReport(user, 'breakdown', {
    series: 'events',
    by,
    from: w[0],
    to: w[1],
    limit: '100',
    ...(filters.length ? { filters: JSON.stringify(filters) } : {}),
  })
  assert.equal(res.status, 200, res.text)
  return Object.fromEntries(
    res.body.groups.map((g: { key: string | null; value: number }) => [String(g.key), g.value]),
  )
}

// Feature usage's `{ name: [events, actors] }` (every name on one page).
async function features(user: OrgOwner, [from, to]: [string, string]) {
  const res = await dashboard(user, `/feature-usage?from=${from}&to=${to}&limit=100`)
  assert.equal(res.status, 200, res.text)
  return Object.fromEntries(
    res.body.features.map((f: { name: string; events: number; actors: number }) => [
      f.name,
      [f.events, f.actors],
    ]),
  )
}

async function assertMatchesRaw(user: OrgOwner, events: CraftedEvent[]) {
  for (const w of WINDOWS) {
    const window = { tz: TZ, from: w[0], to: w[1] }
    for (const by of ['property.country', 'property.plan', 'property.path']) {
      for (const filters of [[], FILTERED, CONTAINS]) {
        assert.deepEqual(
          await breakdown(user, w, by, filters),
          groupsOf(selected(events, { ...window, filters }), by),
          `${by} ${JSON.stringify(filters)} ${w}`,
        )
      }
    }
    assert.deepEqual(await features(user, w), featureUsage(events, window), `features ${w}`)
    await assertSeriesMatchRaw(user, events, w)
  }
}

const SOME_NAMES: RawFilter[] = [{ field: 'event_name', op: 'in', value: ['login', 'signup'] }]

// Unfiltered event series and tiles by day, one name and all names (with an event_name
// filter too): what event_name_days answers while it is ready, event_counts otherwise.
async function assertSeriesMatchRaw(user: OrgOwner, events: CraftedEvent[], w: [string, string]) {
  const window = { tz: TZ, from: w[0], to: w[1] }
  const series = await getReport(user, 'series', {
    series: 'event:signup,events',
    from: w[0],
    to: w[1],
  })
  assert.equal(series.status, 200, series.text)
  const labels = series.body.buckets.map((b: { label: string }) => b.label)
  const daily = (picked: CraftedEvent[]) => {
    const counts = perDay(picked, TZ)
    return labels.map((day: string) => counts[day] ?? 0)
  }
  assert.deepEqual(
    series.body.series.map((s: { values: number[] }) => s.values),
    [daily(selected(events, { ...window, name: 'signup' })), daily(selected(events, window))],
    `series ${w}`,
  )
  const named = await getReport(user, 'series', {
    series: 'events',
    from: w[0],
    to: w[1],
    filters: JSON.stringify(SOME_NAMES),
  })
  assert.equal(named.status, 200, named.text)
  assert.deepEqual(
    named.body.series[0].values,
    daily(
      selected(events, window).filter((e) => ['login', 'signup'].includes(e.name ?? 'page_view')),
    ),
    `series by event_name ${w}`,
  )
  const tiles = await getReport(user, 'tiles', { series: 'event:login', from: w[0], to: w[1] })
  assert.equal(tiles.status, 200, tiles.text)
  const days = labels.length
  const before = { ...window, from: shiftDay(w[0], -days), to: shiftDay(w[0], -1) }
  assert.deepEqual(
    [tiles.body.tiles[0].value, tiles.body.tiles[0].comparison_value],
    [
      selected(events, { ...window, name: 'login' }).length,
      selected(events, { ...before, name: 'login' }).length,
    ],
    `tiles ${w}`,
  )
}

// As ingestion stores a retried batch: events already stored are skipped.
async function resend(orgId: string, events: CraftedEvent[]) {
  await adminSql`
    insert into public.events (org_id, id, occurred_at, name, actor_id, properties)
    select ${orgId}::uuid, e.id, e.at, e.name, e.actor, e.properties
    from jsonb_to_recordset(${JSON.stringify(events)}::text::jsonb)
      as e (id text, at timestamptz, name text, actor text, properties jsonb)
    on conflict (org_id, id, occurred_at) do nothing`
}

test('all-event rollups: breakdowns and the names page equal raw events, also after late and resent batches', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  const events = craft('e')
  const late = events.slice().reverse()
  await insertEvents(user.orgId, late.slice(0, 60))
  await resend(user.orgId, [...late.slice(30, 60), ...late.slice(90)])
  await insertEvents(user.orgId, late.slice(60, 90))
  await resend(user.orgId, late.slice(0, 20)) // a retried batch: nothing new
  await assertMatchesRaw(user, events)
  await adminSql`delete from public.events where org_id = ${user.orgId}`
  await assertMatchesRaw(user, events)
  // Day buckets of the organization's timezone read the day rows, not the 15-minute ones.
  await adminSql`delete from public.event_counts where org_id = ${user.orgId}`
  for (const w of WINDOWS) await assertSeriesMatchRaw(user, events, w)
})

test('all-event rollups: a day past the cross-name bound reads the per-name rollup, and raw events past that', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  const [{ bound }] = await adminSql<{ bound: number }[]>`
    select private.property_set_bound() as bound`
  const events = craft('e')
  // 2026-03-08: more distinct objects than the bound across three names, none past it
  // alone. 2026-03-09: one name past the bound on its own as well.
  const crowd = (day: string, count: number, names: string[]) =>
    Array.from({ length: count }, (_, i) => ({
      id: `${day}-${i}`,
      at: `${day}T15:00:00Z`,
      name: names[i % names.length],
      actor: `u${i % 17}`,
      properties: { path: PATHS[i % 3], country: COUNTRIES[i % 4], request: `r${i}` },
    }))
  const spread = crowd('2026-03-08', bound + 50, ['login', 'signup', 'report_viewed'])
  const single = crowd('2026-03-09', bound + 50, ['chart_created'])
  await insertEvents(user.orgId, [...events, ...spread.slice(0, bound / 2)])
  await insertEvents(user.orgId, [...spread.slice(bound / 2), ...single])
  const days = await adminSql<{ day: string; overflowed: boolean }[]>`
    select day::text, overflowed from public.all_event_property_days
    where org_id = ${user.orgId} and day in ('2026-03-08', '2026-03-09') order by 1`
  assert.deepEqual(days.map((d) => d.overflowed), [true, true])
  const [named] = await adminSql<{ n: number }[]>`
    select count(*)::int as n from public.event_property_days
    where org_id = ${user.orgId} and overflowed`
  assert.equal(named.n, 1) // chart_created on the 9th only
  const all = [...events, ...spread, ...single]
  await assertMatchesRaw(user, all)
  // Only the per-name overflowed day still needs raw events.
  await adminSql`
    delete from public.events where org_id = ${user.orgId}
      and not (name = 'chart_created' and (occurred_at at time zone ${TZ})::date = '2026-03-09')`
  await assertMatchesRaw(user, all)
})

test('all-event rollups: a timezone change reads other sources until the rebuild, then the rollups', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const events = craft('e')
  await insertEvents(user.orgId, events)
  await adminSql`update public.organizations set timezone = ${TZ} where id = ${user.orgId}`
  await adminSql`select private.rebuild_actor_days(${user.orgId}::uuid)`
  await assertMatchesRaw(user, events) // queued: event_counts and raw events, in the new zone
  await adminSql`select private.rebuild_event_details(${user.orgId}::uuid)`
  await adminSql`delete from private.detail_rollup_rebuilds where org_id = ${user.orgId}`
  const more = craft('m', '2026-03-07', 3)
  await insertEvents(user.orgId, more)
  await assertMatchesRaw(user, [...events, ...more])
  await adminSql`delete from public.events where org_id = ${user.orgId}`
  await assertMatchesRaw(user, [...events, ...more])
})

test('all-event rollups: folding stripes changes no sum, and deleting the organization deletes the rows', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  const events = craft('e')
  await insertEvents(user.orgId, events.slice(0, 70))
  await insertEvents(user.orgId, events.slice(70))
  await adminSql`update public.event_name_days set shard = 3 where org_id = ${user.orgId}
    and (day, name) in (select day, name from public.event_name_days
                        where org_id = ${user.orgId} and shard = 0 limit 5)`
  await adminSql`select private.fold_all_event_shards(0)`
  const [striped] = await adminSql<{ n: number }[]>`
    select (select count(*) from public.event_name_days where org_id = ${user.orgId} and shard <> 0)
         + (select count(*) from public.all_event_property_sets
            where org_id = ${user.orgId} and shard <> 0) as n`
  assert.equal(Number(striped.n), 0)
  await adminSql`delete from public.events where org_id = ${user.orgId}`
  await assertMatchesRaw(user, events)
  await adminSql`delete from public.organizations where id = ${user.orgId}`
  const [left] = await adminSql<{ n: number }[]>`
    select (select count(*) from public.event_name_days where org_id = ${user.orgId})
         + (select count(*) from public.all_event_property_sets where org_id = ${user.orgId})
         + (select count(*) from public.all_event_property_days where org_id = ${user.orgId})
      as n`
  assert.equal(Number(left.n), 0)
})
