/**
 * The metrics function's typed client: `hc<AppType>` builds calls from the real routes, so
 * a renamed path or body field fails `deno check` here. One call per endpoint group runs
 * against the stack, which proves the typed paths are the served ones.
 */
import assert from 'node:assert/strict'
import { hc } from 'hono/client'
import type { AppType } from '../../supabase/functions/metrics/app.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { stack, test } from '../_helpers/stack.ts'

const clientFor = (token: string) =>
  hc<AppType>(`${stack.apiUrl}/functions/v1`, { headers: { authorization: `Bearer ${token}` } })

test('the typed client writes and lists metrics', async () => {
  const owner = await newOrgOwner({ label: 'typed-metrics' })
  const client = clientFor(owner.token)

  const written = await client.metrics.$post({
    json: { rows: [{ metric_date: '2026-01-01', metric_name: 'typed', value: 1 }] },
  })
  assert.equal(written.status, 200)
  if (written.status === 200) assert.deepEqual(await written.json(), { written: 1 })

  const listed = await client.metrics.$get()
  if (listed.status === 200) {
    assert.deepEqual((await listed.json()).metrics.map((m) => m.metric_name), ['typed'])
  } else assert.fail(`GET /metrics answered ${listed.status}`)
})

test('a wrong call does not compile', () => {
  const client = clientFor('unused')
  // Never called: only the types matter here.
  const _wrong = () => {
    const row = { metric_date: '2026-01-01', metric_name: 'x', value: '1' }
    // @ts-expect-error: a metric row's value is a number.
    client.metrics.$post({ json: { rows: [row] } })
  }
  assert.equal(typeof _wrong, 'function')
})
