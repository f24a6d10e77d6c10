/**
 * Every function behind the gateway documents itself: /<slug>/openapi.json is a valid
 * OpenAPI 3.1 document in which every operation has a response, and the gateway serves
 * Swagger UI for it from the pinned npm package. Plus the gateway's own 404 and CORS
 * preflight of every header supabase-js may send, on every function.
 */
import assert from 'node:assert/strict'
import { call, stack, test } from '../_helpers/stack.ts'

const SLUG = /^[A-Za-z][A-Za-z0-9_-]*$/
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** The deployable functions: as the gateway and the CLI see them. */
function functionSlugs(): string[] {
  const dir = new URL('../../supabase/functions/', import.meta.url)
  return [...Deno.readDirSync(dir)]
    .filter((e) => e.isDirectory && SLUG.test(e.name))
    .filter((e) => {
      try {
        return Deno.statSync(new URL(`${e.name}/index.ts`, dir)).isFile
      } catch {
        return false
      }
    })
    .map((e) => e.name)
    .sort()
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Every problem with `doc` as an OpenAPI 3.1 document of function `slug`, as text. */
function openApiProblems(doc: unknown, slug: string): string[] {
  const problems: string[] = []
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`)
  if (!isObject(doc)) return ['the document is not an object']
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) {
    fail('openapi', 'not 3.1.x')
  }
  const info = doc.info
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string') {
    fail('info', 'needs a title and a version')
  }
  const schemes = isObject(doc.components) && isObject(doc.components.securitySchemes)
    ? doc.components.securitySchemes
    : {}
  if (!isObject(doc.paths) || Object.keys(doc.paths).length === 0) {
    fail('paths', 'no operations')
    return problems
  }
  const operationIds = new Set<string>()
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith(`/${slug}`)) fail(path, `not under /${slug}`)
    if (!isObject(item)) {
      fail(path, 'not a path item')
      continue
    }
    const ops = METHODS.filter((m) => m in item)
    if (ops.length === 0) fail(path, 'no operation')
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
    for (const method of ops) {
      const where = `${method.toUpperCase()} ${path}`
      const op = item[method]
      if (!isObject(op)) {
        fail(where, 'not an operation')
        continue
      }
      if (typeof op.operationId === 'string') {
        if (operationIds.has(op.operationId)) fail(where, `duplicate operationId ${op.operationId}`)
        operationIds.add(op.operationId)
      }
      const responses = isObject(op.responses) ? Object.entries(op.responses) : []
      if (responses.length === 0) fail(where, 'no documented response')
      for (const [status, response] of responses) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) fail(where, `bad status ${status}`)
        if (!isObject(response) || (typeof response.description !== 'string' && !response.$ref)) {
          fail(`${where} ${status}`, 'a response needs a description')
        }
      }
      const params = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(op.parameters) ? op.parameters : []),
      ].filter(isObject)
      for (const name of templated) {
        const param = params.find((p) => p.in === 'path' && p.name === name)
        if (!param) fail(where, `path parameter {${name}} is not declared`)
        else if (param.required !== true) fail(where, `path parameter {${name}} must be required`)
      }
      for (const p of params) {
        if (
          typeof p.name !== 'string' ||
          !['query', 'header', 'path', 'cookie'].includes(String(p.in))
        ) {
          fail(where, `malformed parameter ${JSON.stringify(p)}`)
        }
      }
      for (const requirement of Array.isArray(op.security) ? op.security : []) {
        for (const name of Object.keys(isObject(requirement) ? requirement : {})) {
          if (!(name in schemes)) fail(where, `unknown security scheme ${name}`)
        }
      }
    }
  }
  // Every internal reference resolves.
  const resolve = (ref: string) =>
    ref.slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), doc)
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (!isObject(node)) return
    if (typeof node.$ref === 'string') {
      if (!node.$ref.startsWith('#/') || resolve(node.$ref) === undefined) {
        fail(node.$ref, 'does not resolve')
      }
    }
    Object.values(node).forEach(walk)
  }
  walk(doc)
  return problems
}

const slugs = functionSlugs()

/**
 * What supabase-js 2.119 may send: its own list (`@supabase/supabase-js/cors`, written out
 * here so a change to it shows up as a diff) and `x-region`, which functions-js sends when
 * `invoke` is given a region.
 */
const SUPABASE_JS_HEADERS = [
  'authorization',
  'x-client-info',
  'apikey',
  'content-type',
  'x-retry-count',
  'traceparent',
  'tracestate',
  'baggage',
  'x-region',
]

test('gateway: there are functions to serve, health among them', () => {
  assert.ok(slugs.includes('health'), `functions: ${slugs.join(', ')}`)
})

for (const slug of slugs) {
  test(`gateway: ${slug} serves a valid OpenAPI 3.1 document`, async () => {
    const reply = await call('GET', `/${slug}/openapi.json`)
    assert.equal(reply.status, 200, reply.text)
    assert.match(reply.headers.get('content-type') ?? '', /application\/json/)
    assert.deepEqual(openApiProblems(reply.body, slug), [])
    assert.match(reply.body.info.title, /^Lytics /)
  })

  test(`gateway: serves the docs UI of ${slug}, with local assets`, async () => {
    const reply = await call('GET', `/${slug}/docs`)
    assert.equal(reply.status, 200)
    assert.match(reply.headers.get('content-type') ?? '', /text\/html/)
    assert.ok(
      reply.text.includes(`/functions/v1/${slug}/openapi.json`),
      "the explorer loads the function's document",
    )
    const sources = [...reply.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])
    assert.ok(sources.length >= 3, sources.join(' '))
    for (const source of sources) {
      assert.match(source, /^\/docs\/assets\//, `${source} is served by the stack, not a CDN`)
    }
  })

  test(`gateway: ${slug} answers a preflight for every header supabase-js may send`, async () => {
    for (const header of SUPABASE_JS_HEADERS) {
      const res = await fetch(`${stack.apiUrl}/functions/v1/${slug}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': header,
        },
      })
      await res.body?.cancel()
      assert.equal(res.status, 204, header)
      const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase()
        .split(',').map((h) => h.trim())
      assert.ok(allowed.includes(header), `${slug}: ${header} allowed (${allowed.join(', ')})`)
    }
  })
}

test('gateway: the docs assets come from the pinned swagger-ui-dist', async () => {
  const pinned = JSON.parse(await Deno.readTextFile(new URL('../../deno.json', import.meta.url)))
    .imports['swagger-ui-dist/']
  assert.match(pinned, /^npm:\/swagger-ui-dist@\d+\.\d+\.\d+\/$/, 'an exact version')
  for (
    const [asset, type] of [
      ['swagger-ui-bundle.js', /javascript/],
      ['swagger-ui-standalone-preset.js', /javascript/],
      ['swagger-ui.css', /text\/css/],
    ] as const
  ) {
    const res = await fetch(`${stack.apiUrl}/docs/assets/${asset}`)
    assert.equal(res.status, 200, asset)
    assert.match(res.headers.get('content-type') ?? '', type, asset)
    assert.ok((await res.arrayBuffer()).byteLength > 1000, asset)
  }
  const missing = await fetch(`${stack.apiUrl}/docs/assets/package.json`)
  assert.equal(missing.status, 404)
  await missing.body?.cancel()
})

test('gateway: /docs opens the explorer', async () => {
  const res = await fetch(`${stack.apiUrl}/docs`)
  assert.equal(res.status, 200)
  assert.match(await res.text(), /SwaggerUIBundle/)
})

test('gateway: the OpenAPI check itself catches what it should', () => {
  const doc = {
    openapi: '3.0.0',
    info: { title: 'x' },
    paths: {
      '/demo/{id}': {
        get: { responses: {} },
        post: { responses: { 200: {} }, security: [{ nope: [] }] },
      },
      '/other': { get: { responses: { 200: { $ref: '#/components/responses/Missing' } } } },
    },
  }
  const problems = openApiProblems(doc, 'demo')
  for (
    const expected of [
      'openapi: not 3.1.x',
      'info: needs a title and a version',
      'GET /demo/{id}: no documented response',
      'GET /demo/{id}: path parameter {id} is not declared',
      'POST /demo/{id} 200: a response needs a description',
      'POST /demo/{id}: unknown security scheme nope',
      '/other: not under /demo',
      '#/components/responses/Missing: does not resolve',
    ]
  ) assert.ok(problems.includes(expected), `${expected} in ${problems.join(' | ')}`)
})

test('gateway: an unknown function is a JSON 404', async () => {
  for (const path of ['/no-such-function', '/no-such-function/openapi.json']) {
    const reply = await call('GET', path)
    assert.equal(reply.status, 404)
    assert.match(reply.headers.get('content-type') ?? '', /application\/json/)
    assert.equal(reply.body.error.code, 'not_found')
    assert.equal(typeof reply.body.error.message, 'string')
  }
})

test('gateway: an unknown route of a function is its JSON 404', async () => {
  const reply = await call('GET', '/health/no-such-route')
  assert.equal(reply.status, 404)
  assert.equal(reply.body.error.code, 'not_found')
})

test('gateway: CORS preflight reaches the function', async () => {
  const origin = 'https://app.example'
  const res = await fetch(`${stack.apiUrl}/functions/v1/orgs`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, apikey, content-type, x-client-info',
    },
  })
  await res.body?.cancel()
  assert.equal(res.status, 204)
  assert.ok(['*', origin].includes(res.headers.get('access-control-allow-origin') ?? ''))
  const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase()
  for (const h of ['authorization', 'apikey', 'content-type', 'x-client-info']) {
    assert.ok(allowed.includes(h), `${h} allowed`)
  }
  assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/)
})

test('gateway: a simple cross-origin request exposes the request id', async () => {
  const reply = await call('GET', '/health/live', { headers: { origin: 'https://app.example' } })
  assert.equal(reply.status, 200)
  assert.ok(reply.headers.get('access-control-allow-origin'))
  assert.match(reply.headers.get('access-control-expose-headers') ?? '', /x-request-id/i)
})
