/**
 * The sync AppType gives a typed client: its one call must compile against the real route
 * (`deno check` fails otherwise), and a wrong call must not. The call goes to a stub fetch
 * that records it, so no stack is needed.
 */
import assert from 'node:assert/strict'
import type { AppType } from '../../supabase/functions/sync/app.ts'
import { recordingClient } from '../_helpers/typed_client.ts'

/** What the stub answers POST /sync/run with: an idle wake-up. */
const IDLE = {
  claimed: 0,
  succeeded: 0,
  retrying: 0,
  failed: 0,
  needs_reauth: 0,
  left: 0,
  stopped: 'idle',
}

Deno.test('sync client: the run call is typed, summary included', async () => {
  const { client, calls } = recordingClient<AppType>({ answer: IDLE })
  const res = await client.sync.run.$post()
  if (res.status === 200) {
    const summary = await res.json()
    const left: number = summary.left
    assert.equal(left, 0)
  }
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), ['POST /sync/run'])
})

Deno.test('sync client: a wrong call does not compile', () => {
  const { client } = recordingClient<AppType>()
  // Never called: only its type matters.
  const wrong = () =>
    // @ts-expect-error the worker is woken with POST only
    client.sync.run.$get()
  assert.equal(typeof wrong, 'function')
})
