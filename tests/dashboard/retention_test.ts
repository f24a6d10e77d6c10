/**
 * GET /dashboard/retention: day and week cohorts of a crafted set of actors, days not
 * reached yet, the default eight weeks, isolation and input validation.
 */
import assert from 'node:assert/strict'
import { call, test } from '../_helpers/stack.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { insertEvents } from '../_helpers/events.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { activity, dashboard, shiftDay, todayUtc } from './_activity.ts'

// Monday 2 March 2026: u1-u4 first seen. u1 and u2 come back on day 1, u1 on day 7 and
// day 30 (1 April), u3 on day 10. u6 is first seen on Tuesday, u5 on Wednesday (back on
// its own day 1 and day 7). u0 was first seen the Sunday before, so it belongs to the
// previous week even though it is active on the Monday too.
const cohortActivity = activity({
  u0: ['2026-03-01', '2026-03-02', '2026-03-03'],
  u1: ['2026-03-02', '2026-03-03', '2026-03-09', '2026-04-01'],
  u2: ['2026-03-02', '2026-03-03'],
  u3: ['2026-03-02', '2026-03-12'],
  u4: ['2026-03-02'],
  u5: ['2026-03-04', '2026-03-05', '2026-03-11'],
  u6: ['2026-03-03'],
})

type Period = { period: number; active: number | null; share: number | null }
const actives = (matrix: Period[]) => matrix.map((p) => p.active)

test('retention: day cohorts share active on day 1, 7, 30 and the day matrix', async () => {
  const owner = await newOrgOwner()
  await insertEvents(owner.orgId, cohortActivity)
  const res = await dashboard(owner, '/retention?cohort=day&from=2026-03-02&to=2026-03-03')
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.cohort, 'day')
  assert.equal(res.body.periods, 30)
  const [monday, tuesday] = res.body.cohorts
  assert.equal(res.body.cohorts.length, 2)
  assert.deepEqual(
    [monday.start, monday.end, monday.size, monday.day_1, monday.day_7, monday.day_30],
    ['2026-03-02', '2026-03-02', 4, 0.5, 0.25, 0.25],
  )
  const expected = Array(31).fill(0)
  Object.assign(expected, { 0: 4, 1: 2, 7: 1, 10: 1, 30: 1 })
  assert.deepEqual(actives(monday.matrix), expected)
  assert.deepEqual(monday.matrix[1], { period: 1, active: 2, share: 0.5 })
  assert.deepEqual(
    [tuesday.start, tuesday.size, tuesday.day_1, tuesday.day_7, tuesday.day_30],
    ['2026-03-03', 1, 0, 0, 0],
  )
  assert.deepEqual(actives(tuesday.matrix), [1, ...Array(30).fill(0)])
})

test('retention: week cohorts are whole ISO weeks, periods are weeks', async () => {
  const owner = await newOrgOwner()
  await insertEvents(owner.orgId, cohortActivity)
  // A range inside the week still gives the whole week's cohort.
  const res = await dashboard(
    owner,
    '/retention?cohort=week&from=2026-03-04&to=2026-03-05&periods=5',
  )
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.cohorts.length, 1)
  const [week] = res.body.cohorts
  assert.deepEqual([week.start, week.end, week.size], ['2026-03-02', '2026-03-08', 6])
  // Day 1: u1, u2, u5; day 7: u1, u5; day 30: u1 (each from their own first day).
  assert.deepEqual([week.day_1, week.day_7, week.day_30], [3 / 6, 2 / 6, 1 / 6])
  // Week 1 (9-15 March): u1, u5, u3; week 4 (30 March-5 April): u1.
  assert.deepEqual(actives(week.matrix), [6, 3, 0, 0, 1, 0])
  assert.deepEqual(week.matrix[1], { period: 1, active: 3, share: 0.5 })

  const previous = await dashboard(
    owner,
    '/retention?cohort=week&from=2026-02-23&to=2026-03-01&periods=1',
  )
  assert.deepEqual(
    [previous.body.cohorts[0].start, previous.body.cohorts[0].size],
    ['2026-02-23', 1],
  )
  assert.deepEqual(actives(previous.body.cohorts[0].matrix), [1, 1])
})

test('retention: eight weeks by default, days and periods not reached yet are null', async () => {
  const owner = await newOrgOwner()
  const today = todayUtc()
  const yesterday = shiftDay(today, -1)
  await insertEvents(owner.orgId, [
    { id: 'y1', at: `${yesterday}T12:00:00Z`, actor: 'yesterday' },
    { id: 'y2', at: new Date().toISOString(), actor: 'yesterday' },
    { id: 'f1', at: new Date().toISOString(), actor: 'fresh' },
  ])
  const res = await dashboard(owner, '/retention')
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.cohort, 'week')
  assert.equal(res.body.today, today)
  assert.equal(res.body.cohorts.length, 8)
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7 // Monday = 0
  const thisMonday = shiftDay(today, -weekday)
  assert.equal(res.body.cohorts[0].start, shiftDay(thisMonday, -49))
  const current = res.body.cohorts[7]
  assert.equal(current.start, thisMonday)
  assert.equal(current.matrix.length, 13)
  assert.deepEqual(current.matrix[1], { period: 1, active: null, share: null })
  // Some member's day 1 (the fresh actor's tomorrow) is still to come.
  assert.equal(current.day_1, null)
  assert.equal(current.day_30, null)

  const days = await dashboard(owner, '/retention?cohort=day&cohorts=2&periods=2')
  assert.equal(days.status, 200, days.text)
  const [first, second] = days.body.cohorts
  assert.deepEqual([first.start, first.size, first.day_1, first.day_7], [yesterday, 1, 1, null])
  assert.deepEqual(first.matrix, [
    { period: 0, active: 1, share: 1 },
    { period: 1, active: 1, share: 1 },
    { period: 2, active: null, share: null },
  ])
  assert.deepEqual([second.start, second.size, second.day_1], [today, 1, null])
  assert.deepEqual(actives(second.matrix), [1, null, null])
  // An empty cohort has no shares at all.
  const empty = res.body.cohorts[0]
  assert.deepEqual([empty.size, empty.day_1, empty.matrix[0].share], [0, null, null])
})

test("retention: another organization's actors are never in the cohorts", async () => {
  const a = await newOrgOwner()
  const b = await newOrgOwner()
  await insertEvents(a.orgId, cohortActivity)
  const res = await dashboard(b, '/retention?cohort=day&from=2026-03-01&to=2026-03-05')
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(res.body.cohorts.map((c: { size: number }) => c.size), [0, 0, 0, 0, 0])
})

test('retention: every parameter is validated', async () => {
  const owner = await newOrgOwner()
  const cases: [string, string][] = [
    ['cohort=month', 'query.cohort'],
    ['cohorts=0', 'query.cohorts'],
    ['cohorts=54', 'query.cohorts'],
    ['cohort=day&cohorts=93', 'query.cohorts'],
    ['cohorts=eight', 'query.cohorts'],
    ['cohorts=8&range=28d', 'query.cohorts'],
    ['cohorts=8&from=2026-03-01&to=2026-03-08', 'query.cohorts'],
    ['periods=-1', 'query.periods'],
    ['periods=1.5', 'query.periods'],
    ['periods=53', 'query.periods'],
    ['cohort=day&periods=91', 'query.periods'],
    ['timezone=UTC', 'query.timezone'],
    ['range=2w', 'query.range'],
    ['from=2026-03-05&to=2026-03-01', 'query.from'],
    ['from=2026-03-05', 'query.to'],
    ['from=2025-01-01&to=2026-03-01', 'query.to'],
    ['cohort=day&from=2026-01-01&to=2026-06-30', 'query.range'],
  ]
  for (const [qs, field] of cases) {
    assertInvalid(await dashboard(owner, `/retention?${qs}`), field)
  }
  const anonymous = await call('GET', '/dashboard/retention')
  assert.equal(anonymous.status, 401, anonymous.text)
})
