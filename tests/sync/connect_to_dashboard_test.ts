/**
 * The whole path a user sees: connect GA4 by the OAuth flow of the sources function, pick
 * a property (which queues the backfill), let the worker run it, and read the numbers in
 * /dashboard/tiles and /dashboard/series, equal to what the fake Google reported.
 */
import assert from 'node:assert/strict'
import { adminSql, call, test } from '../_helpers/stack.ts'
import { startStackFakes } from '../fakes/on_stack.ts'
import { activeGa4Source, team } from '../sources/_flow.ts'
import { runsOf, runUntilSettled, utcDay } from './fixtures.ts'

const fakes = startStackFakes()
const { google } = fakes
const PROPERTY = google.properties[0].id

test('connect → pick a property → backfill → the dashboard shows what GA4 reported', async () => {
  const { owner } = await team()
  const sourceId = await activeGa4Source(owner, `properties/${PROPERTY}`)
  const [backfill] = await adminSql<{ id: string; kind: string }[]>`
    select id::text, kind from private.sync_jobs where source_id = ${sourceId}`
  assert.equal(backfill.kind, 'backfill')
  const settled = await runUntilSettled(backfill.id)
  assert.equal(settled.status, 'succeeded', settled.last_error ?? '')
  assert.equal((await runsOf(sourceId))[0].status, 'succeeded')

  const from = utcDay(-14)
  const to = utcDay(-1)
  const days = Array.from({ length: 14 }, (_, i) => utcDay(-14 + i))
  const reported = (metric: string) => days.map((d) => Number(google.metric(PROPERTY, d, metric)))
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)

  // Metrics without a channel breakdown sum as they are.
  const series = 'metric:ga4.keyEvents,metric:ga4.screenPageViews'
  const tiles = await call('GET', `/dashboard/tiles?series=${series}&from=${from}&to=${to}`, {
    token: owner.token,
  })
  assert.equal(tiles.status, 200, tiles.text)
  assert.equal(tiles.body.tiles[0].value, sum(reported('keyEvents')))
  assert.equal(tiles.body.tiles[1].value, sum(reported('screenPageViews')))
  assert.deepEqual(
    tiles.body.tiles[1].sparkline.map((p: { value: number }) => p.value),
    reported('screenPageViews'),
  )

  const daily = await call(
    'GET',
    `/dashboard/series?series=metric:ga4.keyEvents&from=${from}&to=${to}`,
    { token: owner.token },
  )
  assert.equal(daily.status, 200, daily.text)
  assert.deepEqual(daily.body.series[0].values, reported('keyEvents'))
})

test('close the fakes', () => fakes.close())
