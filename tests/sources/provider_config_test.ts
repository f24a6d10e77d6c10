/**
 * shared/providers/config.ts: the real provider URLs by default, each overridable, each
 * provider parsed on its own, redirect origins validated, and readiness naming what is
 * missing (never a value).
 */
import assert from 'node:assert/strict'
import { configProblems, readConfig } from '../../shared/config.ts'
import { generateEncryptionKey } from '../../shared/credentials.ts'
import {
  callbackUrl,
  googleConfigSchema,
  instagramConfigSchema,
  oauthConfigSchema,
  providersConfigSchema,
} from '../../shared/providers/config.ts'

Deno.test('provider URLs default to the real ones and may point anywhere else', () => {
  const google = readConfig(googleConfigSchema, {
    GOOGLE_CLIENT_ID: 'id',
    GOOGLE_CLIENT_SECRET: 's',
  })
  assert.equal(google.GOOGLE_AUTH_URL, 'https://accounts.google.com/o/oauth2/v2/auth')
  assert.equal(google.GOOGLE_TOKEN_URL, 'https://oauth2.googleapis.com/token')
  assert.equal(google.GOOGLE_REVOKE_URL, 'https://oauth2.googleapis.com/revoke')
  assert.equal(google.GOOGLE_ANALYTICS_ADMIN_URL, 'https://analyticsadmin.googleapis.com')
  assert.equal(google.GOOGLE_ANALYTICS_DATA_URL, 'https://analyticsdata.googleapis.com')
  const instagram = readConfig(instagramConfigSchema, {
    INSTAGRAM_APP_ID: '1',
    INSTAGRAM_APP_SECRET: 's',
    INSTAGRAM_GRAPH_URL: 'http://127.0.0.1:9999/',
  })
  assert.equal(instagram.INSTAGRAM_AUTH_URL, 'https://www.instagram.com/oauth/authorize')
  assert.equal(instagram.INSTAGRAM_API_URL, 'https://api.instagram.com')
  assert.equal(instagram.INSTAGRAM_GRAPH_URL, 'http://127.0.0.1:9999', 'no trailing slash')
  assert.match(instagram.INSTAGRAM_GRAPH_VERSION, /^v\d+\.\d+$/)
  assert.throws(
    () => readConfig(instagramConfigSchema, { INSTAGRAM_APP_ID: '1' }),
    /INSTAGRAM_APP_SECRET: missing/,
  )
})

Deno.test('OAUTH_REDIRECT_ORIGINS takes origins only; the callback URL follows SUPABASE_URL', () => {
  const env = {
    LYTICS_ENCRYPTION_KEYS: generateEncryptionKey('k1'),
    SUPABASE_URL: 'https://abc.supabase.co',
  }
  const cfg = readConfig(oauthConfigSchema, {
    ...env,
    OAUTH_REDIRECT_ORIGINS: 'https://app.example.com, http://localhost:3000/',
  })
  assert.deepEqual(cfg.OAUTH_REDIRECT_ORIGINS, ['https://app.example.com', 'http://localhost:3000'])
  assert.equal(callbackUrl('ga4', cfg), 'https://abc.supabase.co/functions/v1/sources/ga4/callback')
  const custom = readConfig(oauthConfigSchema, {
    ...env,
    OAUTH_REDIRECT_ORIGINS: 'https://app.example.com',
    FUNCTIONS_PUBLIC_URL: 'https://api.example.com/functions/v1/',
  })
  assert.equal(
    callbackUrl('instagram', custom),
    'https://api.example.com/functions/v1/sources/instagram/callback',
  )
  for (const bad of ['https://app.example.com/path', 'javascript:alert(1)', '*', '']) {
    assert.throws(
      () => readConfig(oauthConfigSchema, { ...env, OAUTH_REDIRECT_ORIGINS: bad }),
      /OAUTH_REDIRECT_ORIGINS/,
      bad,
    )
  }
})

Deno.test('readiness names every missing provider setting, never a value', () => {
  const saved = Deno.env.get('GOOGLE_CLIENT_SECRET')
  Deno.env.delete('GOOGLE_CLIENT_SECRET')
  try {
    const problems = configProblems(providersConfigSchema)
    assert.ok(problems.includes('GOOGLE_CLIENT_SECRET'), problems.join())
    assert.ok(problems.every((p) => /^[A-Z_]+$/.test(p)))
  } finally {
    if (saved !== undefined) Deno.env.set('GOOGLE_CLIENT_SECRET', saved)
  }
})
