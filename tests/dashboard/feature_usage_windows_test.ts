/**
 * Feature usage's distinct actors from the window rollup of migration 20261201000800
 * (feature_actor_windows) equal what raw events answer for windows of up to 92 days: actors
 * returning after gaps from one day to past the cap, in a timezone with a DST change, with
 * late (out-of-order) days that re-link a known day, resent duplicates, a timezone change,
 * and organization deletion. Reference answers come from _raw_oracle.ts; removing the raw
 * events shows they came from the rollup.
 */
import assert from 'node:assert/strict'
import { adminSql, test } from '../_helpers/stack.ts'
import { newOrgOwner, type OrgOwner } from '../_helpers/orgs.ts'
import { type CraftedEvent, insertEvents } from '../_helpers/events.ts'
import { dashboard, shiftDay } from './_activity.ts'
import { featureUsage } from './_raw_oracle.ts'

const TZ = 'America/New_York' // DST starts 2026-03-08
const NAMES = ['export', 'share', 'page_view']

// Actor u<i> is active every (3 + i * 4) days from a start that depends on i, so gaps
// range from 3 to past 92 days; events sit near local midnight on both sides of it.
function craft(prefix: string): CraftedEvent[] {
  const events: CraftedEvent[] = []
  for (let i = 0; i < 30; i++) {
    const every = 3 + i * 4
    for (let d = i % 7; d < 200; d += every) {
      const hour = ['03:30', '04:30', '15:00'][(i + d) % 3]
      events.push({
        id: `${prefix}${i}-${d}`,
        at: `${shiftDay('2026-01-01', d)}T${hour}:00Z`,
        name: NAMES[(i + d) % 3],
        actor: `u${i}`,
      })
    }
  }
  return events
}

// Windows of 1, 7, 31, 60 and 92 days, across the DST change.
const WINDOWS: [string, string][] = [
  ['2026-03-08', '2026-03-08'],
  ['2026-03-05', '2026-03-11'],
  ['2026-02-20', '2026-03-22'],
  ['2026-02-01', '2026-04-01'],
  ['2026-02-15', '2026-05-17'],
]

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
    const expected = featureUsage(events, { tz: TZ, from: w[0], to: w[1] })
    assert.deepEqual(await features(user, w), expected, `window ${w}`)
  }
}

test('feature usage windows: distinct actors over up to 92 days equal raw events, with late and resent days', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  const events = craft('e')
  // Every other day of each actor first, then the days between (each re-links the next
  // known day of its name), then a resend of some of both.
  const first = events.filter((_, n) => n % 2 === 0)
  const late = events.filter((_, n) => n % 2 === 1)
  await insertEvents(user.orgId, first)
  await insertEvents(user.orgId, late.reverse())
  await adminSql`
    insert into public.events (org_id, id, occurred_at, name, actor_id)
    select ${user.orgId}::uuid, e.id, e.at, e.name, e.actor
    from jsonb_to_recordset(${JSON.stringify(events.slice(0, 40))}::text::jsonb)
      as e (id text, at timestamptz, name text, actor text)
    on conflict (org_id, id, occurred_at) do nothing`
  await assertMatchesRaw(user, events)
  // A window past the rollup's 92 days still answers, from raw events.
  const long: [string, string] = ['2026-01-10', '2026-04-20']
  assert.deepEqual(
    await features(user, long),
    featureUsage(events, { tz: TZ, from: long[0], to: long[1] }),
  )
  await adminSql`delete from public.events where org_id = ${user.orgId}`
  await assertMatchesRaw(user, events)
})

test('feature usage windows: a timezone change rebuilds them, folding keeps sums, deletion removes them', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const events = craft('e')
  await insertEvents(user.orgId, events.slice(0, 300))
  await insertEvents(user.orgId, events.slice(300))
  await adminSql`update public.organizations set timezone = ${TZ} where id = ${user.orgId}`
  await adminSql`select private.rebuild_actor_days(${user.orgId}::uuid)`
  await assertMatchesRaw(user, events) // queued: raw events in the new zone
  await adminSql`select private.rebuild_event_details(${user.orgId}::uuid)`
  await adminSql`delete from private.detail_rollup_rebuilds where org_id = ${user.orgId}`
  // Move some rows to other stripes, fold them back: the sums are unchanged.
  await adminSql`update public.feature_actor_windows set shard = 7
    where org_id = ${user.orgId} and day between '2026-02-01' and '2026-02-20'`
  await adminSql`select private.fold_feature_actor_windows(0)`
  const [striped] = await adminSql<{ n: number }[]>`
    select count(*)::int as n from public.feature_actor_windows
    where org_id = ${user.orgId} and shard <> 0`
  assert.equal(striped.n, 0)
  await adminSql`delete from public.events where org_id = ${user.orgId}`
  await assertMatchesRaw(user, events)
  await adminSql`delete from public.organizations where id = ${user.orgId}`
  const [left] = await adminSql<{ n: number }[]>`
    select count(*)::int as n from public.feature_actor_windows where org_id = ${user.orgId}`
  assert.equal(left.n, 0)
})
