/**
 * No input answers 5xx. Every route of every function (from their OpenAPI documents) gets
 * each of its fields replaced, one at a time, by hostile values, as a signed-in owner:
 * NUL, unpaired surrogates, bad UTF-8, 100 KB strings, numbers beyond any range, JSON
 * nested thousands deep, wrong types. Each answer must be below 500, a 400 must name the
 * field, and text Postgres cannot store must be a 400.
 */
import assert from 'node:assert/strict'
import { newUser, stack, test } from '../_helpers/stack.ts'
import { newOrg } from '../_helpers/orgs.ts'
import { type Field, loadRoutes, type Route, routeUrl } from './_routes.ts'

const FUNCTIONS = [...Deno.readDirSync(new URL('../../supabase/functions/', import.meta.url))]
  .filter((e) => e.isDirectory && !e.name.startsWith('_')).map((e) => e.name).sort()

/**
 * One hostile value: as it goes into a URL (already percent-encoded) and into a JSON body
 * (raw JSON text, or bytes for what is not UTF-8). `storable: false` marks text Postgres
 * cannot store, which must be refused with a 400 naming the field.
 */
type Hostile = {
  label: string
  url?: string
  json?: string | Uint8Array<ArrayBuffer>
  storable?: false
}

const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n)
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
const big = 'x'.repeat(100_000)
// Deno's fetch refuses a URL over 64 KB, so URLs carry the longest string it sends.
const long = 'x'.repeat(60_000)
const bytes = (...parts: (string | number[])[]) => {
  const chunks = parts.map((p) => typeof p === 'string' ? new TextEncoder().encode(p) : p)
  return new Uint8Array(chunks.flatMap((c) => [...c]))
}

const HOSTILE: Hostile[] = [
  { label: 'NUL', url: 'a%00b', json: '"a\\u0000b"', storable: false },
  { label: 'NUL alone', url: '%00', json: '"\\u0000"', storable: false },
  // A URL cannot carry a lone surrogate: its UTF-8 bytes are just bad UTF-8 there.
  { label: 'UTF-8 of a surrogate', url: '%ED%A0%80' },
  { label: 'unpaired surrogate', json: '"x\\ud800"', storable: false },
  // Decoded as U+FFFD (as fetch's Body.json() does), which can be stored.
  { label: 'bad UTF-8', url: '%FF%FE', json: bytes('"', [0xff, 0xfe, 0xc3], '"') },
  { label: 'long string', url: long, json: `"${big}"` },
  { label: 'empty', url: '', json: '""' },
  ...['1e999999', '-1e400000', '1e-99999', '1e308', '-1e308', '5e-324', '9'.repeat(400)].map(
    (n) => ({ label: n.slice(0, 12), url: n, json: n }),
  ),
  ...['NaN', 'Infinity', '-0', '0x10'].map((s) => ({ label: s, url: s, json: `"${s}"` })),
  { label: 'deep array', url: deepArray(5_000), json: deepArray(10_000) },
  { label: 'deep object', json: deepObject(5_000) },
  ...['true', 'null', '{}', '[]', '12', '[{"a":1}]', '{"\\u0000":1}'].map((json) => ({
    label: `JSON ${json}`,
    json,
  })),
]

// Bodies that are not the JSON object a route expects, sent whole: each a 400 (or 413).
const HOSTILE_BODIES: { label: string; body: string | Uint8Array<ArrayBuffer> }[] = [
  { label: 'not JSON', body: 'not json' },
  { label: 'empty body', body: '' },
  { label: 'cut short', body: '{"a":' },
  { label: 'null', body: 'null' },
  { label: 'array', body: '[]' },
  { label: 'huge number', body: '1e999999' },
  { label: 'NUL string', body: '"\\u0000"' },
  { label: 'NUL key', body: '{"\\u0000":1}' },
  { label: 'deep root', body: deepArray(100_000) },
  { label: 'bad UTF-8', body: bytes([0xff, 0xfe, 0x7b, 0x7d]) },
]

// Query parameters no schema declares: ignored or refused, never a 5xx.
const STRAY_QUERIES = ['%00=1', 'x=%00', '%FF=1', 'x=%FF', `x=${long}`, 'property.plan=%00']

type Request = {
  params: Record<string, string>
  query: string[]
  body?: string | Uint8Array<ArrayBuffer>
}
type Answer = { status: number; text: string }

/** The route's valid request, encoded: path parameters, `k=v` query pairs, JSON body. */
function validRequest(route: Route): Request {
  return {
    params: Object.fromEntries(
      Object.entries(route.valid.params).map(([k, v]) => [k, encodeURIComponent(v)]),
    ),
    query: Object.entries(route.valid.query)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
    body: route.valid.body === undefined ? undefined : JSON.stringify(route.valid.body),
  }
}

const PLACEHOLDER = 'HOSTILE-VALUE-f3b9'

/** The route's valid request with `field` set to `value`; null where it cannot go. */
function withValue(route: Route, field: Field, value: Hostile): Request | null {
  const req = validRequest(route)
  const key = String(field.keys[0])
  if (field.place === 'param') {
    // An empty segment would be another route.
    if (!value.url) return null
    return { ...req, params: { ...req.params, [key]: value.url } }
  }
  if (field.place === 'query') {
    if (value.url === undefined) return null
    const name = encodeURIComponent(key)
    return {
      ...req,
      query: [...req.query.filter((q) => !q.startsWith(`${name}=`)), `${name}=${value.url}`],
    }
  }
  if (value.json === undefined || route.valid.body === undefined) return null
  const template = JSON.stringify(setAt(structuredClone(route.valid.body), field.keys))
  const [before, after] = template.split(`"${PLACEHOLDER}"`)
  const body = typeof value.json === 'string'
    ? before + value.json + after
    : bytes(before, [...value.json], after)
  return { ...req, body }
}

function setAt(body: unknown, keys: (string | number)[]): unknown {
  let node = body as Record<string | number, unknown>
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  node[keys.at(-1)!] = PLACEHOLDER
  return body
}

async function send(route: Route, token: string, req: Request): Promise<Answer> {
  const query = req.query.length > 0 ? `?${req.query.join('&')}` : ''
  const url = `${stack.apiUrl}/functions/v1${routeUrl(route, req.params)}${query}`
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  if (req.body !== undefined) headers['content-type'] = 'application/json'
  try {
    const res = await fetch(url, { method: route.method, headers, body: req.body })
    return { status: res.status, text: await res.text() }
  } catch (err) {
    // A request that never got an answer is as bad as a 5xx.
    return { status: 599, text: String(err).slice(0, 200) }
  }
}

/** True when a 400 names `name` (or something under it) as a problem's path. */
function namesField(answer: Answer, name: string): boolean {
  try {
    const { error } = JSON.parse(answer.text)
    const paths: string[] = (error.details ?? []).map((p: { path: string }) => p.path)
    return paths.some((p) => p === name || p.startsWith(`${name}.`) || p.startsWith(`${name}[`)) ||
      String(error.message).includes(name)
  } catch {
    return false
  }
}

/** Runs `jobs` with at most `width` at once (the stack has 2 cores to share). */
async function inParallel<T>(jobs: (() => Promise<T>)[], width = 4): Promise<T[]> {
  const results: T[] = []
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const i = next++
      results[i] = await jobs[i]()
    }
  }))
  return results
}

test('no hostile value in any field of any route answers 5xx; 400s name the field', async () => {
  const owner = await newUser('hostile')
  const orgId = await newOrg(owner)
  const today = new Date().toISOString().slice(0, 10)
  const routes = await loadRoutes(FUNCTIONS, { orgId, today })
  // Deleting and leaving go last, so the organization is there for every other route.
  routes.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'))
  // The feed also takes `property.<key>` parameters, which its document describes in prose.
  const feed = routes.find((r) => r.method === 'GET' && r.path === '/dashboard/events')
  assert.ok(feed, 'the feed is among the routes')
  feed.fields.push({
    place: 'query',
    keys: ['property.plan'],
    name: 'query.property.plan',
    schema: {},
  })

  const problems: string[] = []
  const jobs: (() => Promise<void>)[] = []
  // Each job sends one request and files what is wrong with its answer.
  const probe = (route: Route, what: string, req: Request, judge: (a: Answer) => string) => {
    jobs.push(async () => {
      const answer = await send(route, owner.token, req)
      const wrong = judge(answer)
      if (wrong) {
        problems.push(
          `${route.method} ${route.path} ${what}: ${answer.status} ${wrong} ` +
            answer.text.slice(0, 200),
        )
      }
    })
  }
  for (const route of routes) {
    // Without a valid request to start from, a 400 could be about another field.
    const valid = await send(route, owner.token, validRequest(route))
    if (valid.status === 400 || valid.status >= 500) {
      problems.push(`${route.method} ${route.path} (valid request): ${valid.status} ${valid.text}`)
      continue
    }
    for (const field of route.fields) {
      for (const value of HOSTILE) {
        const req = withValue(route, field, value)
        if (!req) continue
        probe(route, `${field.name} = ${value.label}`, req, (a) => {
          if (a.status >= 500) return 'server error'
          if (a.status === 400 && !namesField(a, field.name)) return 'does not name the field'
          if (value.storable === false && a.status !== 400) return 'expected a 400'
          return ''
        })
      }
    }
    for (const { label, body } of route.valid.body === undefined ? [] : HOSTILE_BODIES) {
      probe(
        route,
        `body ${label}`,
        { ...validRequest(route), body },
        (a) => a.status === 400 || a.status === 413 ? '' : 'expected 400 or 413',
      )
    }
    if (route.method === 'DELETE') continue
    for (const stray of STRAY_QUERIES) {
      const req = validRequest(route)
      probe(
        route,
        `?${stray.slice(0, 20)}`,
        { ...req, query: [...req.query, stray] },
        (a) => a.status >= 500 ? 'server error' : '',
      )
    }
  }
  await inParallel(jobs)
  console.log(`${routes.length} routes, ${jobs.length} hostile requests`)
  assert.deepEqual(problems, [])
})
