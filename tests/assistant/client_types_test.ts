/**
 * The assistant's AppType gives a typed client: one call per route must compile against
 * the real routes (`deno check` fails otherwise), and a wrong call must not. The calls go
 * to a stub fetch that records each URL, so no stack is needed.
 */
import assert from 'node:assert/strict'
import type { AppType } from '../../supabase/functions/assistant/app.ts'
import { recordingClient } from '../_helpers/typed_client.ts'

const ID = '00000000-0000-4000-8000-000000000001'

Deno.test('assistant client: one typed call per route', async () => {
  const { client, calls } = recordingClient<AppType>()
  const a = client.assistant
  await a.conversations.$post({ json: { title: 'Weekly review' } })
  await a.conversations.$get({ query: { limit: '10' } })
  await a.conversations[':id'].$get({ param: { id: ID } })
  await a.conversations[':id'].$patch({ param: { id: ID }, json: { title: 'Renamed' } })
  await a.conversations[':id'].$delete({ param: { id: ID } })
  await a.conversations[':id'].messages.$post({
    param: { id: ID },
    json: { content: 'Why did sessions drop?' },
  })
  await a.settings.$get()
  await a.settings.$put({ json: { api_key: 'sk-test-1234567890', model: 'gpt-4o-mini' } })
  await a.settings.$delete()
  await a.usage.$get({ query: { from: '2026-11-01' } })
  await a.insights.$get({ query: { range: '28d' } })
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [
    'POST /assistant/conversations',
    'GET /assistant/conversations?limit=10',
    `GET /assistant/conversations/${ID}`,
    `PATCH /assistant/conversations/${ID}`,
    `DELETE /assistant/conversations/${ID}`,
    `POST /assistant/conversations/${ID}/messages`,
    'GET /assistant/settings',
    'PUT /assistant/settings',
    'DELETE /assistant/settings',
    'GET /assistant/usage?from=2026-11-01',
    'GET /assistant/insights?range=28d',
  ])
})

Deno.test('assistant client: a wrong call does not compile', () => {
  const { client } = recordingClient<AppType>()
  const wrong = () =>
    client.assistant.conversations[':id'].messages.$post({
      param: { id: ID },
      // @ts-expect-error a question is `content`, not `question`
      json: { question: 'x' },
    })
  assert.equal(typeof wrong, 'function')
})
