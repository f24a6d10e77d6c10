/**
 * The account AppType gives a typed client: one call per endpoint group must compile
 * against the real routes (`deno check` fails otherwise), and a wrong call must not. The
 * calls go to a stub fetch that records each request, so no stack is needed.
 */
import assert from 'node:assert/strict'
import { hc } from 'hono/client'
import type { AppType } from '../../supabase/functions/account/app.ts'

const BASE = 'http://lytics.test/functions/v1'

/** A client whose requests are recorded (method and path) and answered with `{}`. */
function recordingClient() {
  const requests: string[] = []
  const client = hc<AppType>(BASE, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input)
      const method = input instanceof Request ? input.method : init?.method ?? 'GET'
      requests.push(`${method} ${url.pathname.slice('/functions/v1'.length)}`)
      return Promise.resolve(Response.json({}))
    },
  })
  return { client, requests }
}

Deno.test('account client: one typed call per endpoint group', async () => {
  const { client, requests } = recordingClient()
  await client.account.me.$get()
  await client.account.me.$patch({ json: { display_name: 'Ada', default_organization_id: null } })
  await client.account.session.$get()
  assert.deepEqual(requests, ['GET /account/me', 'PATCH /account/me', 'GET /account/session'])
})

Deno.test('account client: a wrong call does not compile', () => {
  const { client } = recordingClient()
  // Never called: only its type matters.
  const wrong = () =>
    // @ts-expect-error the session is read from the token; it cannot be patched
    client.account.session.$patch({ json: { expires_in: 3600 } })
  assert.equal(typeof wrong, 'function')
})
