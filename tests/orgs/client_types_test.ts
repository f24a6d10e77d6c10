/**
 * The orgs AppType gives a typed client: one call per endpoint group must compile against
 * the real routes (`deno check` fails otherwise), and a wrong call must not. The calls go
 * to a stub fetch that records each request, so no stack is needed.
 */
import assert from 'node:assert/strict'
import type { AppType } from '../../supabase/functions/orgs/app.ts'
import { recordingClient } from '../_helpers/typed_client.ts'

const ORG = '00000000-0000-4000-8000-000000000001'
const USER = '00000000-0000-4000-8000-000000000002'

Deno.test('orgs client: one typed call per endpoint group', async () => {
  const { client, calls } = recordingClient<AppType>()
  const orgs = client.orgs
  await orgs.$post({ json: { name: 'Acme', timezone: 'Europe/Paris' } })
  await orgs[':id'].$patch({ param: { id: ORG }, json: { slug: 'acme' } })
  await orgs[':id'].members[':userId'].$patch({
    param: { id: ORG, userId: USER },
    json: { role: 'admin' },
  })
  await orgs[':id'].leave.$post({ param: { id: ORG } })
  await orgs[':id'].invitations.$post({ param: { id: ORG }, json: { email: 'ada@example.com' } })
  await orgs.invitations.accept.$post({ json: { token: 'secret' } })
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [
    'POST /orgs',
    `PATCH /orgs/${ORG}`,
    `PATCH /orgs/${ORG}/members/${USER}`,
    `POST /orgs/${ORG}/leave`,
    `POST /orgs/${ORG}/invitations`,
    'POST /orgs/invitations/accept',
  ])
})

Deno.test('orgs client: a wrong call does not compile', () => {
  const { client } = recordingClient<AppType>()
  // Never called: only its type matters.
  const wrong = () =>
    client.orgs[':id'].invitations.$post({
      param: { id: ORG },
      // @ts-expect-error owners are made by promoting a member, never invited
      json: { email: 'ada@example.com', role: 'owner' },
    })
  assert.equal(typeof wrong, 'function')
})
