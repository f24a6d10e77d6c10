/**
 * The local gateway holds functions to what the edge runtime enforces: a body cap (413
 * before the body is read), a wall-clock limit per request (546 WORKER_LIMIT, as the
 * runtime answers), and a memory report with a warning past a hosted isolate's 256 MB.
 * In-process around functions made here, then end to end through the running stack.
 */
import assert from 'node:assert/strict'
import { createGateway, type GatewayOptions } from '../../local/gateway/gateway.ts'
import type { Handler } from '../../local/gateway/functions.ts'
import { stack, test } from '../_helpers/stack.ts'

type Warning = { msg: string; fields: Record<string, unknown> }

/** A gateway around test functions: `echo` reads its body, `slow` answers after `ms`. */
function testGateway(options: Partial<GatewayOptions> = {}) {
  const warnings: Warning[] = []
  const seen: { aborted?: boolean; called: number } = { called: 0 }
  const echo: Handler = async (req) => {
    seen.called++
    return Response.json({ bytes: (await req.arrayBuffer()).byteLength })
  }
  const slow: Handler = async (req) => {
    seen.called++
    const ms = Number(new URL(req.url).searchParams.get('ms'))
    await new Promise((resolve) => setTimeout(resolve, ms))
    seen.aborted = req.signal.aborted
    return Response.json({ slept: ms })
  }
  const gateway = createGateway({
    functions: new Map([['echo', echo], ['slow', slow]]),
    auth: { fetch: () => Response.json({ auth: true }) },
    maxBodyBytes: 1024,
    wallClockMs: 100,
    memoryLimitMb: 4096,
    warn: (msg, fields) => warnings.push({ msg, fields }),
    ...options,
  })
  const call = (path: string, init?: RequestInit) =>
    Promise.resolve(gateway(new Request(`http://gateway.test${path}`, init)))
  return { call, warnings, seen }
}

function chunked(bytes: number, chunkBytes = 256): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close()
      const n = Math.min(chunkBytes, bytes - sent)
      sent += n
      controller.enqueue(new Uint8Array(n))
    },
  })
}

const streamed = (body: ReadableStream<Uint8Array>): RequestInit => // @ts-ignore: a streamed request body needs duplex; the lib types lack it.
({ method: 'POST', body, duplex: 'half' })

test('gateway limits: a body within the cap reaches the function', async () => {
  const { call } = testGateway()
  const res = await call('/functions/v1/echo', { method: 'POST', body: 'x'.repeat(1024) })
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { bytes: 1024 })
})

test('gateway limits: an announced body over the cap is a 413 and the function never runs', async () => {
  const { call, seen } = testGateway()
  const res = await call('/functions/v1/echo', {
    method: 'POST',
    headers: { 'content-length': '1025' },
    body: 'x'.repeat(1025),
  })
  assert.equal(res.status, 413)
  const body = await res.json()
  assert.equal(body.error.code, 'payload_too_large')
  assert.equal(body.error.details.max_bytes, 1024)
  assert.equal(seen.called, 0)
})

test('gateway limits: a chunked body over the cap is a 413 however the function reads it', async () => {
  const { call } = testGateway()
  const over = await call('/functions/v1/echo', streamed(chunked(4096)))
  assert.equal(over.status, 413)
  assert.equal((await over.json()).error.code, 'payload_too_large')
  const within = await call('/functions/v1/echo', streamed(chunked(1000)))
  assert.equal(within.status, 200)
  assert.deepEqual(await within.json(), { bytes: 1000 })
})

test('gateway limits: the auth server is behind the same cap', async () => {
  const { call } = testGateway()
  const res = await call('/auth/v1/signup', {
    method: 'POST',
    headers: { 'content-length': '5000' },
    body: 'x'.repeat(5000),
  })
  assert.equal(res.status, 413)
  await res.body?.cancel()
})

test('gateway limits: a request past the wall clock is answered 546 WORKER_LIMIT', async () => {
  const { call, warnings, seen } = testGateway({ wallClockMs: 50 })
  const started = performance.now()
  const res = await call('/functions/v1/slow?ms=300')
  const waited = performance.now() - started
  assert.equal(res.status, 546)
  assert.deepEqual(await res.json(), {
    code: 'WORKER_LIMIT',
    message: 'Worker failed to respond due to a resource limit (please check logs)',
  })
  assert.ok(waited < 250, `answered after ${Math.round(waited)} ms, not when the function did`)
  assert.equal(warnings[0]?.msg, 'wall clock limit reached')
  assert.equal(warnings[0]?.fields.function, 'slow')
  // The function is told, through its request's signal.
  await new Promise((resolve) => setTimeout(resolve, 350))
  assert.equal(seen.aborted, true)
})

test('gateway limits: a request within the wall clock is untouched', async () => {
  const { call, warnings } = testGateway({ wallClockMs: 500 })
  const res = await call('/functions/v1/slow?ms=10')
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { slept: 10 })
  assert.deepEqual(warnings, [])
})

test('gateway limits: memory past the limit is warned about once per crossing', async () => {
  const { call, warnings } = testGateway({ memoryLimitMb: 1 })
  for (let i = 0; i < 3; i++) await (await call('/functions/v1/echo')).body?.cancel()
  const memory = warnings.filter((w) => w.msg === 'memory over the hosted limit')
  assert.equal(memory.length, 1)
  assert.equal(memory[0].fields.function, 'echo')
  assert.equal(typeof memory[0].fields.rss_mb, 'number')
})

test('gateway limits: /_internal/metric reports the memory against the limit', async () => {
  const { call } = testGateway({ memoryLimitMb: 256 })
  const report = await (await call('/_internal/metric')).json()
  for (const key of ['rss_mb', 'heap_used_mb', 'heap_total_mb', 'external_mb']) {
    assert.equal(typeof report[key], 'number', key)
    assert.ok(report[key] >= 0, key)
  }
  assert.equal(report.limit_mb, 256)
  assert.equal(report.over_limit, report.rss_mb > 256)
  if (Deno.build.os === 'linux') assert.ok(report.peak_rss_mb >= report.rss_mb - 0.1)
})

// End to end: the gateway the test stack started.

test('gateway limits (stack): a 100 MB chunked body is refused without being read', async () => {
  let pulled = 0
  const chunk = new Uint8Array(64 * 1024)
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= 100 * 1024 * 1024) return controller.close()
      pulled += chunk.byteLength
      controller.enqueue(chunk)
    },
  })
  const res = await fetch(`${stack.apiUrl}/functions/v1/orgs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    // @ts-ignore: a streamed request body needs duplex; the lib types lack it.
    duplex: 'half',
  })
  assert.equal(res.status, 413)
  assert.equal((await res.json()).error.code, 'payload_too_large')
  assert.ok(pulled < 10 * 1024 * 1024, `the client only got to send ${pulled} bytes`)
})

test('gateway limits (stack): an announced 100 MB body is refused from its Content-Length', async () => {
  const conn = await Deno.connect({
    hostname: '127.0.0.1',
    port: Number(new URL(stack.apiUrl).port),
  })
  try {
    const head = 'POST /functions/v1/metrics HTTP/1.1\r\nhost: localhost\r\n' +
      'content-type: application/json\r\ncontent-length: 104857600\r\nconnection: close\r\n\r\n'
    await conn.write(new TextEncoder().encode(head))
    const reply = new Uint8Array(4096)
    const n = await conn.read(reply)
    const text = new TextDecoder().decode(reply.subarray(0, n ?? 0))
    assert.match(text, /^HTTP\/1\.1 413/)
    assert.match(text, /payload_too_large/)
  } finally {
    conn.close()
  }
})

test('gateway limits (stack): /_internal/metric reports the gateway process', async () => {
  const res = await fetch(`${stack.apiUrl}/_internal/metric`)
  assert.equal(res.status, 200)
  const report = await res.json()
  assert.equal(report.limit_mb, 256)
  assert.ok(report.rss_mb > 0)
})
