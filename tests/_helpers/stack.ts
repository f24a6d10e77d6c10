/**
 * What the Deno tests need from the test stack that scripts/test started: its URLs and
 * keys, supabase-js clients, fresh users, and a postgres connection to craft data.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { importJWK, SignJWT } from 'jose'
import postgres from 'postgres'

const stateDir = Deno.env.get('LYTICS_STATE_DIR') ?? '.local/test'
const keys = JSON.parse(Deno.readTextFileSync(`${stateDir}/keys.json`))

/** The running test stack. */
export const stack = {
  apiUrl: Deno.env.get('LYTICS_API_URL') ?? 'http://127.0.0.1:55321',
  dbUrl: Deno.env.get('LYTICS_DB_URL') ?? 'postgresql://postgres:postgres@127.0.0.1:55322/postgres',
  publishableKey: keys.publishableKey as string,
  secretKey: keys.secretKey as string,
  publicJwk: keys.publicJwk as JsonWebKey & { kid: string },
}

/**
 * A connection as `postgres` for arranging data the API cannot (or should not) write. As on
 * Supabase, postgres is not a superuser but bypasses RLS and may write auth.*.
 */
export const adminSql = postgres(stack.dbUrl, { max: 2, onnotice: () => {}, prepare: false })

/**
 * Deno.test with resource/op sanitizers off: tests share module-level connections
 * (adminSql, the in-process functions' pool) that outlive a single test by design.
 */
export function test(name: string, fn: (t: Deno.TestContext) => Promise<void> | void) {
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false })
}

/** A supabase-js client against the test stack, with no session persistence. */
export function anonClient(): SupabaseClient {
  return createClient(stack.apiUrl, stack.publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })
}

export type TestUser = {
  id: string
  email: string
  password: string
  token: string
  refreshToken: string
  client: SupabaseClient
}

/** Signs up a brand-new user through /auth/v1 and returns it signed in. */
export async function newUser(label = 'user'): Promise<TestUser> {
  const client = anonClient()
  const email = `${label}-${crypto.randomUUID().slice(0, 12)}@test.local`
  const password = `pw-${crypto.randomUUID()}`
  const { data, error } = await client.auth.signUp({ email, password })
  if (error || !data.session || !data.user) throw new Error(`sign-up failed: ${error?.message}`)
  return {
    id: data.user.id,
    email,
    password,
    token: data.session.access_token,
    refreshToken: data.session.refresh_token,
    client,
  }
}

// deno-lint-ignore no-explicit-any
export type Reply<T = any> = { status: number; body: T; headers: Headers; text: string }

/**
 * Calls a function through the gateway: `call('GET', '/orgs', { token })`.
 * The body is parsed as JSON when it is JSON.
 */
// deno-lint-ignore no-explicit-any
export async function call<T = any>(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  let body: string | undefined = opts.raw
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers['content-type'] = 'application/json'
  } else if (opts.raw !== undefined) {
    headers['content-type'] ??= 'application/json'
  }
  const res = await fetch(`${stack.apiUrl}/functions/v1${path}`, { method, headers, body })
  const text = await res.text()
  let parsed: unknown = text
  if (res.headers.get('content-type')?.includes('application/json') && text) {
    parsed = JSON.parse(text)
  }
  return { status: res.status, body: parsed as T, headers: res.headers, text }
}

/** A unique slug for an organization made by a test. */
export function uniqueSlug(prefix = 'org'): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`
}

/**
 * Signs a token with the stack's own key, for cases the auth server never issues
 * (expired, wrong audience) and for users made directly in SQL.
 */
export async function mintToken(
  claims: Record<string, unknown>,
  opts: { expiresIn?: string | number; issuer?: string; audience?: string } = {},
): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'ES256')
  return await new SignJWT({ role: 'authenticated', aal: 'aal1', is_anonymous: false, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: stack.publicJwk.kid, typ: 'JWT' })
    .setIssuer(opts.issuer ?? `${stack.apiUrl}/auth/v1`)
    .setAudience(opts.audience ?? 'authenticated')
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '1h')
    .sign(key)
}
