/**
 * The account AppType gives a typed client: one call per endpoint group must compile
 * against the real routes (`deno check` fails otherwise), and a wrong call must not. The
 * calls go to a stub fetch that records each request, so no stack is needed.
 */
import assert from 'node:assert/strict'
import type { AppType } from '../../supabase/functions/account/app.ts'
import { recordingClient } from '../_helpers/typed_client.ts'

Deno.test('account client: one typed call per endpoint group', async () => {
  const { client, calls } = recordingClient<AppType>()
  await client.account.me.$get()
  await client.account.me.$patch({ json: { display_name: 'Ada', default_organization_id: null } })
  await client.account.session.$get()
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [
    'GET /account/me',
    'PATCH /account/me',
    'GET /account/session',
  ])
})

Deno.test('account client: a wrong call does not compile', () => {
  const { client } = recordingClient<AppType>()
  // Never called: only its type matters.
  const wrong = () =>
    // @ts-expect-error the session is read from the token; it cannot be patched
    client.account.session.$patch({ json: { expires_in: 3600 } })
  assert.equal(typeof wrong, 'function')
})
