/**
 * The sources AppType gives a typed client: one call per endpoint group must compile
 * against the real routes (`deno check` fails otherwise), and a wrong call must not. The
 * calls go to a stub fetch that records each request, so no stack is needed.
 */
import assert from 'node:assert/strict'
import type { AppType } from '../../supabase/functions/sources/app.ts'
import { recordingClient } from '../_helpers/typed_client.ts'

const SOURCE = '00000000-0000-4000-8000-000000000001'

Deno.test('sources client: one typed call per endpoint group', async () => {
  const { client, calls } = recordingClient<AppType>()
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
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [
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
  const { client } = recordingClient<AppType>()
  // Never called: only its type matters.
  const wrong = () =>
    client.sources[':id'].$patch({
      param: { id: SOURCE },
      // @ts-expect-error the provider account a source reads is not a setting
      json: { external_id: 'properties/2' },
    })
  assert.equal(typeof wrong, 'function')
})
