/**
 * The fast path of POST /events validation (supabase/functions/events/ingest/fast-batch.ts)
 * never accepts what zod would refuse or change: for every batch it accepts, the plain
 * EventBatchSchema accepts it too and outputs it unchanged. And it does accept the common
 * shape, or it would be no fast path.
 */
import assert from 'node:assert/strict'
import {
  EventBatch,
  EventBatchSchema,
  MAX_EVENTS,
} from '../../supabase/functions/events/ingest/routes.ts'

const fastAccepts = (value: unknown) => {
  // A fast-path success returns the very object it was given; zod returns a copy.
  const result = EventBatch.safeParse(value)
  return result.success && result.data === value
}

const DAY = 86_400_000
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString()

function plainEvent(i: number): Record<string, unknown> {
  return {
    id: `evt-${i}`,
    name: 'page_view',
    occurred_at: iso(i * 1000),
    actor_id: `u_${i % 7}`,
    session_id: `s_${i % 3}`,
    properties: { plan: 'pro', path: `/p/${i}`, n: i, nested: { a: [1, 'x', null] } },
  }
}

/** Variants of one event: some valid, some not, some valid only to zod. */
const variants: [string, (e: Record<string, unknown>) => unknown][] = [
  ['as is', (e) => e],
  ['no id', ({ id: _, ...e }) => e],
  ['null actor and session', (e) => ({ ...e, actor_id: null, session_id: null })],
  ['no properties', ({ properties: _, ...e }) => e],
  ['empty properties', (e) => ({ ...e, properties: {} })],
  ['offset timestamp', (e) => ({ ...e, occurred_at: iso(1000).replace('Z', '+00:00') })],
  ['+02:00 timestamp', (e) => ({ ...e, occurred_at: '2026-06-01T12:00:00+02:00' })],
  ['no seconds', (e) => ({ ...e, occurred_at: iso(1000).slice(0, 16) + 'Z' })],
  ['microseconds', (e) => ({ ...e, occurred_at: iso(1000).replace('Z', '123Z') })],
  ['February 30', (e) => ({ ...e, occurred_at: `${new Date().getUTCFullYear()}-02-30T00:00:00Z` })],
  ['April 31', (e) => ({ ...e, occurred_at: `${new Date().getUTCFullYear()}-04-31T00:00:00Z` })],
  ['date only', (e) => ({ ...e, occurred_at: iso(1000).slice(0, 10) })],
  ['hour 24', (e) => ({ ...e, occurred_at: iso(1000).slice(0, 11) + '24:00:00Z' })],
  ['399 days old', (e) => ({ ...e, occurred_at: iso(399 * DAY) })],
  ['400 days old, almost', (e) => ({ ...e, occurred_at: iso(400 * DAY - 1000) })],
  ['401 days old', (e) => ({ ...e, occurred_at: iso(401 * DAY) })],
  ['4 minutes ahead', (e) => ({ ...e, occurred_at: iso(-4 * 60_000) })],
  ['5 minutes ahead, almost', (e) => ({ ...e, occurred_at: iso(-5 * 60_000 + 1000) })],
  ['6 minutes ahead', (e) => ({ ...e, occurred_at: iso(-6 * 60_000) })],
  ['numeric timestamp', (e) => ({ ...e, occurred_at: Date.now() })],
  ['empty name', (e) => ({ ...e, name: '' })],
  ['name of 200', (e) => ({ ...e, name: 'n'.repeat(200) })],
  ['name of 201', (e) => ({ ...e, name: 'n'.repeat(201) })],
  ['id of 128', (e) => ({ ...e, id: 'i'.repeat(128) })],
  ['id of 129', (e) => ({ ...e, id: 'i'.repeat(129) })],
  ['null id', (e) => ({ ...e, id: null })],
  ['numeric id', (e) => ({ ...e, id: 7 })],
  ['empty actor', (e) => ({ ...e, actor_id: '' })],
  ['actor of 201', (e) => ({ ...e, actor_id: 'a'.repeat(201) })],
  ['numeric session', (e) => ({ ...e, session_id: 3 })],
  ['unknown field', (e) => ({ ...e, colour: 'red' })],
  [
    '__proto__ field',
    (e) => JSON.parse(JSON.stringify({ ...e, zz: 1 }).replace('"zz"', '"__proto__"')),
  ],
  ['array properties', (e) => ({ ...e, properties: ['a'] })],
  ['null properties', (e) => ({ ...e, properties: null })],
  ['string properties', (e) => ({ ...e, properties: 'x' })],
  ['properties of 8 KB', (e) => ({ ...e, properties: { k: 'x'.repeat(8192 - 8) } })],
  ['properties over 8 KB', (e) => ({ ...e, properties: { k: 'x'.repeat(8192) } })],
  ['not an object', () => 'event'],
  ['null event', () => null],
  ['array event', (e) => [e]],
]

Deno.test('fast path: everything it accepts, zod accepts unchanged', () => {
  let accepted = 0
  for (const [label, vary] of variants) {
    for (
      const batch of [
        { events: [vary(plainEvent(1))] },
        { events: [plainEvent(1), vary(plainEvent(2)), plainEvent(3)] },
      ]
    ) {
      // Through JSON, as a request body arrives.
      const body = JSON.parse(JSON.stringify(batch))
      if (!fastAccepts(body)) continue
      accepted++
      const zod = EventBatchSchema.safeParse(JSON.parse(JSON.stringify(batch)))
      assert.ok(zod.success, `${label}: the fast path accepted what zod refuses`)
      assert.deepEqual(zod.data, body, `${label}: zod would have changed the batch`)
    }
  }
  assert.ok(accepted >= 20, `the fast path accepted only ${accepted} batches`)
})

Deno.test('fast path: the common shape takes it, the unusual goes to zod', () => {
  const common = { events: Array.from({ length: MAX_EVENTS }, (_, i) => plainEvent(i)) }
  assert.ok(fastAccepts(JSON.parse(JSON.stringify(common))))
  for (
    const unusual of [
      'offset timestamp',
      'February 30',
      '401 days old',
      '6 minutes ahead',
      'unknown field',
      '__proto__ field',
      'properties over 8 KB',
      'id of 129',
    ]
  ) {
    const vary = variants.find(([label]) => label === unusual)![1]
    const body = JSON.parse(JSON.stringify({ events: [vary(plainEvent(1))] }))
    assert.ok(!fastAccepts(body), `${unusual}: should have gone to zod`)
  }
})

Deno.test('fast path: batch bounds and shape go to zod', () => {
  const over = { events: Array.from({ length: MAX_EVENTS + 1 }, (_, i) => plainEvent(i)) }
  for (
    const body of [{ events: [] }, over, { events: [plainEvent(1)], extra: 1 }, [], null, 'x']
  ) {
    assert.ok(!fastAccepts(body))
    assert.ok(!EventBatchSchema.safeParse(body).success)
  }
})
