/**
 * The 400 every function answers for invalid input: code `invalid_request`, a message of
 * `path: problem` parts, and the problems themselves in `details`.
 */
import assert from 'node:assert/strict'
import type { Reply } from './stack.ts'

/**
 * Asserts a 400 whose message names `field` (e.g. `body.name`, `query.filters[0].op`),
 * and, when given, matches `message`.
 */
export function assertInvalid(res: Reply, field: string, message?: RegExp): void {
  assert.equal(res.status, 400, res.text)
  assert.equal(res.body.error.code, 'invalid_request', res.text)
  const escaped = field.replace(/[.[\]]/g, '\\$&')
  assert.match(res.body.error.message, new RegExp(`${escaped}:`), res.text)
  if (message) assert.match(res.body.error.message, message, res.text)
}

/** The problems listed by a 400 as `path: message` strings. */
export function problems(body: { error?: { details?: { path: string; message: string }[] } }) {
  return (body.error?.details ?? []).map((p) => `${p.path}: ${p.message}`)
}
