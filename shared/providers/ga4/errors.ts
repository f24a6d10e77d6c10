/**
 * What a failed GA4 call means for the sync queue. Errors reach us from two libraries:
 * google-auth-library's token refresh (a GaxiosError whose body says `invalid_grant` when
 * the user revoked access or the refresh token expired) and google-gax's REST fallback (a
 * GoogleError with a gRPC `code` and the `httpStatusCode`). gax drops the `Retry-After`
 * header, so a 429 is retried on the queue's own schedule.
 */
import { failureOfStatus, ProviderError } from '../errors.ts'

type Ga4Error = Error & {
  code?: number | string
  httpStatusCode?: number
  status?: number
  response?: { status?: number; data?: { error?: string; error_description?: string } }
}

/** gRPC codes google-gax reports: RESOURCE_EXHAUSTED, UNAVAILABLE, DEADLINE_EXCEEDED, ... */
const GRPC_RETRY = new Set([4, 8, 10, 13, 14])
const GRPC_UNAUTHENTICATED = 16

/** The ProviderError for anything a GA4 call threw. */
export function ga4Failure(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err
  const e = (err ?? {}) as Ga4Error
  const message = typeof e.message === 'string' ? e.message : String(err)
  const oauthError = e.response?.data?.error
  if (oauthError === 'invalid_grant' || /\binvalid_grant\b/.test(message)) {
    return new ProviderError('reauth', 'Google refused the refresh token (invalid_grant)', {
      status: 400,
      cause: err,
    })
  }
  if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client') {
    return new ProviderError('fatal', `Google refused the OAuth client (${oauthError})`, {
      status: e.response?.status,
      cause: err,
    })
  }
  const status = e.httpStatusCode ?? e.response?.status ??
    (typeof e.status === 'number' ? e.status : undefined)
  if (status !== undefined) {
    return new ProviderError(failureOfStatus(status), `GA4 ${status}: ${firstLine(message)}`, {
      status,
      cause: err,
    })
  }
  if (e.code === GRPC_UNAUTHENTICATED) {
    return new ProviderError('reauth', firstLine(message), { cause: err })
  }
  if (typeof e.code === 'number' && GRPC_RETRY.has(e.code)) {
    return new ProviderError('retry', firstLine(message), { cause: err })
  }
  // No status at all: the request never got an answer (DNS, refused, reset, timeout).
  return new ProviderError('retry', `GA4 unreachable: ${firstLine(message)}`, { cause: err })
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 300)
}
