/**
 * shared/http/errors.ts: what escapes a handler becomes a client error, a 503, or (for a
 * real bug) undefined so the app answers 500.
 */
import assert from 'node:assert/strict'
import { HTTPException } from 'hono/http-exception'
import postgres from 'postgres'
import {
  ApiError,
  badRequest,
  conflict,
  forbidden,
  isDbUnavailable,
  notFound,
  toApiError,
  unauthorized,
} from '../../shared/http/errors.ts'

/** A postgres.js server error: an Error with SQLSTATE `code` and a severity. */
function pgError(code: string, message = 'from the database', extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), {
    name: 'PostgresError',
    severity: 'ERROR',
    code,
    ...extra,
  })
}

function expectApi(err: unknown, status: number, code: string): ApiError {
  const api = toApiError(err)
  assert.ok(api instanceof ApiError, `expected an ApiError for ${err}`)
  assert.equal(api.status, status)
  assert.equal(api.code, code)
  return api
}

Deno.test('toApiError: our SQLSTATE LYnnn maps to status nnn with its message', () => {
  assert.equal(expectApi(pgError('LY403', 'only owners'), 403, 'forbidden').message, 'only owners')
  assert.equal(expectApi(pgError('LY404', 'no such org'), 404, 'not_found').message, 'no such org')
  assert.equal(
    expectApi(pgError('LY409', 'already a member'), 409, 'conflict').message,
    'already a member',
  )
  expectApi(pgError('LY401'), 401, 'unauthorized')
  expectApi(pgError('LY400'), 400, 'invalid_request')
  expectApi(pgError('LY422'), 422, 'invalid_request')
})

Deno.test('toApiError: unique violation → 409 naming the constraint', () => {
  const api = expectApi(
    pgError('23505', 'duplicate key', { constraint_name: 'organizations_slug_key' }),
    409,
    'conflict',
  )
  assert.match(api.message, /organizations_slug_key/)
  assert.match(expectApi(pgError('23505'), 409, 'conflict').message, /unique constraint/)
})

Deno.test('toApiError: check, not-null and format violations → 400 with the message', () => {
  const api = expectApi(
    pgError('23514', 'new row violates check constraint "x"'),
    400,
    'invalid_request',
  )
  assert.match(api.message, /check constraint/)
  expectApi(pgError('23502'), 400, 'invalid_request')
  expectApi(pgError('22P02', 'invalid input syntax for type uuid'), 400, 'invalid_request')
  expectApi(pgError('22007'), 400, 'invalid_request')
  expectApi(
    pgError('23503', 'fk', { constraint_name: 'metrics_org_id_fkey' }),
    400,
    'invalid_request',
  )
  expectApi(pgError('42501', 'permission denied for table secrets'), 403, 'forbidden')
  const slow = expectApi(
    pgError('57014', 'canceling statement due to statement timeout'),
    503,
    'timeout',
  )
  assert.doesNotMatch(slow.message, /canceling/, 'says what to do, not what Postgres said')
})

Deno.test('toApiError: every data exception (SQLSTATE class 22) → 400 with its message', () => {
  const cases: [string, string][] = [
    ['22003', 'value overflows numeric format'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['22001', 'value too long for type character varying(10)'],
    ['22012', 'division by zero'],
    ['22P02', 'invalid input syntax for type uuid'],
    ['22007', 'invalid input syntax for type date'],
  ]
  for (const [code, message] of cases) {
    const api = expectApi(pgError(code, message), 400, 'invalid_request')
    assert.match(api.message, /refused by the database/, code)
    assert.ok(api.message.includes(message), `${code} keeps what Postgres said`)
  }
  // Class 23 stays as it was: a unique violation is a conflict, not bad input.
  expectApi(pgError('23505'), 409, 'conflict')
})

Deno.test('toApiError: a connection failure → 503', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
    code: 'ECONNREFUSED',
  })
  for (
    const err of [
      refused,
      Object.assign(new Error('write CONNECT_TIMEOUT'), { code: 'CONNECT_TIMEOUT' }),
      Object.assign(new Error('Connection closed'), { code: 'CONNECTION_CLOSED' }),
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('53300', 'sorry, too many clients already'),
      new Deno.errors.ConnectionRefused('Connection refused (os error 111)'),
    ]
  ) {
    assert.equal(isDbUnavailable(err), true, String(err))
    const api = expectApi(err, 503, 'unavailable')
    assert.ok(!api.message.includes('127.0.0.1'), 'the address stays in the server log')
  }
})

Deno.test('toApiError: a real postgres.js connection error → 503', async () => {
  const sql = postgres('postgresql://postgres:postgres@127.0.0.1:1/postgres', {
    connect_timeout: 2,
  })
  try {
    const err = await sql`select 1`.then(() => undefined, (e) => e)
    assert.ok(err, 'connecting to a closed port fails')
    expectApi(err, 503, 'unavailable')
  } finally {
    await sql.end({ timeout: 1 })
  }
})

Deno.test('toApiError: client errors pass through, HTTPException keeps its status', () => {
  for (
    const err of [badRequest('x'), unauthorized(), forbidden(), notFound('org'), conflict('y')]
  ) {
    assert.equal(toApiError(err), err)
  }
  assert.equal(notFound('organization').message, 'organization not found')
  expectApi(
    new HTTPException(400, { message: 'Malformed JSON in request body' }),
    400,
    'invalid_request',
  )
  expectApi(new HTTPException(413, { message: 'too big' }), 413, 'http_error')
})

Deno.test('toApiError: anything else is a bug → undefined', () => {
  assert.equal(toApiError(new Error('boom')), undefined)
  assert.equal(toApiError(new TypeError('x is undefined')), undefined)
  assert.equal(toApiError(pgError('42P01', 'relation "nope" does not exist')), undefined)
  assert.equal(toApiError(pgError('42703', 'column does not exist')), undefined)
  assert.equal(toApiError(pgError('LYabc')), undefined)
  assert.equal(toApiError(pgError('LY4040')), undefined)
  assert.equal(toApiError('a string'), undefined)
  assert.equal(toApiError(null), undefined)
  assert.equal(toApiError(undefined), undefined)
  assert.equal(isDbUnavailable(pgError('42P01')), false)
  // A server error whose name mentions a connection is still a server error, not an outage.
  assert.equal(
    isDbUnavailable(Object.assign(new Error('x'), { name: 'ConnectionError', severity: 'ERROR' })),
    false,
  )
})
