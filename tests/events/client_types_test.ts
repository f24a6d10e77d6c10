/**
 * The events function's typed client: `hc<AppType>` builds calls from the real routes, so
 * a renamed path, param or body field fails `deno check` here. One call per endpoint group
 * runs against the stack, which proves the typed paths are the served ones.
 */
import assert from 'node:assert/strict'
import { hc } from 'hono/client'
import type { AppType } from '../../supabase/functions/events/app.ts'
import { ago } from '../_helpers/events.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { stack, test } from '../_helpers/stack.ts'

const clientFor = (token: string) =>
  hc<AppType>(`${stack.apiUrl}/functions/v1`, { headers: { authorization: `Bearer ${token}` } })

test('the typed client sends events and manages keys', async () => {
  const owner = await newOrgOwner({ label: 'typed-events' })
  const client = clientFor(owner.token)

  const sent = await client.events.$post({
    json: { events: [{ name: 'typed_client', occurred_at: ago(0), properties: { ok: true } }] },
  })
  assert.equal(sent.status, 200)
  if (sent.status === 200) assert.deepEqual(await sent.json(), { accepted: 1, duplicates: 0 })

  const created = await client.events.keys.$post({ json: { name: 'typed', scopes: ['ingest'] } })
  assert.equal(created.status, 201)
  if (created.status !== 201) return
  const { id, key } = await created.json()
  assert.match(key, /^lyt_/)

  const listed = await client.events.keys.$get()
  if (listed.status === 200) {
    assert.deepEqual((await listed.json()).keys.map((k) => k.id), [id])
  } else assert.fail(`GET /events/keys answered ${listed.status}`)

  const revoked = await client.events.keys[':id'].$delete({ param: { id } })
  assert.equal(revoked.status, 204)
})

test('a wrong call does not compile', () => {
  const client = clientFor('unused')
  // Never called: only the types matter here.
  const _wrong = () => {
    // @ts-expect-error: an event needs occurred_at.
    client.events.$post({ json: { events: [{ name: 'no time' }] } })
    // @ts-expect-error: DELETE /events/keys/{id} takes the id as a path param.
    client.events.keys[':id'].$delete({ query: { id: 'x' } })
  }
  assert.equal(typeof _wrong, 'function')
})
