/**
 * GET /dashboard/active-users: DAU/WAU/MAU windows, stickiness, the daily series, the
 * organization's days, isolation and input validation.
 */
import assert from 'node:assert/strict'
import { adminSql, call, test } from '../_helpers/stack.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { insertEvents } from '../_helpers/events.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { activity, dashboard, todayUtc } from './_activity.ts'

// Around 2026-03-31 (D): a1 on D and D-10, a2 on D-3, a3 on D-6 (the first day of D's
// 7-day window), a4 on D-7 (just outside it), a5 on D-29 (the first day of the 30-day
// window), a6 on D-30 (outside every window).
const spread = activity({
  a1: ['2026-03-31', '2026-03-21'],
  a2: ['2026-03-28'],
  a3: ['2026-03-25'],
  a4: ['2026-03-24'],
  a5: ['2026-03-02'],
  a6: ['2026-03-01'],
})

test('active users: DAU, WAU and MAU windows end on the day, stickiness is DAU/MAU', async () => {
  const owner = await newOrgOwner()
  await insertEvents(owner.orgId, [
    ...spread,
    // A second event of a1 on D changes nothing: actors are counted once.
    { id: 'a1-again', at: '2026-03-31T20:00:00Z', name: 'click', actor: 'a1' },
    // Events without an actor are not users.
    { id: 'anonymous', at: '2026-03-31T09:00:00Z', actor: null },
  ])
  const res = await dashboard(owner, '/active-users?date=2026-03-31')
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(res.body, {
    date: '2026-03-31',
    dau: 1,
    wau: 3,
    mau: 5,
    stickiness: 0.2,
    timezone: 'UTC',
    series: null,
  })

  const dayBefore = await dashboard(owner, '/active-users?date=2026-03-30')
  // 30 March: nobody that day; a4, a3, a2 in 24-30 March; all six in 1-30 March.
  assert.deepEqual(
    [dayBefore.body.dau, dayBefore.body.wau, dayBefore.body.mau],
    [0, 3, 6],
  )

  const quiet = await dashboard(owner, '/active-users?date=2025-01-01')
  assert.equal(quiet.status, 200, quiet.text)
  assert.deepEqual([quiet.body.dau, quiet.body.wau, quiet.body.mau], [0, 0, 0])
  assert.equal(quiet.body.stickiness, null)
})

test('active users: a range gives the daily series, its last day the headline', async () => {
  const owner = await newOrgOwner()
  await insertEvents(owner.orgId, spread)
  const res = await dashboard(owner, '/active-users?from=2026-03-20&to=2026-04-02')
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.date, '2026-04-02')
  const rows = res.body.series.map((d: Record<string, number>) => [d.date, d.dau, d.wau, d.mau])
  assert.deepEqual(rows, [
    ['2026-03-20', 0, 0, 2], // MAU: a6, a5
    ['2026-03-21', 1, 1, 3], // + a1
    ['2026-03-22', 0, 1, 3],
    ['2026-03-23', 0, 1, 3],
    ['2026-03-24', 1, 2, 4], // + a4
    ['2026-03-25', 1, 3, 5], // + a3
    ['2026-03-26', 0, 3, 5],
    ['2026-03-27', 0, 3, 5],
    ['2026-03-28', 1, 3, 6], // + a2; WAU loses a1 (03-21)
    ['2026-03-29', 0, 3, 6],
    ['2026-03-30', 0, 3, 6],
    ['2026-03-31', 1, 3, 5], // a1 again; MAU loses a6 (03-01); WAU loses a4 (03-24)
    ['2026-04-01', 0, 2, 4], // WAU loses a3; MAU loses a5
    ['2026-04-02', 0, 2, 4],
  ])
  assert.equal(res.body.dau, 0)
  assert.equal(res.body.mau, 4)
  assert.equal(res.body.series[11].stickiness, 0.2)

  const withDate = await dashboard(
    owner,
    '/active-users?from=2026-03-20&to=2026-03-22&date=2026-03-31',
  )
  assert.equal(withDate.status, 200, withDate.text)
  assert.deepEqual([withDate.body.date, withDate.body.dau, withDate.body.mau], ['2026-03-31', 1, 5])
  assert.equal(withDate.body.series.length, 3)
})

test("active users: days are the organization's, and today is the default", async () => {
  const owner = await newOrgOwner({ timezone: 'America/New_York' })
  // 02:00 UTC on 31 March is still 30 March (22:00 EDT) in New York.
  await insertEvents(owner.orgId, [
    { id: 'late', at: '2026-03-31T02:00:00Z', actor: 'night-owl' },
    { id: 'now', at: new Date().toISOString(), actor: 'right-now' },
  ])
  const res = await dashboard(owner, '/active-users?from=2026-03-30&to=2026-03-31')
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.timezone, 'America/New_York')
  assert.deepEqual(res.body.series.map((d: { dau: number }) => d.dau), [1, 0])

  const today = await dashboard(owner, '/active-users')
  assert.equal(today.status, 200, today.text)
  const newYorkToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' })
    .format(new Date())
  assert.equal(today.body.date, newYorkToday)
  assert.equal(today.body.dau, 1)
})

test('active users: after a timezone change, the queued rebuild moves past days to the new zone', async () => {
  const owner = await newOrgOwner({ timezone: 'UTC' })
  // 02:00 UTC on 31 March: the 31st in UTC, the 30th in New York.
  await insertEvents(owner.orgId, [{ id: 'late', at: '2026-03-31T02:00:00Z', actor: 'night-owl' }])
  const days = async () =>
    (await dashboard(owner, '/active-users?from=2026-03-30&to=2026-03-31')).body.series
      .map((d: { dau: number }) => d.dau)
  assert.deepEqual(await days(), [0, 1])

  const moved = await call('PATCH', `/orgs/${owner.orgId}`, {
    token: owner.token,
    body: { timezone: 'America/New_York' },
  })
  assert.equal(moved.status, 200, moved.text)
  // What the lytics-actor-day-rebuilds job runs every minute (it may have run already).
  await adminSql`select private.rebuild_queued_actor_days()`
  assert.deepEqual(await days(), [1, 0], 'the night owl was active on the 30th, New York time')
})

test("active users: another organization's actors are never counted", async () => {
  const a = await newOrgOwner()
  const b = await newOrgOwner()
  await insertEvents(a.orgId, [...spread, { id: 'now', at: new Date().toISOString(), actor: 'x' }])
  const res = await dashboard(b, '/active-users?range=90d')
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.date, todayUtc())
  assert.ok(res.body.series.every((d: { mau: number }) => d.mau === 0), res.text)
  const past = await dashboard(b, '/active-users?date=2026-03-31')
  assert.deepEqual([past.body.dau, past.body.wau, past.body.mau], [0, 0, 0])
})

test('active users: every parameter is validated', async () => {
  const owner = await newOrgOwner()
  const cases: [string, string][] = [
    ['date=2026-02-30', 'query.date'],
    ['date=31.03.2026', 'query.date'],
    ['range=1y', 'query.range'],
    ['from=2026-03-01', 'query.to'],
    ['to=2026-03-01', 'query.from'],
    ['from=2026-03-02&to=2026-03-01', 'query.from'],
    ['from=2025-01-01&to=2026-03-01', 'query.to'],
    ['from=2026-13-01&to=2026-12-01', 'query.from'],
    ['timezone=UTC', 'query.timezone'],
    ['date=2026-03-01&date=2026-03-02', 'query.date'],
  ]
  for (const [qs, field] of cases) {
    assertInvalid(await dashboard(owner, `/active-users?${qs}`), field)
  }
  const anonymous = await call('GET', '/dashboard/active-users')
  assert.equal(anonymous.status, 401, anonymous.text)
})

test('engagement routes are documented in /dashboard/openapi.json', async () => {
  const res = await call('GET', '/dashboard/openapi.json')
  assert.equal(res.status, 200, res.text)
  for (const path of ['active-users', 'retention', 'feature-usage', 'events', 'events/{id}']) {
    assert.ok(res.body.paths[`/dashboard/${path}`]?.get, `missing /dashboard/${path}`)
  }
})
