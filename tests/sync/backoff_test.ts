/** Retry delays: exponential with equal jitter, capped, and never shorter than Retry-After. */
import assert from 'node:assert/strict'
import { retryDelaySeconds } from '../../supabase/functions/sync/backoff.ts'
import { retryAfterSeconds } from '../../shared/providers/errors.ts'

Deno.test('each attempt waits about twice as long, half of it jitter, at most an hour', () => {
  const low = (attempt: number) => retryDelaySeconds(attempt, { random: () => 0 })
  const high = (attempt: number) => retryDelaySeconds(attempt, { random: () => 0.999999 })
  assert.deepEqual([1, 2, 3, 4].map(low), [15, 30, 60, 120])
  assert.deepEqual([1, 2, 3, 4].map(high), [30, 60, 120, 240])
  assert.equal(high(20), 3600)
  const spread = new Set(Array.from({ length: 50 }, () => retryDelaySeconds(3)))
  assert.ok(spread.size > 5, 'jitter spreads retries')
})

Deno.test('a Retry-After is a floor, spread by at most 10% (30 s)', () => {
  assert.equal(retryDelaySeconds(1, { retryAfterSeconds: 120, random: () => 0 }), 120)
  assert.equal(retryDelaySeconds(1, { retryAfterSeconds: 120, random: () => 0.999 }), 132)
  assert.equal(retryDelaySeconds(5, { retryAfterSeconds: 3600, random: () => 0.999 }), 3630)
  assert.equal(retryDelaySeconds(1, { retryAfterSeconds: 10 ** 6, random: () => 0 }), 6 * 3600)
})

Deno.test('Retry-After is read as seconds or an HTTP date', () => {
  const now = Date.UTC(2026, 0, 1)
  assert.equal(retryAfterSeconds('30', now), 30)
  assert.equal(retryAfterSeconds(new Date(now + 90_000).toUTCString(), now), 90)
  assert.equal(retryAfterSeconds('yesterday', now), undefined)
  assert.equal(retryAfterSeconds(null, now), undefined)
})
