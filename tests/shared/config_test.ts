/**
 * shared/config.ts: what a missing or malformed environment reports (names, never values),
 * the defaults, and the readiness problems.
 */
import assert from 'node:assert/strict'
import { z } from 'zod'
import { baseConfigSchema, ConfigError, configProblems, readConfig } from '../../shared/config.ts'

const complete = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_DB_URL: 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`)
    return err
  }
  assert.fail('expected a ConfigError')
}

/** Runs `fn` with these variables set (undefined unsets), restoring the environment after. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]))
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v)
    }
  }
  apply(vars)
  try {
    return fn()
  } finally {
    apply(saved)
  }
}

Deno.test('readConfig: a complete environment parses, with defaults filled in', () => {
  const cfg = readConfig(baseConfigSchema, complete)
  assert.equal(cfg.SUPABASE_URL, complete.SUPABASE_URL)
  assert.equal(cfg.SUPABASE_DB_URL, complete.SUPABASE_DB_URL)
  assert.deepEqual(cfg.ALLOW_ORIGINS, ['*'])
  assert.equal(cfg.DB_POOL_MAX, 4)
  assert.equal(cfg.LOG_LEVEL, 'info')
  assert.equal(cfg.LEGACY_JWT_SECRET, undefined)
  assert.equal(cfg.JWT_ISSUER, undefined)
})

Deno.test('readConfig: values are coerced and split', () => {
  const cfg = readConfig(baseConfigSchema, {
    ...complete,
    ALLOW_ORIGINS: ' https://a.example , https://b.example,,',
    DB_POOL_MAX: '2',
    LOG_LEVEL: 'warn',
  })
  assert.deepEqual(cfg.ALLOW_ORIGINS, ['https://a.example', 'https://b.example'])
  assert.equal(cfg.DB_POOL_MAX, 2)
  assert.equal(cfg.LOG_LEVEL, 'warn')
})

Deno.test('readConfig: a missing required variable is named as missing', () => {
  const err = configErrorOf(() => readConfig(baseConfigSchema, {}))
  assert.deepEqual(err.variables, ['SUPABASE_URL'])
  assert.match(err.message, /^invalid configuration: SUPABASE_URL: missing$/)
  assert.equal(err.name, 'ConfigError')
})

Deno.test('readConfig: malformed values are named, and their values never appear', () => {
  const secret = 'too-short-secret-value'
  const env = {
    SUPABASE_URL: 'ftp://secret-host.example/x',
    LEGACY_JWT_SECRET: secret,
    DB_POOL_MAX: '999',
    LOG_LEVEL: 'shout-the-secret',
  }
  const err = configErrorOf(() => readConfig(baseConfigSchema, env))
  assert.deepEqual(
    [...err.variables].sort(),
    ['DB_POOL_MAX', 'LEGACY_JWT_SECRET', 'LOG_LEVEL', 'SUPABASE_URL'],
  )
  for (const name of err.variables) assert.match(err.message, new RegExp(`${name}: `))
  for (const value of Object.values(env)) {
    assert.ok(!err.message.includes(value), `the message leaks ${value}: ${err.message}`)
  }
  assert.ok(!err.message.includes('secret-host'))
  assert.ok(!err.message.includes('missing'), 'present but malformed is not "missing"')
})

Deno.test('readConfig: a function schema extending the base names its own variables', () => {
  const schema = baseConfigSchema.extend({ OPENAI_API_KEY: z.string().min(1) })
  const err = configErrorOf(() => readConfig(schema, complete))
  assert.deepEqual(err.variables, ['OPENAI_API_KEY'])
  assert.match(err.message, /OPENAI_API_KEY: missing/)
  const cfg = readConfig(schema, { ...complete, OPENAI_API_KEY: 'sk-test' })
  assert.equal(cfg.OPENAI_API_KEY, 'sk-test')
})

Deno.test('readConfig: reads Deno.env when no env is given', () => {
  withEnv({ SUPABASE_URL: 'http://from-env.example:1234' }, () => {
    const cfg = readConfig(baseConfigSchema)
    assert.equal(cfg.SUPABASE_URL, 'http://from-env.example:1234')
  })
})

Deno.test('configProblems: none when the URL and a database are configured', () => {
  withEnv({ ...complete, DATABASE_URL: undefined }, () => {
    assert.deepEqual(configProblems(), [])
  })
  withEnv({ ...complete, SUPABASE_DB_URL: undefined, DATABASE_URL: 'postgresql://x@h/db' }, () => {
    assert.deepEqual(configProblems(), [], 'DATABASE_URL alone is enough')
  })
})

Deno.test('configProblems: names what is missing or malformed, once each', () => {
  withEnv({ SUPABASE_URL: undefined, SUPABASE_DB_URL: undefined, DATABASE_URL: undefined }, () => {
    assert.deepEqual(configProblems().sort(), ['SUPABASE_DB_URL', 'SUPABASE_URL'])
  })
  withEnv({ ...complete, DB_POOL_MAX: 'lots' }, () => {
    assert.deepEqual(configProblems(), ['DB_POOL_MAX'])
  })
  const none = { SUPABASE_URL: undefined, SUPABASE_DB_URL: undefined, DATABASE_URL: undefined }
  withEnv({ ...none, OPENAI_API_KEY: undefined }, () => {
    const schema = baseConfigSchema.extend({ OPENAI_API_KEY: z.string() })
    const problems = configProblems(schema)
    assert.deepEqual(problems.sort(), ['OPENAI_API_KEY', 'SUPABASE_DB_URL', 'SUPABASE_URL'])
  })
})
