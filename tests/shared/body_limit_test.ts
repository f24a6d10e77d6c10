/**
 * shared/http/body-limit.ts in-process: every app refuses a body over the default with 413
 * in the error shape, before reading it (a chunked body stops being read at the limit),
 * and a route that declares its own limit gets that one instead.
 */
import assert from 'node:assert/strict'
import { createApp } from '../../shared/http/app.ts'
import { DEFAULT_MAX_BODY_BYTES, formatBytes, limitBody } from '../../shared/http/body-limit.ts'
import { app as eventsApp } from '../../supabase/functions/events/app.ts'
import { app as metricsApp } from '../../supabase/functions/metrics/app.ts'
import { app as orgsApp } from '../../supabase/functions/orgs/app.ts'

const MiB = 1024 * 1024

const app = createApp('demo', { title: 'Demo', description: 'Body limits' }, {
  ALLOW_ORIGINS: ['https://app.example'],
  LOG_LEVEL: 'silent',
})
app.post('/small', async (c) => c.json({ bytes: (await c.req.text()).length }))
app.use('/batch', limitBody(1 * MiB))
app.post('/batch', async (c) => c.json({ bytes: (await c.req.text()).length }))

/** A body of `bytes` bytes that announces its length. */
const sized = (bytes: number) => 'x'.repeat(bytes)

/**
 * An endless chunked body (no Content-Length) that counts what was pulled from it, so a
 * test can tell the server stopped reading.
 */
function endlessBody(chunkBytes = 16 * 1024) {
  const chunk = new Uint8Array(chunkBytes).fill(120)
  const counter = { pulled: 0 }
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      counter.pulled += chunk.byteLength
      controller.enqueue(chunk)
    },
  })
  return { stream, counter }
}

async function post(target: { request: typeof app.request }, path: string, body: BodyInit) {
  const res = await target.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://app.example' },
    body,
    // @ts-ignore: a streamed request body needs duplex; the lib types lack it.
    duplex: 'half',
  })
  const text = await res.text()
  return { res, text, body: text ? JSON.parse(text) : undefined }
}

Deno.test('body limit: the default is 64 KiB and is said that way', () => {
  assert.equal(DEFAULT_MAX_BODY_BYTES, 64 * 1024)
  assert.equal(formatBytes(DEFAULT_MAX_BODY_BYTES), '64 KiB')
  assert.equal(formatBytes(6 * MiB), '6 MiB')
  assert.equal(formatBytes(2.5 * MiB), '2.5 MiB')
})

Deno.test('body limit: a body within the default passes', async () => {
  const { res, body } = await post(app, '/demo/small', sized(DEFAULT_MAX_BODY_BYTES))
  assert.equal(res.status, 200)
  assert.equal(body.bytes, DEFAULT_MAX_BODY_BYTES)
})

Deno.test('body limit: one byte over the default is a 413 in the error shape, with CORS', async () => {
  const { res, body } = await post(app, '/demo/small', sized(DEFAULT_MAX_BODY_BYTES + 1))
  assert.equal(res.status, 413)
  assert.equal(body.error.code, 'payload_too_large')
  assert.equal(body.error.message, 'the body is larger than 64 KiB')
  assert.equal(body.error.details.max_bytes, DEFAULT_MAX_BODY_BYTES)
  assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example')
  assert.ok(res.headers.get('x-request-id'))
})

Deno.test('body limit: a chunked body is refused once it passes the limit, not read whole', async () => {
  const { stream, counter } = endlessBody()
  const { res, body } = await post(app, '/demo/small', stream)
  assert.equal(res.status, 413)
  assert.equal(body.error.code, 'payload_too_large')
  assert.ok(counter.pulled <= DEFAULT_MAX_BODY_BYTES + 64 * 1024, `pulled ${counter.pulled}`)
})

Deno.test('body limit: a route declaring its own limit gets it instead of the default', async () => {
  const within = await post(app, '/demo/batch', sized(200 * 1024))
  assert.equal(within.res.status, 200)
  assert.equal(within.body.bytes, 200 * 1024)
  const over = await post(app, '/demo/batch', sized(MiB + 1))
  assert.equal(over.res.status, 413)
  assert.equal(over.body.error.message, 'the body is larger than 1 MiB')
  const { stream, counter } = endlessBody()
  const chunked = await post(app, '/demo/batch', stream)
  assert.equal(chunked.res.status, 413)
  assert.ok(counter.pulled <= MiB + 64 * 1024, `pulled ${counter.pulled}`)
})

Deno.test('body limit: every function route takes the default unless it is a batch', async () => {
  // Refused before authentication: no token and no database are needed to see the 413.
  const over = sized(DEFAULT_MAX_BODY_BYTES + 1)
  for (const [target, path] of [[orgsApp, '/orgs'], [eventsApp, '/events/keys']] as const) {
    const { res, body } = await post(target, path, over)
    assert.equal(res.status, 413, path)
    assert.equal(body.error.code, 'payload_too_large', path)
  }
  // The batch routes accept more than the default (then stop at the token check).
  for (const [target, path] of [[eventsApp, '/events'], [metricsApp, '/metrics']] as const) {
    const { res } = await post(target, path, over)
    assert.equal(res.status, 401, path)
  }
  // ...and refuse more than their own limit.
  for (const [target, path] of [[eventsApp, '/events'], [metricsApp, '/metrics']] as const) {
    const { res, body } = await post(target, path, sized(32 * MiB))
    assert.equal(res.status, 413, path)
    assert.equal(body.error.code, 'payload_too_large', path)
  }
})
