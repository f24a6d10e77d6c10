/**
 * When a failed attempt is tried again: exponential backoff with jitter, so sources that
 * failed together (a provider outage) do not all come back in the same second; a
 * provider's `Retry-After` is a floor, never shortened.
 */

/** First retry after ~30 s, then 1, 2, 4 … minutes, never more than an hour. */
const BASE_SECONDS = 30
const MAX_SECONDS = 3600
/** A Retry-After beyond this is treated as this (a provider asking for days is an outage). */
const MAX_RETRY_AFTER_SECONDS = 6 * 3600

export type RetryDelayOptions = {
  /** The provider's Retry-After, in seconds, when it sent one. */
  retryAfterSeconds?: number
  /** [0, 1); injectable so tests can pin the jitter. */
  random?: () => number
}

/**
 * Seconds to wait before attempt `attempt + 1`, `attempt` being the one that failed (1 for
 * the first). "Equal jitter": half the exponential step fixed, half random.
 *
 * @example
 * retryDelaySeconds(1) // 15..30
 * retryDelaySeconds(3, { retryAfterSeconds: 600 }) // 600..630
 */
export function retryDelaySeconds(attempt: number, options: RetryDelayOptions = {}): number {
  const random = options.random ?? Math.random
  const step = Math.min(MAX_SECONDS, BASE_SECONDS * 2 ** Math.max(0, attempt - 1))
  const backoff = step / 2 + random() * (step / 2)
  if (options.retryAfterSeconds === undefined) return Math.round(backoff)
  const floor = Math.min(options.retryAfterSeconds, MAX_RETRY_AFTER_SECONDS)
  // Spread sources told the same Retry-After over up to 10% (at most 30 s) after it.
  return Math.round(floor + random() * Math.min(30, floor / 10))
}
