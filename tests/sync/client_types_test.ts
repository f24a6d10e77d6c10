/**
 * The sync AppType gives a typed client: its one call must compile against the real route
 * (`deno check` fails otherwise), and a wrong call must not. The call goes to a stub fetch
 * that records it, so no stack is needed.
 */
import assert from 'node:assert/strict'
import { hc } from 'hono/client'
import type { AppType } from '../../supabase/functions/sync/app.ts'

const BASE = 'http://lytics.test/functions/v1'

function recordingClient() {
  const requests: string[] = []
  const client = hc<AppType>(BASE, {
    headers: { authorization: 'Bearer sb_secret_example' },
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input)
      const method = input instanceof Request ? input.method : init?.method ?? 'GET'
      requests.push(`${method} ${url.pathname.slice('/functions/v1'.length)}`)
      return Promise.resolve(Response.json({
        claimed: 0,
        succeeded: 0,
        retrying: 0,
        failed: 0,
        needs_reauth: 0,
        left: 0,
        stopped: 'idle',
      }))
    },
  })
  return { client, requests }
}

Deno.test('sync client: the run call is typed, summary included', async () => {
  const { client, requests } = recordingClient()
  const res = await client.sync.run.$post()
  if (res.status === 200) {
    const summary = await res.json()
    const left: number = summary.left
    assert.equal(left, 0)
  }
  assert.deepEqual(requests, ['POST /sync/run'])
})

Deno.test('sync client: a wrong call does not compile', () => {
  const { client } = recordingClient()
  // Never called: only its type matters.
  const wrong = () =>
    // @ts-expect-error the worker is woken with POST only
    client.sync.run.$get()
  assert.equal(typeof wrong, 'function')
})
