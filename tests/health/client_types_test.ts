/**
 * The health AppType gives a typed client: each probe must compile against the real routes
 * (`deno check` fails otherwise), a wrong call must not, and the 503 of /ready is typed
 * too. The calls go to a stub fetch that records each request, so no stack is needed.
 */
import assert from 'node:assert/strict'
import type { AppType } from '../../supabase/functions/health/app.ts'
import { recordingClient } from '../_helpers/typed_client.ts'

Deno.test('health client: both probes are typed calls', async () => {
  const { client, calls } = recordingClient<AppType>()
  await client.health.live.$get()
  const ready = await client.health.ready.$get()
  if (ready.status === 503) {
    // Only the declared statuses narrow: the not-ready body names missing settings.
    const body: { missing_config: string[] } = await ready.json()
    assert.ok(body)
  }
  assert.deepEqual(calls.map((c) => c.path), ['/health/live', '/health/ready'])
})

Deno.test('health client: a wrong call does not compile', () => {
  const { client } = recordingClient<AppType>()
  // Never called: only its type matters.
  // @ts-expect-error health has no /dead probe
  const wrong = () => client.health.dead.$get()
  assert.equal(typeof wrong, 'function')
})
