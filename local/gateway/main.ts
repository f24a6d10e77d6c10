/**
 * The local gateway: what `supabase start` + `supabase functions serve` expose on one
 * port, without Docker. `/auth/v1/*` goes to the local auth server, and
 * `/functions/v1/<slug>/*` to that function with the path the edge runtime would give it.
 *
 * Env: LYTICS_STATE_DIR (keys live there), API_PORT, SUPABASE_DB_URL, GOTRUE_DB_DATABASE_URL
 * (the auth server's own login, supabase_auth_admin, as GoTrue has on Supabase); optional
 * supabase/functions/.env for function secrets, as the CLI reads it.
 */
import postgres from 'postgres'
import { createAuthServer } from '../auth/mod.ts'
import { loadFunctions } from './functions.ts'
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

function route(req: Request): Response | Promise<Response> {
  const url = new URL(req.url)
  if (url.pathname === '/auth/v1' || url.pathname.startsWith('/auth/v1/')) return auth.fetch(req)
  const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname)
  const handler = match && functions.get(match[1])
  if (!handler) {
    return Response.json(
      { error: { code: 'not_found', message: `no route for ${url.pathname}` } },
      {
        status: 404,
      },
    )
  }
  url.pathname = `/${match[1]}${match[2] ?? ''}`
  return handler(new Request(url, req))
}

Deno.serve({ port, hostname: '127.0.0.1', onListen: () => {} }, route)
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
