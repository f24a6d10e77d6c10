/**
 * Each ingestion route's largest allowed batch, in a fresh isolate of its own, stays well
 * under a hosted function's 256 MB: what the edge runtime counts (V8 heap + external) at
 * most half of it, and the process's resident peak under it. A batch limit raised past
 * what an isolate can hold fails here, before a deploy would.
 * `deno task bench:memory` prints the same figures.
 */
import assert from 'node:assert/strict'
import { ingestingUser, INGESTION_ROUTES, measureRoute } from '../bench/memory.ts'
import { stack, test } from '../_helpers/stack.ts'

const HOSTED_MB = 256
const keysFile = `${Deno.env.get('LYTICS_STATE_DIR') ?? '.local/test'}/keys.json`
const token = await ingestingUser(stack.apiUrl, stack.publishableKey)

for (const route of INGESTION_ROUTES) {
  test(`memory: POST /${route.slug}'s largest batch fits a hosted isolate`, async () => {
    const measured = await measureRoute(route, {
      url: stack.apiUrl,
      keysFile,
      dbUrl: stack.dbUrl,
      token,
      batches: 1,
    })
    assert.deepEqual(measured.statuses, [200], 'the batch is accepted')
    assert.ok(measured.bodyBytes <= route.maxBodyBytes)
    const counted = measured.after.peak_heap_external_mb
    assert.ok(counted !== null && counted < HOSTED_MB / 2, `heap + external peak ${counted} MB`)
    const rss = measured.after.peak_rss_mb ?? measured.after.rss_mb
    assert.ok(rss < HOSTED_MB, `resident peak ${rss} MB`)
  })
}
