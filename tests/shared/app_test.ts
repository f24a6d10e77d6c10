/**
 * shared/http/app.ts in-process: the error shape, validation, 404, CORS, the OpenAPI
 * document and docs page, and what the access log writes (and never writes).
 */
import assert from 'node:assert/strict'
import { createRoute, z } from '@hono/zod-openapi'
import postgres from 'postgres'
import { createApp } from '../../shared/http/app.ts'
import { type HttpConfig, httpConfigSchema, readConfig } from '../../shared/config.ts'
import { json, jsonBody } from '../../shared/http/openapi.ts'

const ORIGINS = ['https://app.example', 'https://admin.example']

const closedDb = postgres('postgresql://postgres:postgres@127.0.0.1:1/postgres', {
  connect_timeout: 2,
  max: 1,
})

const Item = z.object({ name: z.string(), count: z.number() })

/** The demo app with its routes, under `settings` (the environment's, then these). */
function demoApp(settings: Partial<HttpConfig> = {}) {
  const app = createApp('demo', { title: 'Demo', description: 'A test app' }, {
    ALLOW_ORIGINS: ORIGINS,
    ...settings,
  })
  app.openapi(
    createRoute({
      method: 'get',
      path: '/boom',
      summary: 'Fails unexpectedly',
      responses: { 200: json(z.object({}), 'Never') },
    }),
    () => {
      throw new Error('secret internals at /srv/boom.ts')
    },
  )
  app.openapi(
    createRoute({
      method: 'post',
      path: '/items',
      summary: 'Creates an item',
      request: {
        body: jsonBody(z.strictObject({ name: z.string().min(1), count: z.number().int() })),
      },
      responses: { 201: json(Item, 'Created') },
    }),
    (c) => c.json(c.req.valid('json'), 201),
  )
  app.openapi(
    createRoute({
      method: 'get',
      path: '/items',
      summary: 'Lists items',
      request: { query: z.object({ limit: z.coerce.number().int().max(100).default(10) }) },
      responses: { 200: json(z.object({ limit: z.number() }), 'Listed') },
    }),
    (c) => c.json({ limit: c.req.valid('query').limit }, 200),
  )
  app.openapi(
    createRoute({
      method: 'get',
      path: '/db-down',
      summary: 'Needs a database that is not there',
      responses: { 200: json(z.object({}), 'Never') },
    }),
    async (c) => {
      await closedDb`select 1`
      return c.json({}, 200)
    },
  )
  app.get('/slow', async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 30))
    return c.json({ slow: true })
  })
  return app
}

const app = demoApp()

function request(path: string, init: RequestInit = {}) {
  return app.fetch(new Request(`http://local.test${path}`, init))
}

const postJson = (body: string) =>
  request('/demo/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body })

Deno.test('app: an unexpected error is a 500 with a request id and no internals', async () => {
  const res = await request('/demo/boom')
  assert.equal(res.status, 500)
  assert.match(res.headers.get('content-type') ?? '', /application\/json/)
  const text = await res.text()
  const body = JSON.parse(text)
  assert.equal(body.error.code, 'internal')
  assert.equal(typeof body.error.message, 'string')
  const id = res.headers.get('x-request-id')
  assert.ok(id, 'x-request-id header')
  assert.equal(body.error.details.request_id, id)
  assert.ok(!text.includes('secret internals'), 'the error message stays in the log')
  assert.ok(!text.includes('/srv/boom.ts') && !/\bat \S+:\d+/.test(text), 'no stack')
  assert.ok(!('stack' in body.error))
})

Deno.test('app: a zod-validated body names the failing field (400)', async () => {
  const res = await postJson(JSON.stringify({ name: '', count: 1.5 }))
  assert.equal(res.status, 400)
  const body = await res.json()
  assert.equal(body.error.code, 'invalid_request')
  assert.match(body.error.message, /body\.name/)
  assert.match(body.error.message, /body\.count/)
  assert.deepEqual(body.error.details.map((p: { path: string }) => p.path).sort(), [
    'body.count',
    'body.name',
  ])
  const ok = await postJson(JSON.stringify({ name: 'a', count: 2 }))
  assert.equal(ok.status, 201)
  assert.deepEqual(await ok.json(), { name: 'a', count: 2 })
})

Deno.test('app: an unknown body field is a 400 naming it', async () => {
  const res = await postJson(JSON.stringify({ name: 'a', count: 1, owner_id: 'x' }))
  assert.equal(res.status, 400)
  assert.match((await res.json()).error.message, /body\.owner_id/)
})

Deno.test('app: a query is coerced and validated', async () => {
  const ok = await request('/demo/items?limit=20')
  assert.equal(ok.status, 200)
  assert.deepEqual(await ok.json(), { limit: 20 })
  const bad = await request('/demo/items?limit=500')
  assert.equal(bad.status, 400)
  assert.match((await bad.json()).error.message, /query\.limit/)
})

Deno.test('app: malformed JSON is a 400 in the error shape', async () => {
  const res = await postJson('{"name": "a", ')
  assert.equal(res.status, 400)
  const body = await res.json()
  assert.equal(body.error.code, 'invalid_request')
  assert.equal(typeof body.error.message, 'string')
})

Deno.test('app: an unknown route is a JSON 404', async () => {
  for (const path of ['/demo/nope', '/demo/items/1/extra', '/elsewhere']) {
    const res = await request(path)
    assert.equal(res.status, 404, path)
    const body = await res.json()
    assert.equal(body.error.code, 'not_found')
    assert.match(body.error.message, /no route/)
  }
})

Deno.test('app: a database connection error is a 503', async () => {
  const res = await request('/demo/db-down')
  assert.equal(res.status, 503)
  const body = await res.json()
  assert.equal(body.error.code, 'unavailable')
  assert.ok(!JSON.stringify(body).includes('127.0.0.1'))
})

Deno.test('app: CORS preflight answers the configured origins only', async () => {
  const preflight = (origin: string) =>
    request('/demo/items', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
  const allowed = await preflight('https://admin.example')
  assert.equal(allowed.status, 204)
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://admin.example')
  const headers = allowed.headers.get('access-control-allow-headers') ?? ''
  for (const h of ['authorization', 'apikey', 'content-type']) assert.ok(headers.includes(h), h)
  assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/)
  assert.match(allowed.headers.get('vary') ?? '', /Origin/i)
  await allowed.body?.cancel()

  const denied = await preflight('https://evil.example')
  assert.equal(denied.headers.get('access-control-allow-origin'), null)
  await denied.body?.cancel()

  const simple = await request('/demo/items', { headers: { origin: 'https://app.example' } })
  assert.equal(simple.headers.get('access-control-allow-origin'), 'https://app.example')
  assert.match(simple.headers.get('access-control-expose-headers') ?? '', /x-request-id/)
  await simple.body?.cancel()
})

Deno.test('app: without ALLOW_ORIGINS any origin is allowed', async () => {
  const open = createApp(
    'open',
    { title: 'Open', description: 'Any origin' },
    readConfig(httpConfigSchema, {}),
  )
  const res = await open.fetch(
    new Request('http://local.test/open/anything', {
      method: 'OPTIONS',
      headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'GET' },
    }),
  )
  assert.equal(res.status, 204)
  assert.equal(res.headers.get('access-control-allow-origin'), '*')
})

Deno.test('app: /demo/openapi.json lists the routes', async () => {
  const res = await request('/demo/openapi.json')
  assert.equal(res.status, 200)
  const doc = await res.json()
  assert.equal(doc.openapi, '3.1.0')
  assert.equal(doc.info.title, 'Lytics Demo')
  assert.equal(doc.info.description, 'A test app')
  assert.deepEqual(doc.servers, [{ url: '/functions/v1', description: 'Supabase Edge Functions' }])
  assert.deepEqual(Object.keys(doc.paths).sort(), ['/demo/boom', '/demo/db-down', '/demo/items'])
  assert.ok(doc.paths['/demo/items'].get && doc.paths['/demo/items'].post)
  assert.ok(doc.paths['/demo/items'].post.responses['201'])
  assert.ok(doc.components.securitySchemes.bearerAuth)
})

Deno.test('app: a function serves no HTML docs page (hosted would send it as text/plain)', async () => {
  const res = await request('/demo/docs')
  assert.equal(res.status, 404)
  assert.equal((await res.json()).error.code, 'not_found')
})

Deno.test('app: secure headers are set', async () => {
  const res = await request('/demo/items')
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
  assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin')
  await res.body?.cancel()
})

Deno.test('app: an incoming x-request-id is kept', async () => {
  const res = await request('/demo/boom', { headers: { 'x-request-id': 'trace-123' } })
  assert.equal(res.headers.get('x-request-id'), 'trace-123')
  assert.equal((await res.json()).error.details.request_id, 'trace-123')
})

/** Runs `fn` and returns what it wrote to console.log and console.error. */
async function captureConsole(fn: () => Promise<unknown>) {
  const lines: string[] = []
  const errors: string[] = []
  const { log, error } = console
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(' '))
  console.error = (...args: unknown[]) => errors.push(args.map(String).join(' '))
  try {
    await fn()
  } finally {
    console.log = log
    console.error = error
  }
  return { lines, errors }
}

const drain = async (res: Response | Promise<Response>) => await (await res).body?.cancel()

Deno.test('app: the access log has the request id, and no token or query string', async () => {
  const verbose = demoApp({ LOG_LEVEL: 'info', ACCESS_LOG: 'all' })
  let ids: string[] = []
  const { lines, errors } = await captureConsole(async () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.secret-token-payload.signature'
    const a = await verbose.request(
      '/demo/items?limit=5&code=oauth-code-123&apikey=sb_secret_leak',
      {
        headers: { authorization: `Bearer ${token}`, apikey: 'sb_publishable_leak' },
      },
    )
    await a.body?.cancel()
    const b = await verbose.request('/demo/boom?token=query-secret')
    await b.body?.cancel()
    ids = [a.headers.get('x-request-id')!, b.headers.get('x-request-id')!]
  })
  const all = [...lines, ...errors].join('\n')
  for (
    const secret of [
      'secret-token',
      'oauth-code-123',
      'sb_secret_leak',
      'sb_publishable_leak',
      'query-secret',
    ]
  ) {
    assert.ok(!all.includes(secret), `the log leaks ${secret}: ${all}`)
  }
  assert.ok(!/authorization/i.test(all), 'no header names either')
  const access = [...lines, ...errors].map((l) => JSON.parse(l)).filter((l) => l.msg === 'request')
  assert.equal(access.length, 2)
  assert.deepEqual(access.map((l) => l.request_id), ids)
  assert.deepEqual(access.map((l) => l.path), ['/demo/items', '/demo/boom'])
  assert.deepEqual(access.map((l) => l.status), [200, 500])
  assert.equal(access[0].method, 'GET')
  assert.equal(typeof access[0].ms, 'number')
  // The unexpected error is logged with its request id, for the 500's details to point at.
  const failure = errors.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error')
  assert.equal(failure?.request_id, ids[1])
  assert.equal(failure?.message, 'secret internals at /srv/boom.ts')
})

Deno.test('app: ACCESS_LOG=errors (the default) writes only server errors and slow requests', async () => {
  const quiet = demoApp({ LOG_LEVEL: 'info', ACCESS_LOG: 'errors', LOG_SLOW_MS: 20 })
  const { lines, errors } = await captureConsole(async () => {
    await drain(quiet.request('/demo/items'))
    await drain(quiet.request('/demo/nope'))
    await drain(quiet.request('/demo/boom'))
    await drain(quiet.request('/demo/slow'))
  })
  assert.deepEqual(lines, [], 'nothing at info level')
  const written = errors.map((l) => JSON.parse(l))
  const access = written.filter((l) => l.msg === 'request' || l.msg === 'slow request')
  assert.deepEqual(access.map((l) => [l.msg, l.level, l.path, l.status]), [
    ['request', 'error', '/demo/boom', 500],
    ['slow request', 'warn', '/demo/slow', 200],
  ])
  assert.ok(access[1].ms >= 20)
  assert.equal(readConfig(httpConfigSchema, {}).ACCESS_LOG, 'errors', 'the default is quiet')
})

Deno.test('app: ACCESS_LOG=off writes no access line; an unexpected error is still logged', async () => {
  const off = demoApp({ LOG_LEVEL: 'info', ACCESS_LOG: 'off', LOG_SLOW_MS: 0 })
  const { lines, errors } = await captureConsole(async () => {
    await drain(off.request('/demo/items'))
    await drain(off.request('/demo/boom'))
  })
  assert.deepEqual(lines, [])
  assert.deepEqual(errors.map((l) => JSON.parse(l).msg), ['unhandled error'])
})

Deno.test('app: LOG_LEVEL=silent writes nothing', async () => {
  const silent = demoApp({ LOG_LEVEL: 'silent', ACCESS_LOG: 'all', LOG_SLOW_MS: 0 })
  const { lines, errors } = await captureConsole(async () => {
    await drain(silent.request('/demo/items'))
    await drain(silent.request('/demo/boom'))
  })
  assert.deepEqual([...lines, ...errors], [])
})

Deno.test('app: the HTTP settings are read from the environment and validated', () => {
  const parsed = readConfig(httpConfigSchema, {
    ALLOW_ORIGINS: ' https://a.example , https://b.example',
    LOG_LEVEL: 'warn',
    ACCESS_LOG: 'all',
    LOG_SLOW_MS: '250',
  })
  assert.deepEqual(parsed, {
    ALLOW_ORIGINS: ['https://a.example', 'https://b.example'],
    LOG_LEVEL: 'warn',
    ACCESS_LOG: 'all',
    LOG_SLOW_MS: 250,
  })
  // A typo falls back to the default rather than keeping the function from booting.
  const typo = readConfig(httpConfigSchema, {
    LOG_LEVEL: 'shout',
    ACCESS_LOG: 'some',
    LOG_SLOW_MS: '-1',
  })
  assert.deepEqual([typo.LOG_LEVEL, typo.ACCESS_LOG, typo.LOG_SLOW_MS], ['info', 'errors', 1000])
})

Deno.test('app: close the unreachable client', async () => {
  await closedDb.end({ timeout: 1 })
})
