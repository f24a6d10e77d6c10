/**
 * The local gateway: what `supabase start` + `supabase functions serve` expose on one
 * port, without Docker. `/auth/v1/*` goes to the local auth server, and
 * `/functions/v1/<slug>/*` to that function with the path the edge runtime would give it.
 *
 * Env: LYTICS_STATE_DIR (keys live there), API_PORT, SUPABASE_DB_URL, GOTRUE_DB_DATABASE_URL
 * (the auth server's own login, supabase_auth_admin, as GoTrue has on Supabase); optional
 * supabase/functions/.env for function secrets, as the CLI reads it. The limits a hosted
 * function runs under: GATEWAY_MAX_BODY_BYTES, GATEWAY_WALL_CLOCK_MS (150 s, the free
 * tier's), GATEWAY_MEMORY_LIMIT_MB (256).
 */
import postgres from 'postgres'
import { createAuthServer } from '../auth/mod.ts'
import { startNetWorker } from '../net/worker.ts'
import { loadFunctions } from './functions.ts'
import { createGateway } from './gateway.ts'
import { loadOrCreateKeys } from './keys.ts'

const stateDir = Deno.env.get('LYTICS_STATE_DIR') ?? '.local/dev'
const port = Number(Deno.env.get('API_PORT') ?? 54321)
const dbUrl = Deno.env.get('SUPABASE_DB_URL') ??
  'postgresql://postgres:postgres@127.0.0.1:54322/postgres'
const authDbUrl = Deno.env.get('GOTRUE_DB_DATABASE_URL') ?? dbUrl
const apiUrl = `http://127.0.0.1:${port}`
const keys = await loadOrCreateKeys(stateDir)

// What the CLI gives functions locally; set before the functions are imported.
const functionEnv: Record<string, string> = {
  SUPABASE_URL: apiUrl,
  SUPABASE_DB_URL: dbUrl,
  SUPABASE_JWKS: JSON.stringify({ keys: [keys.publicJwk] }),
  SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
  SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
  // Locally every request is worth a line; deployed, the default keeps to errors and slow ones.
  ACCESS_LOG: 'all',
  ...readDotEnv(new URL('../../supabase/functions/.env', import.meta.url)),
}
for (const [name, value] of Object.entries(functionEnv)) {
  if (Deno.env.get(name) === undefined || name.startsWith('SUPABASE_')) Deno.env.set(name, value)
}

const functions = await loadFunctions(new URL('../../supabase/functions/', import.meta.url))
const auth = createAuthServer({
  sql: postgres(authDbUrl, { max: 4, onnotice: () => {} }),
  issuer: `${apiUrl}/auth/v1`,
  signingKey: keys.signingKey,
  publicJwk: keys.publicJwk,
  publishableKeys: [keys.publishableKey],
  secretKeys: [keys.secretKey],
})

const gateway = createGateway({
  functions,
  auth,
  maxBodyBytes: positiveInt('GATEWAY_MAX_BODY_BYTES', 16 * 1024 * 1024),
  wallClockMs: positiveInt('GATEWAY_WALL_CLOCK_MS', 150_000),
  memoryLimitMb: positiveInt('GATEWAY_MEMORY_LIMIT_MB', 256),
})

Deno.serve({ port, hostname: '127.0.0.1', onListen: () => {} }, gateway)
// pg_net's background worker, which a plain Postgres lacks: sends what net.http_post queued.
startNetWorker({
  sql: postgres(dbUrl, {
    max: 2,
    onnotice: () => {},
    connection: { application_name: 'pg_net worker' },
  }),
})
console.log(`gateway listening on ${apiUrl} with functions: ${[...functions.keys()].join(', ')}`)

function readDotEnv(path: URL): Record<string, string> {
  let text: string
  try {
    text = Deno.readTextFileSync(path)
  } catch {
    return {}
  }
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (m) env[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2')
  }
  return env
}

function positiveInt(name: string, fallback: number): number {
  const raw = Deno.env.get(name)
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer`)
  }
  return value
}
