/**
 * The sources AppType gives a typed client: one call per endpoint group must compile
 * against the real routes (`deno check` fails otherwise), and a wrong call must not. The
 * calls go to a stub fetch that records each request, so no stack is needed.
 */
import assert from 'node:assert/strict'
import { hc } from 'hono/client'
import type { AppType } from '../../supabase/functions/sources/app.ts'

const BASE = 'http://lytics.test/functions/v1'
const SOURCE = '00000000-0000-4000-8000-000000000001'

function recordingClient() {
  const requests: string[] = []
  const client = hc<AppType>(BASE, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input)
      const method = input instanceof Request ? input.method : init?.method ?? 'GET'
      requests.push(`${method} ${url.pathname.slice('/functions/v1'.length)}${url.search}`)
      return Promise.resolve(Response.json({}))
    },
  })
  return { client, requests }
}

Deno.test('sources client: one typed call per endpoint group', async () => {
  const { client, requests } = recordingClient()
  const sources = client.sources
  await sources.$get()
  await sources[':id'].$patch({ param: { id: SOURCE }, json: { lookback_days: 5 } })
  await sources[':id'].pause.$post({ param: { id: SOURCE } })
  await sources[':id'].$delete({ param: { id: SOURCE }, query: { delete_metrics: 'true' } })
  await sources.ga4.connect.$post({ json: { redirect_to: 'https://app.example.com/' } })
  await sources[':id'].property.$post({
    param: { id: SOURCE },
    json: { property_id: 'properties/1' },
  })
  await sources.instagram.connect.$post({ json: {} })
  await sources[':id'].sync.$post({ param: { id: SOURCE } })
  await sources[':id'].runs.$get({ param: { id: SOURCE }, query: { limit: '10' } })
  assert.deepEqual(requests, [
    'GET /sources',
    `PATCH /sources/${SOURCE}`,
    `POST /sources/${SOURCE}/pause`,
    `DELETE /sources/${SOURCE}?delete_metrics=true`,
    'POST /sources/ga4/connect',
    `POST /sources/${SOURCE}/property`,
    'POST /sources/instagram/connect',
    `POST /sources/${SOURCE}/sync`,
    `GET /sources/${SOURCE}/runs?limit=10`,
  ])
})

Deno.test('sources client: a wrong call does not compile', () => {
  const { client } = recordingClient()
  // Never called: only its type matters.
  const wrong = () =>
    client.sources[':id'].$patch({
      param: { id: SOURCE },
      // @ts-expect-error the provider account a source reads is not a setting
      json: { external_id: 'properties/2' },
    })
  assert.equal(typeof wrong, 'function')
})
