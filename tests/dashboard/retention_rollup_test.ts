/**
 * The retention rollup (migration 20261201000720) answers exactly what raw events answer:
 * day and week cohorts in a timezone with a DST change, late and out-of-order batches that
 * move an actor's first day (within its week and across weeks), concurrent batches of the
 * same actors, duplicates sent twice, folded stripes, a timezone change (the per-member
 * query meanwhile), and deletion with the organization. The reference comes from the
 * crafted events in TypeScript (_raw_oracle.ts); removing the raw events and the
 * per-member query's tables afterwards shows the answers came from the rollup.
 */
import assert from 'node:assert/strict'
import { adminSql, test } from '../_helpers/stack.ts'
import { newOrgOwner, type OrgOwner } from '../_helpers/orgs.ts'
import { type CraftedEvent, insertEvents } from '../_helpers/events.ts'
import { dashboard, shiftDay } from './_activity.ts'
import { type RawCohort, retentionCohorts } from './_raw_oracle.ts'

const TZ = 'America/New_York' // DST starts 2026-03-08
// UTC hours on both sides of New York's midnight (04:30 is 23:30 EST but 00:30 EDT).
const HOURS = ['00:30', '03:30', '04:30', '05:30', '12:00', '23:30']

// 30 actors first seen on days spread over 2026-02-18..03-13, each back on its own rhythm
// for up to 35 days, at hours near local midnight.
function craft(prefix: string): CraftedEvent[] {
  const events: CraftedEvent[] = []
  for (let i = 0; i < 30; i++) {
    const first = shiftDay('2026-02-18', (i * 7) % 24)
    const every = 2 + (i % 5)
    for (let k = 0; k <= 35; k++) {
      if (k !== 0 && k !== 30 * (i % 2) && (k + i) % every !== 0) continue
      const hour = HOURS[(i + k) % HOURS.length]
      events.push({
        id: `${prefix}${i}-${k}`,
        at: `${shiftDay(first, k)}T${hour}:00Z`,
        name: k % 4 === 0 ? 'signup' : 'page_view',
        actor: `r${i}`,
      })
    }
  }
  return events
}

// Actors whose first day a later batch moves: within its ISO week (Wednesday, then the
// Monday before) and across weeks (then a day two weeks earlier).
const EARLY: CraftedEvent[] = [
  { id: 'x1', at: '2026-03-02T15:00:00Z', actor: 'within' },
  { id: 'x2', at: '2026-02-16T15:00:00Z', actor: 'across' },
  { id: 'x3', at: '2026-02-19T02:00:00Z', actor: 'across' },
]
const LATER: CraftedEvent[] = [
  { id: 'y1', at: '2026-03-04T15:00:00Z', actor: 'within' },
  { id: 'y2', at: '2026-03-09T15:00:00Z', actor: 'within' },
  { id: 'y3', at: '2026-03-02T15:00:00Z', actor: 'across' },
  { id: 'y4', at: '2026-03-04T15:00:00Z', actor: 'across' },
  { id: 'y5', at: '2026-03-17T15:00:00Z', actor: 'across' },
]

const SHAPES = [
  { cohort: 'day', first: '2026-02-15', count: 30, periods: 30 },
  { cohort: 'day', first: '2026-03-01', count: 14, periods: 45 },
  { cohort: 'week', first: '2026-02-09', count: 6, periods: 8 },
  { cohort: 'week', first: '2026-03-02', count: 2, periods: 0 },
] as const

// Every shape's cohorts through GET /dashboard/retention, against the oracle.
async function assertMatchesRaw(user: OrgOwner, events: CraftedEvent[]) {
  for (const shape of SHAPES) {
    const length = shape.cohort === 'week' ? 7 : 1
    const to = shiftDay(shape.first, shape.count * length - 1)
    const res = await dashboard(
      user,
      `/retention?cohort=${shape.cohort}&from=${shape.first}&to=${to}&periods=${shape.periods}`,
    )
    assert.equal(res.status, 200, res.text)
    const got: RawCohort[] = res.body.cohorts.map((c: Record<string, unknown>) => ({
      start: c.start,
      size: c.size,
      day_1: c.day_1,
      day_7: c.day_7,
      day_30: c.day_30,
      actives: (c.matrix as { active: number }[]).map((p) => p.active),
    }))
    assert.deepEqual(got, retentionCohorts(events, { tz: TZ, ...shape }), JSON.stringify(shape))
  }
}

// As ingestion stores a retried batch: events already stored are skipped.
async function resend(orgId: string, events: CraftedEvent[]) {
  await adminSql`
    insert into public.events (org_id, id, occurred_at, name, actor_id, properties)
    select ${orgId}::uuid, e.id, e.at, coalesce(e.name, 'page_view'), e.actor, '{}'
    from jsonb_to_recordset(${JSON.stringify(events)}::text::jsonb)
      as e (id text, at timestamptz, name text, actor text)
    on conflict (org_id, id, occurred_at) do nothing`
}

// Leaves only the rollup: the raw events and the per-member query's tables.
async function removeAllButRollup(orgId: string) {
  await adminSql`delete from public.events where org_id = ${orgId}`
  await adminSql`delete from public.event_actor_days where org_id = ${orgId}`
  await adminSql`delete from public.event_actors where org_id = ${orgId}`
}

test('retention rollup: day and week cohorts equal raw events across DST', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  const events = [...craft('e'), ...EARLY, ...LATER]
  await insertEvents(user.orgId, events)
  await assertMatchesRaw(user, events)
  await removeAllButRollup(user.orgId)
  await assertMatchesRaw(user, events)
})

test('retention rollup: late, out-of-order, concurrent and resent batches count once', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  const events = craft('e')
  // Newest first, in batches; resends of stored events in between.
  const late = events.slice().reverse()
  await insertEvents(user.orgId, [...late.slice(0, 120), ...LATER])
  await resend(user.orgId, [...late.slice(60, 120), ...late.slice(300)])
  // Two batches of the same actors at once: each moves some first days of the other's.
  await Promise.all([
    insertEvents(user.orgId, late.slice(120, 200).filter((_, i) => i % 2 === 0)),
    insertEvents(user.orgId, late.slice(120, 200).filter((_, i) => i % 2 === 1)),
  ])
  await insertEvents(user.orgId, late.slice(200, 300))
  await insertEvents(user.orgId, EARLY)
  await resend(user.orgId, [...late.slice(0, 40), ...EARLY]) // a retried batch: nothing new
  const all = [...events, ...EARLY, ...LATER]
  await assertMatchesRaw(user, all)
  // Folding every stripe into stripe 0 changes no answer.
  await adminSql`select private.fold_retention_shards(-100000)`
  const [stripes] = await adminSql<{ n: number }[]>`
    select count(*)::int as n from public.retention_day_cells
    where org_id = ${user.orgId} and shard <> 0`
  assert.equal(stripes.n, 0)
  await removeAllButRollup(user.orgId)
  await assertMatchesRaw(user, all)
})

test('retention rollup: a timezone change reads members until the rebuild, then the rollup', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const events = craft('e')
  await insertEvents(user.orgId, events)
  await adminSql`update public.organizations set timezone = ${TZ} where id = ${user.orgId}`
  // The per-member query's own rollup rebuilds on its own job.
  await adminSql`select private.rebuild_actor_days(${user.orgId}::uuid)`
  await assertMatchesRaw(user, events) // queued: answered from the members in the new zone
  await adminSql`select private.rebuild_event_details(${user.orgId}::uuid)`
  await adminSql`delete from private.detail_rollup_rebuilds where org_id = ${user.orgId}`
  const more = [...EARLY, ...LATER]
  await insertEvents(user.orgId, more)
  await assertMatchesRaw(user, [...events, ...more])
  await removeAllButRollup(user.orgId)
  await assertMatchesRaw(user, [...events, ...more])
})

test('retention rollup: deleting the organization deletes its cells', async () => {
  const user = await newOrgOwner({ timezone: TZ })
  await insertEvents(user.orgId, craft('e').slice(0, 50))
  const cells = () =>
    adminSql<{ n: number }[]>`
      select (select count(*) from public.retention_day_cells where org_id = ${user.orgId})
           + (select count(*) from public.retention_week_cells where org_id = ${user.orgId})
        as n`
  assert.ok(Number((await cells())[0].n) > 0)
  await adminSql`delete from public.organizations where id = ${user.orgId}`
  assert.equal(Number((await cells())[0].n), 0)
})
