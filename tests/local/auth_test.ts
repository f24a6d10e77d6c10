/**
 * The local auth server against the real supabase-js client, on its own port and database.
 *
 * Run: LYTICS_TEST_DB_URL=postgresql://... deno test -A tests/local/auth_test.ts
 * (the database needs local/db/bootstrap.sql and the migrations applied).
 */
import assert from 'node:assert/strict'
import { type AuthError, createClient, type SupabaseClient } from '@supabase/supabase-js'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import postgres from 'postgres'
import { startTestAuthServer } from '../../local/auth/testing.ts'

const DB_URL = Deno.env.get('LYTICS_TEST_DB_URL') ?? Deno.env.get('LYTICS_DB_URL')
const PASSWORD = 'correct horse battery'

const newEmail = () => `${crypto.randomUUID()}@test.local`

// supabase-js leaves some response bodies unread (e.g. admin.deleteUser's `{}`), which Deno's
// resource sanitizer reports as leaks; reading every body up front keeps the sanitizer on.
async function bufferedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init)
  const body = await res.arrayBuffer()
  const { status, statusText, headers } = res
  return new Response(body.byteLength ? body : null, { status, statusText, headers })
}

Deno.test({
  name: 'local auth server works with supabase-js',
  ignore: !DB_URL,
  async fn(t) {
    const sql = postgres(DB_URL!, { max: 4, onnotice: () => {} })
    // Fresh ES256 and API keys, an ephemeral port: see local/auth/testing.ts.
    const server = await startTestAuthServer(sql)
    const { url, issuer, publicJwk, publishableKey, secretKey } = server
    const created: string[] = []
    const client = (key = publishableKey): SupabaseClient =>
      createClient(url, key, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        global: { fetch: bufferedFetch },
      })
    const raw = (path: string, init: RequestInit & { key?: string | null } = {}) => {
      const headers = new Headers(init.headers)
      if (init.key !== null) headers.set('apikey', init.key ?? publishableKey)
      return fetch(`${issuer}${path}`, { ...init, headers })
    }
    const fails = (error: AuthError | null, status: number, code: string) =>
      assert.deepEqual([error?.status, error?.code], [status, code])
    const signUp = async (data: Record<string, unknown> = {}) => {
      const email = newEmail()
      created.push(email)
      const c = client()
      const res = await c.auth.signUp({ email, password: PASSWORD, options: { data } })
      assert.equal(res.error, null)
      return { c, email, session: res.data.session!, user: res.data.user! }
    }

    try {
      await t.step('health and JWKS need no key; other endpoints need a valid one', async () => {
        const health = await raw('/health', { key: null })
        assert.equal(health.status, 200)
        assert.equal((await health.json()).name, 'GoTrue')
        const jwks = await (await raw('/.well-known/jwks.json', { key: null })).json()
        assert.deepEqual(jwks.keys.map((k: JsonWebKey & { kid: string }) => k.kid), [publicJwk.kid])
        assert.equal(jwks.keys[0].d, undefined)
        for (const key of [null, 'sb_publishable_wrong']) {
          const res = await raw('/settings', { key })
          assert.equal(res.status, 401)
          assert.ok((await res.json()).message)
        }
        const missing = await raw('/nope')
        assert.equal(missing.status, 404)
        assert.equal((await missing.json()).error_code, 'not_found')
        const preflight = await raw('/token', {
          method: 'OPTIONS',
          key: null,
          headers: {
            origin: 'http://localhost:3000',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'apikey, authorization, content-type',
          },
        })
        await preflight.body?.cancel()
        assert.equal(preflight.status, 204)
        assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:3000')
        assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /apikey/)
      })

      await t.step('sign-up returns a session; the profile trigger ran', async () => {
        const { session, user, email } = await signUp({ display_name: 'Ada' })
        assert.equal(session.token_type, 'bearer')
        assert.equal(session.expires_in, 3600)
        assert.ok(session.refresh_token.length >= 12)
        assert.equal(user.email, email)
        assert.ok(user.email_confirmed_at)
        assert.equal(user.user_metadata.display_name, 'Ada')
        assert.deepEqual(user.app_metadata, { provider: 'email', providers: ['email'] })
        assert.equal(user.identities?.[0].provider, 'email')
        const [profile] = await sql`select id from public.profiles where id = ${user.id}`
        assert.equal(profile?.id, user.id)
      })

      await t.step('sign-up errors: duplicate, weak password, invalid email', async () => {
        const { email } = await signUp()
        const dup = await client().auth.signUp({ email, password: PASSWORD })
        fails(dup.error, 422, 'user_already_exists')
        const weak = await client().auth.signUp({ email: newEmail(), password: '123' })
        fails(weak.error, 422, 'weak_password')
        const bad = await client().auth.signUp({ email: 'not-an-email', password: PASSWORD })
        fails(bad.error, 400, 'validation_failed')
      })

      await t.step('password sign-in; the access token verifies against the JWKS', async () => {
        const { email, user } = await signUp()
        const c = client()
        const { data, error } = await c.auth.signInWithPassword({ email, password: PASSWORD })
        assert.equal(error, null)
        const token = data.session!.access_token
        assert.deepEqual(decodeProtectedHeader(token), {
          alg: 'ES256',
          kid: publicJwk.kid,
          typ: 'JWT',
        })
        const jwks = createLocalJWKSet(await (await raw('/.well-known/jwks.json')).json())
        const { payload } = await jwtVerify(token, jwks, { issuer, audience: 'authenticated' })
        const claims = { sub: user.id, role: 'authenticated', email, phone: '', aal: 'aal1' }
        for (const [name, value] of Object.entries(claims)) assert.equal(payload[name], value, name)
        assert.equal(payload.is_anonymous, false)
        assert.equal(payload.exp! - payload.iat!, 3600)
        assert.equal((payload.amr as { method: string }[])[0].method, 'password')
        assert.equal(typeof payload.session_id, 'string')

        const wrong = await client().auth.signInWithPassword({ email, password: 'wrong-password' })
        fails(wrong.error, 400, 'invalid_credentials')
        const body = await (await raw('/token?grant_type=password', {
          method: 'POST',
          body: JSON.stringify({ email: newEmail(), password: PASSWORD }),
        })).json()
        assert.deepEqual(body, {
          code: 400,
          error_code: 'invalid_credentials',
          msg: 'Invalid login credentials',
        })
      })

      await t.step(
        'getUser and updateUser (metadata merges, email and password change)',
        async () => {
          const { c, user } = await signUp({ display_name: 'Ada', plan: 'free' })
          assert.equal((await c.auth.getUser()).data.user?.id, user.id)
          const upd = await c.auth.updateUser({ data: { plan: 'pro', team: 'x' } })
          assert.equal(upd.error, null)
          const meta = upd.data.user!.user_metadata
          assert.deepEqual([meta.display_name, meta.plan, meta.team], ['Ada', 'pro', 'x'])
          const email = newEmail()
          created.push(email)
          const moved = await c.auth.updateUser({ email, password: 'a brand new password' })
          assert.equal(moved.data.user?.email, email)
          assert.equal(moved.data.user?.identities?.[0].identity_data?.email, email)
          const old = await client().auth.signInWithPassword({ email, password: PASSWORD })
          assert.equal(old.error?.code, 'invalid_credentials')
          const pw = { email, password: 'a brand new password' }
          assert.equal((await client().auth.signInWithPassword(pw)).error, null)
        },
      )

      await t.step('refresh tokens rotate; reuse revokes the session', async () => {
        const { c, session } = await signUp()
        const first = session.refresh_token
        const rotated = await c.auth.refreshSession()
        assert.equal(rotated.error, null)
        const second = rotated.data.session!
        assert.notEqual(second.refresh_token, first)
        const reuse = await client().auth.refreshSession({ refresh_token: first })
        fails(reuse.error, 400, 'refresh_token_already_used')
        // The whole session is gone: its newest refresh token and its access tokens too.
        const next = await client().auth.refreshSession({ refresh_token: second.refresh_token })
        assert.ok(next.error)
        const me = await raw('/user', {
          headers: { authorization: `Bearer ${second.access_token}` },
        })
        assert.equal(me.status, 403)
        assert.equal((await me.json()).error_code, 'session_not_found')
      })

      await t.step(
        'concurrent use of one refresh token: one wins, the other is reuse',
        async () => {
          const { session } = await signUp()
          const refresh = () =>
            raw('/token?grant_type=refresh_token', {
              method: 'POST',
              body: JSON.stringify({ refresh_token: session.refresh_token }),
            }).then(async (r) => ({ status: r.status, body: await r.json() }))
          const results = await Promise.all([refresh(), refresh()])
          assert.deepEqual(results.map((r) => r.status).sort(), [200, 400])
          assert.equal(
            results.find((r) => r.status === 400)!.body.error_code,
            'refresh_token_already_used',
          )
          const unknown = await client().auth.refreshSession({ refresh_token: 'not-a-real-token' })
          assert.equal(unknown.error?.code, 'refresh_token_not_found')
        },
      )

      await t.step('logout ends sessions; old tokens stop working', async () => {
        const { c, email, session } = await signUp()
        const other = client()
        const otherSession = (await other.auth.signInWithPassword({ email, password: PASSWORD }))
          .data.session!
        // local: only this device's session ends.
        assert.equal((await other.auth.signOut({ scope: 'local' })).error, null)
        const afterLocal = await raw('/user', {
          headers: { authorization: `Bearer ${otherSession.access_token}` },
        })
        assert.equal(afterLocal.status, 403)
        assert.equal((await afterLocal.json()).error_code, 'session_not_found')
        assert.equal((await c.auth.getUser()).error, null)
        // global (the default): everything ends.
        assert.equal((await c.auth.signOut()).error, null)
        const refresh = await client().auth.refreshSession({ refresh_token: session.refresh_token })
        assert.equal(refresh.error?.code, 'refresh_token_not_found')
        const me = await raw('/user', {
          headers: { authorization: `Bearer ${session.access_token}` },
        })
        assert.ok([401, 403].includes(me.status))
        await me.body?.cancel()
      })

      await t.step('admin API needs the secret key', async () => {
        const admin = client(secretKey).auth.admin
        const email = newEmail()
        created.push(email)
        const made = await admin.createUser({
          email,
          password: PASSWORD,
          email_confirm: true,
          user_metadata: { display_name: 'Grace' },
          app_metadata: { plan: 'pro' },
        })
        assert.equal(made.error, null)
        const id = made.data.user!.id
        assert.equal(made.data.user!.app_metadata.provider, 'email')
        assert.equal(made.data.user!.app_metadata.plan, 'pro')
        const signIn = await client().auth.signInWithPassword({ email, password: PASSWORD })
        assert.equal(signIn.error, null)

        const denied = await client().auth.admin.createUser({
          email: newEmail(),
          password: PASSWORD,
        })
        assert.equal(denied.error?.status, 403)

        const list = await admin.listUsers({ page: 1, perPage: 1 })
        assert.equal(list.error, null)
        assert.equal(list.data.users.length, 1)
        assert.ok((list.data as { total: number }).total >= 2)

        const upd = await admin.updateUserById(id, { app_metadata: { seats: 3 } })
        assert.equal(upd.data.user?.app_metadata.plan, 'pro')
        assert.equal(upd.data.user?.app_metadata.seats, 3)
        assert.equal((await admin.getUserById(id)).data.user?.email, email)
        assert.equal((await admin.deleteUser(id)).error, null)
        assert.equal((await admin.getUserById(id)).error?.status, 404)

        const unconfirmed = newEmail()
        created.push(unconfirmed)
        assert.equal(
          (await admin.createUser({ email: unconfirmed, password: PASSWORD })).error,
          null,
        )
        const blocked = await client().auth.signInWithPassword({
          email: unconfirmed,
          password: PASSWORD,
        })
        assert.equal(blocked.error?.code, 'email_not_confirmed')
      })

      await t.step('users seeded with pgcrypto like supabase/seed.sql can sign in', async () => {
        const email = newEmail()
        created.push(email)
        await sql`
          insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
            email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
          values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
            'authenticated', ${email}, extensions.crypt(${PASSWORD}, extensions.gen_salt('bf')),
            now(), '{"provider":"email","providers":["email"]}', '{}')`
        const res = await client().auth.signInWithPassword({ email, password: PASSWORD })
        assert.equal(res.error, null)
        assert.equal(res.data.user?.email, email)
      })
    } finally {
      await sql`delete from auth.users where email = any(${created})`
      await server.shutdown()
      await sql.end()
    }
  },
})
