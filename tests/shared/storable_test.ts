/**
 * shared/http/storable.ts and the validation hook: text Postgres cannot store is found in
 * any string or key, however deep, and named by its path.
 */
import assert from 'node:assert/strict'
import { z } from 'zod'
import { unstorableReason, unstorableText } from '../../shared/http/storable.ts'
import { validationFailed } from '../../shared/http/validation.ts'

const keysOf = (value: unknown) => unstorableText(value).map((p) => p.keys)

Deno.test('unstorableReason: NUL and unpaired surrogates, not paired ones', () => {
  assert.match(unstorableReason('a\u0000b') ?? '', /NUL/)
  assert.match(unstorableReason('\ud800') ?? '', /surrogate/)
  assert.match(unstorableReason('x\udfff') ?? '', /surrogate/)
  for (const fine of ['', 'plain', '😀 emoji', 'é\u00a0ü', '\\u0000 spelled out', '\ufffd']) {
    assert.equal(unstorableReason(fine), undefined, fine)
  }
})

Deno.test('unstorableText: each bad string is named by the keys leading to it', () => {
  assert.deepEqual(keysOf({ name: 'ok', tags: ['fine', 'a\u0000'], deep: { x: '\ud83d' } }), [
    ['tags', 1],
    ['deep', 'x'],
  ])
  assert.deepEqual(keysOf('a\u0000'), [[]], 'a bad root string')
  assert.deepEqual(keysOf({ a: 1, b: true, c: null, d: 1e308, e: '😀' }), [])
})

Deno.test('unstorableText: a bad key is reported at its object', () => {
  const [problem] = unstorableText({ properties: { 'pl\u0000an': 'pro' } })
  assert.deepEqual(problem.keys, ['properties'])
  assert.match(problem.message, /^a key must not contain NUL/)
})

Deno.test('unstorableText: JSON nested 100,000 deep is walked, its path cut short', () => {
  let deep: unknown = 'a\u0000'
  for (let i = 0; i < 100_000; i++) deep = [deep]
  const [problem] = unstorableText({ properties: { x: deep } })
  assert.equal(problem.keys.length, 17)
  assert.equal(problem.keys.at(-1), '…')
  let fine: unknown = 'ok'
  for (let i = 0; i < 100_000; i++) fine = { a: fine }
  assert.deepEqual(unstorableText(fine), [])
})

Deno.test('unstorableText: at most 20 problems, however many the body holds', () => {
  assert.equal(unstorableText(Array.from({ length: 10_000 }, () => '\u0000')).length, 20)
})

Deno.test('unstorableText: only plain objects and arrays are walked', () => {
  assert.deepEqual(keysOf({ at: new Date(0), map: new Map([['k', '\u0000']]) }), [])
})

// A minimal Hono context: the hook only calls c.json.
const context = {
  json: (body: unknown, status: number) => ({ body, status }),
} as unknown as Parameters<typeof validationFailed>[1]

Deno.test('validationFailed: a valid value holding NUL is a 400 naming the field', () => {
  const result = z.object({ name: z.string() }).safeParse({ name: 'a\u0000' })
  const reply = validationFailed({ ...result, target: 'json' }, context) as unknown as {
    status: number
    body: { error: { message: string } }
  }
  assert.equal(reply.status, 400)
  assert.equal(
    reply.body.error.message,
    'body.name: must not contain NUL (U+0000), which cannot be stored',
  )
})

Deno.test('validationFailed: on a failure the input is walked too, beside zod issues', () => {
  const input = { name: 'a\u0000', n: 'x' }
  const result = z.object({ name: z.string(), n: z.number() }).safeParse(input)
  const reply = validationFailed(
    { ...result, data: input, target: 'query' },
    context,
  ) as unknown as {
    body: { error: { details: { path: string }[] } }
  }
  assert.deepEqual(reply.body.error.details.map((p) => p.path), ['query.n', 'query.name'])
})

Deno.test('validationFailed: valid, storable input passes through', () => {
  const result = z.object({ name: z.string() }).safeParse({ name: 'fine 😀' })
  assert.equal(validationFailed({ ...result, target: 'json' }, context), undefined)
})
