/**
 * How a provider call failed, in the three outcomes the sync queue acts on: try again
 * later (`retry`: 429, 5xx, a network error), ask the user to connect again (`reauth`:
 * `invalid_grant`, a revoked or expired token) or stop (`fatal`: the request itself is
 * wrong, or access to the property was withdrawn).
 *
 * Messages are the provider's error text, which never carries a token; they are stored in
 * `sync_runs.error` and `data_sources.last_error`.
 */

export type ProviderFailure = 'retry' | 'reauth' | 'fatal'

/** A provider call that failed; `retryAfterSeconds` is the provider's own hint, when it gave one. */
export class ProviderError extends Error {
  readonly failure: ProviderFailure
  readonly status: number | undefined
  readonly retryAfterSeconds: number | undefined

  constructor(
    failure: ProviderFailure,
    message: string,
    options: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'ProviderError'
    this.failure = failure
    this.status = options.status
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

/** The failure an HTTP status means when the body says nothing more specific. */
export function failureOfStatus(status: number): ProviderFailure {
  if (status === 401) return 'reauth'
  if (status === 408 || status === 429 || status >= 500) return 'retry'
  return 'fatal'
}

/**
 * Seconds from a `Retry-After` header: delta-seconds or an HTTP date. Anything else (or a
 * date in the past) gives undefined, so the queue falls back to its own backoff.
 */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at) || at <= now) return undefined
  return Math.ceil((at - now) / 1000)
}
