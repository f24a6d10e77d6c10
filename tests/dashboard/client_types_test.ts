/**
 * The dashboard's AppType gives a typed client: one call per endpoint group must compile
 * against the real routes (`deno check` fails otherwise), and a wrong call must not. The
 * calls go to a stub fetch that records each URL, so no stack is needed.
 */
import assert from 'node:assert/strict'
import type { AppType } from '../../supabase/functions/dashboard/app.ts'
import { recordingClient } from '../_helpers/typed_client.ts'

Deno.test('dashboard client: one typed call per endpoint group', async () => {
  const { client, calls } = recordingClient<AppType>()
  const d = client.dashboard
  await d.tiles.$get({ query: { series: 'metric:sessions', range: '28d' } })
  await d.series.$get({ query: { series: 'events', granularity: 'week', format: 'csv' } })
  await d.breakdown.$get({ query: { series: 'metric:sessions', by: 'dimension' } })
  await d['active-users'].$get({ query: { range: '7d' } })
  await d.retention.$get({ query: { cohort: 'week' } })
  await d['feature-usage'].$get({ query: { range: '7d' } })
  await d.events.$get({ query: { name: 'signup' } })
  await d.events[':id'].$get({ param: { id: 'evt_1' } })
  assert.deepEqual(calls.map((c) => c.path), [
    '/dashboard/tiles?series=metric%3Asessions&range=28d',
    '/dashboard/series?series=events&granularity=week&format=csv',
    '/dashboard/breakdown?series=metric%3Asessions&by=dimension',
    '/dashboard/active-users?range=7d',
    '/dashboard/retention?cohort=week',
    '/dashboard/feature-usage?range=7d',
    '/dashboard/events?name=signup',
    '/dashboard/events/evt_1',
  ])
})

Deno.test('dashboard client: a wrong call does not compile', () => {
  const { client } = recordingClient<AppType>()
  // Never called: only its type matters.
  const wrong = () =>
    // @ts-expect-error granularity is one of hour, day, week, month
    client.dashboard.series.$get({ query: { series: 'events', granularity: 'fortnight' } })
  assert.equal(typeof wrong, 'function')
})
