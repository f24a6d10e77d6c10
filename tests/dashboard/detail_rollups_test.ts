/**
 * The day rollups of migrations 20261201000500 (property sets, active-actor gaps) and
 * 20261201000600 (feature actor gaps) answer exactly what raw events answer: breakdowns
 * with filters, property-filtered series and tiles, DAU/WAU/MAU, feature usage's distinct
 * actors per name, in a timezone with a DST change, with late, out-of-order and duplicate
 * events, past the property-set bound, and after a timezone change. The reference answers
 * come from the crafted events in TypeScript (_raw_oracle.ts). Removing the raw events
 * afterwards (which the rollups do not follow) shows the answers came from the rollups.
 */
import assert from 'node:assert/strict'
import { adminSql, test } from '../_helpers/stack.ts'
import { newOrgOwner, type OrgOwner } from '../_helpers/orgs.ts'
import { type CraftedEvent, insertEvents } from '../_helpers/events.ts'
import { dashboard, shiftDay } from './_activity.ts'
import { getReport } from './_reports.ts'
import {
  activeUsers,
  featureUsage,
  groupsOf,
  perDay,
  type RawFilter,
  selected,
} from './_raw_oracle.ts'

const TZ = 'America/New_York' // DST starts 2026-03-08: that local day has 23 hours
const FROM = '2026-03-01'
const TO = '2026-03-14'

const PATHS = ['/', '/docs', '/pricing', '/reports']
const PLANS = ['free', 'pro', 'team', undefined]
const COUNTRIES = ['DE', 'US', 'FR']

// Deterministic events from 2026-02-05 to 2026-03-20, several per day close to local
// midnight on both sides of the offset change, with varied property objects.
function craft(prefix: string, firstDay = '2026-02-05', days = 44): CraftedEvent[] {
  const events: CraftedEvent[] = []
  let n = 0
  for (let d = 0; d < days; d++) {
    const day = shiftDay(firstDay, d)
    for (const hour of ['00:30', '03:30', '04:30', '05:30', '12:00', '23:30']) {
      n++
      const props: Record<string, unknown> = {
        path: PATHS[n % 4],
        country: COUNTRIES[(n * 7) % 3],
        n: n % 5,
      }
      if (PLANS[(n * 3) % 4]) props.plan = PLANS[(n * 3) % 4]
      events.push({
        id: `${prefix}${n}`,
        at: `${day}T${hour}:00Z`,
        name: n % 3 === 0 ? 'signup' : 'page_view',
        actor: n % 11 === 0 ? null : `u${(n * 5) % 13}`,
        properties: props,
      })
    }
  }
  return events
}

async function breakdown(user: OrgOwner, series: string, by: string, filters: RawFilter[] = []) {
  const res = await getReport(user, 'breakdown', {
    series,
    by,
    from: FROM,
    to: TO,
    limit: '100',
    ...(filters.length ? { filters: JSON.stringify(filters) } : {}),
  })
  assert.equal(res.status, 200, res.text)
  return Object.fromEntries(
    res.body.groups.map((g: { key: string | null; value: number }) => [String(g.key), g.value]),
  )
}

const FILTERED: RawFilter[] = [
  { field: 'property.country', op: 'in', value: ['DE', 'US'] },
  { field: 'property.plan', op: 'is_not', value: 'free' },
]

// Every breakdown, series and tile shape the rollup serves, against the oracle.
async function assertMatchesRaw(user: OrgOwner, events: CraftedEvent[]) {
  const window = { tz: TZ, from: FROM, to: TO }
  const views = { ...window, name: 'page_view' }
  assert.deepEqual(
    await breakdown(user, 'event:page_view', 'property.path'),
    groupsOf(selected(events, views), 'property.path'),
  )
  assert.deepEqual(
    await breakdown(user, 'event:page_view', 'property.path', FILTERED),
    groupsOf(selected(events, { ...views, filters: FILTERED }), 'property.path'),
  )
  assert.deepEqual(
    await breakdown(user, 'events', 'property.plan'),
    groupsOf(selected(events, window), 'property.plan'),
  )
  const contains: RawFilter[] = [{ field: 'property.path', op: 'contains', value: 'DOC' }]
  assert.deepEqual(
    await breakdown(user, 'events', 'event_name', contains),
    groupsOf(selected(events, { ...window, filters: contains }), 'event_name'),
  )
  const pro: RawFilter[] = [{ field: 'property.plan', op: 'is', value: 'pro' }]
  const series = await getReport(user, 'series', {
    series: 'event:page_view',
    from: FROM,
    to: TO,
    filters: JSON.stringify(pro),
  })
  assert.equal(series.status, 200, series.text)
  const daily = perDay(selected(events, { ...views, filters: pro }), TZ)
  assert.deepEqual(
    series.body.series[0].values,
    series.body.buckets.map((b: { label: string }) => daily[b.label] ?? 0),
  )
  const tiles = await getReport(user, 'tiles', {
    series: 'event:page_view',
    from: FROM,
    to: TO,
    filters: JSON.stringify(pro),
  })
  assert.equal(tiles.status, 200, tiles.text)
  const before = { ...views, from: shiftDay(FROM, -14), to: shiftDay(FROM, -1), filters: pro }
  assert.deepEqual(
    [tiles.body.tiles[0].value, tiles.body.tiles[0].comparison_value],
    [selected(events, { ...views, filters: pro }).length, selected(events, before).length],
  )
  const active = await dashboard(user, `/active-users?from=${FROM}&to=${TO}`)
  assert.equal(active.status, 200, active.text)
  assert.deepEqual(
    active.body.series.map((d: Record<string, number>) => [d.date, d.dau, d.wau, d.mau]),
    activeUsers(events, window),
  )
  // Feature usage over the range, one day, and the longest window the rollup answers
  // (31 days, starting before the DST change and ending after it).
  for (
    const [from, to] of [[FROM, TO], ['2026-03-08', '2026-03-08'], ['2026-02-15', '2026-03-17']]
  ) {
    assert.deepEqual(await features(user, from, to), featureUsage(events, { tz: TZ, from, to }))
  }
}

// Feature usage's `{ name: [events, actors] }` over from..to (every name on one page).
async function features(user: OrgOwner, from: string, to: string) {
  const res = await dashboard(user, `/feature-usage?from=${from}&to=${to}&limit=100`)
  assert.equal(res.status, 200, res.text)
  return Object.fromEntries(
    res.body.features.map((f: { name: string; events: number; actors: number }) => [
      f.name,
      [f.events, f.actors],
    ]),
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

async function removeRawEvents(orgId: string) {
  await adminSql`delete from public.events where org_id = ${orgId}`
}

test('detail rollups: breakdowns, filtered series and tiles, active users equal raw events across DST', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  const events = craft('e')
  await insertEvents(user.orgId, events)
  await assertMatchesRaw(user, events)
  // The same answers with the raw events gone: they came from the rollups.
  await removeRawEvents(user.orgId)
  await assertMatchesRaw(user, events)
})

test('detail rollups: late, out-of-order and duplicate batches are counted once', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  const events = craft('e')
  // Newest first, in three batches; the middle one resends half of the first.
  const late = events.slice().reverse()
  await insertEvents(user.orgId, late.slice(0, 100))
  await resend(user.orgId, [...late.slice(50, 100), ...late.slice(200)])
  await insertEvents(user.orgId, late.slice(100, 200))
  await resend(user.orgId, late.slice(0, 30)) // a retried batch: nothing new
  await assertMatchesRaw(user, events)
  await removeRawEvents(user.orgId)
  await assertMatchesRaw(user, events)
})

test('detail rollups: a day past the property-set bound is counted from raw events', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  const [{ bound }] = await adminSql<{ bound: number }[]>`
    select private.property_set_bound() as bound`
  const events = craft('e')
  // One day with more distinct property objects than the bound (every event its own).
  const crowded = Array.from({ length: bound + 50 }, (_, i) => ({
    id: `c${i}`,
    at: '2026-03-08T15:00:00Z',
    actor: `u${i % 13}`,
    properties: { path: PATHS[i % 4], plan: PLANS[i % 3], request: `r${i}` },
  }))
  await insertEvents(user.orgId, [...events, ...crowded.slice(0, bound / 2)])
  await insertEvents(user.orgId, crowded.slice(bound / 2))
  const [day] = await adminSql<{ overflowed: boolean }[]>`
    select overflowed from public.event_property_days
    where org_id = ${user.orgId} and name = 'page_view' and day = '2026-03-08'`
  assert.equal(day.overflowed, true)
  const all = [...events, ...crowded]
  await assertMatchesRaw(user, all)
  // Days within the bound still come from the rollup: drop every raw event but the
  // overflowed day's, and the answers stay.
  await adminSql`
    delete from public.events where org_id = ${user.orgId}
      and not (name = 'page_view' and (occurred_at at time zone ${TZ})::date = '2026-03-08')`
  await assertMatchesRaw(user, all)
})

test('detail rollups: a timezone change reads raw events until the rebuild, then the rollups', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const events = craft('e')
  await insertEvents(user.orgId, events)
  await adminSql`update public.organizations set timezone = ${TZ} where id = ${user.orgId}`
  // The existing actor-day rollup, which active users fall back to, rebuilds on its own job.
  await adminSql`select private.rebuild_actor_days(${user.orgId}::uuid)`
  await assertMatchesRaw(user, events) // queued: answered from raw events in the new zone
  await adminSql`select private.rebuild_event_details(${user.orgId}::uuid)`
  await adminSql`delete from private.detail_rollup_rebuilds where org_id = ${user.orgId}`
  // An event after the rebuild goes to the new zone's day.
  const more = craft('m', '2026-03-07', 3)
  await insertEvents(user.orgId, more)
  await assertMatchesRaw(user, [...events, ...more])
  await removeRawEvents(user.orgId)
  await assertMatchesRaw(user, [...events, ...more])
})

test('detail rollups: deleting the organization deletes its rollup rows', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  await insertEvents(user.orgId, craft('e', '2026-03-01', 3))
  await adminSql`delete from public.organizations where id = ${user.orgId}`
  const [left] = await adminSql<{ n: number }[]>`
    select (select count(*) from public.event_property_sets where org_id = ${user.orgId})
         + (select count(*) from public.event_property_days where org_id = ${user.orgId})
         + (select count(*) from public.active_actor_gaps where org_id = ${user.orgId})
         + (select count(*) from private.active_actor_days where org_id = ${user.orgId})
         + (select count(*) from private.feature_actor_days where org_id = ${user.orgId})
      as n`
  assert.equal(Number(left.n), 0)
})
