/**
 * The health function through the gateway, and readiness with an unreachable database in
 * a subprocess of its own (the database client is built once per isolate).
 */
import assert from 'node:assert/strict'
import { call, test } from '../_helpers/stack.ts'

const root = new URL('../../', import.meta.url)

/** The newest migration's version, from the file names as `supabase db push` reads them. */
function latestMigration(): string {
  const versions = [...Deno.readDirSync(new URL('supabase/migrations/', root))]
    .filter((e) => e.isFile && /^\d+_.+\.sql$/.test(e.name))
    .map((e) => e.name.split('_')[0])
  assert.ok(versions.length > 0, 'there are migrations')
  return versions.sort().at(-1)!
}

test('health: /live answers without the database', async () => {
  const reply = await call('GET', '/health/live')
  assert.equal(reply.status, 200)
  assert.deepEqual(reply.body, { status: 'ok' })
  assert.ok(reply.headers.get('x-request-id'))
})

test('health: /ready reports the database and the latest migration', async () => {
  const reply = await call('GET', '/health/ready')
  assert.equal(reply.status, 200, reply.text)
  assert.equal(reply.body.status, 'ready')
  assert.equal(reply.body.database.reachable, true)
  assert.equal(typeof reply.body.database.latency_ms, 'number')
  assert.equal(reply.body.database.migration, latestMigration())
  assert.deepEqual(reply.body.missing_config, [])
  // The test stack configures both providers (pointed at the fakes).
  assert.deepEqual(reply.body.missing_provider_config, [])
  // And the assistant's model (the fake OpenAI-compatible server).
  assert.deepEqual(reply.body.missing_assistant_config, [])
})

test('health: /openapi.json documents both probes', async () => {
  const reply = await call('GET', '/health/openapi.json')
  assert.equal(reply.status, 200)
  assert.match(reply.body.openapi, /^3\.1\./)
  assert.deepEqual(Object.keys(reply.body.paths).sort(), ['/health/live', '/health/ready'])
  assert.ok(reply.body.paths['/health/ready'].get.responses['503'])
})

test('health: /docs serves the API explorer', async () => {
  const reply = await call('GET', '/health/docs')
  assert.equal(reply.status, 200)
  assert.match(reply.headers.get('content-type') ?? '', /text\/html/)
  assert.match(reply.text, /swagger/i)
})

test('health: an unknown probe is a JSON 404', async () => {
  const reply = await call('GET', '/health/nope')
  assert.equal(reply.status, 404)
  assert.equal(reply.body.error.code, 'not_found')
})

/** A port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 })
  const { port } = listener.addr as Deno.NetAddr
  listener.close()
  return port
}

/**
 * Calls GET /health/ready on the health app in a fresh Deno process with exactly `env`
 * (plus what Deno itself needs), and returns the status and body.
 */
async function readyInSubprocess(env: Record<string, string>) {
  const code = `
    const { app } = await import(${
    JSON.stringify(new URL('supabase/functions/health/app.ts', root).href)
  })
    const res = await app.fetch(new Request('http://local.test/health/ready'))
    console.log(JSON.stringify({ status: res.status, body: await res.json() }))
    Deno.exit(0)
  `
  const inherited = ['PATH', 'HOME', 'DENO_DIR', 'XDG_CACHE_HOME', 'DENO_TLS_CA_STORE']
    .flatMap((k) => (Deno.env.get(k) === undefined ? [] : [[k, Deno.env.get(k)!]]))
  const output = await new Deno.Command(Deno.execPath(), {
    args: ['eval', '--quiet', '--config', new URL('deno.json', root).pathname, code],
    cwd: root.pathname,
    clearEnv: true,
    env: { ...Object.fromEntries(inherited), LOG_LEVEL: 'silent', ...env },
    stdout: 'piped',
    stderr: 'piped',
  }).output()
  const stdout = new TextDecoder().decode(output.stdout).trim()
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr))
  return JSON.parse(stdout.split('\n').at(-1)!)
}

test('health: /ready with an unreachable database → 503, reachable=false', async () => {
  const { status, body } = await readyInSubprocess({
    SUPABASE_URL: 'http://127.0.0.1:54321',
    SUPABASE_DB_URL: `postgresql://postgres:postgres@127.0.0.1:${closedPort()}/postgres`,
  })
  assert.equal(status, 503)
  assert.equal(body.status, 'not_ready')
  assert.equal(body.database.reachable, false)
  assert.equal(body.database.latency_ms, null)
  assert.equal(body.database.migration, null)
  assert.deepEqual(body.missing_config, [])
})

test('health: /ready with missing configuration → 503 naming it, never a value', async () => {
  const { status, body } = await readyInSubprocess({ LEGACY_JWT_SECRET: 'short-secret-value' })
  assert.equal(status, 503)
  assert.equal(body.status, 'not_ready')
  assert.equal(body.database.reachable, false)
  assert.deepEqual([...body.missing_config].sort(), [
    'LEGACY_JWT_SECRET',
    'SUPABASE_DB_URL',
    'SUPABASE_URL',
  ])
  assert.ok(!JSON.stringify(body).includes('short-secret-value'))
  // Without provider settings the API is still judged on its own, and names what is missing.
  for (const name of ['GOOGLE_CLIENT_ID', 'INSTAGRAM_APP_ID']) {
    assert.ok(body.missing_provider_config.includes(name), name)
  }
  assert.deepEqual(body.missing_assistant_config, ['OPENAI_API_KEY'])
})
