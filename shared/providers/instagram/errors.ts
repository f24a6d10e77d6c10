/**
 * What a Graph API error means for the sync queue. Code 190 is an invalid or expired token
 * (a new login is needed); 4, 17, 32 and 613 are rate limits and 1, 2 transient errors (try
 * later); anything else is a request Instagram will keep refusing.
 */
import { failureOfStatus, ProviderError, retryAfterSeconds } from '../errors.ts'

const RATE_LIMITED = new Set([4, 17, 32, 613])
const TRANSIENT = new Set([1, 2])

/** The ProviderError of a non-2xx Graph API response (its body is consumed). */
export async function graphFailure(res: Response): Promise<ProviderError> {
  let error: { code?: number; message?: string; error_subcode?: number } = {}
  try {
    const body = await res.json()
    error = body?.error ?? {}
  } catch {
    // Not JSON (a proxy's page): the status alone decides.
  }
  const retryAfter = retryAfterSeconds(res.headers.get('retry-after'))
  const message = `Instagram ${res.status}: ${(error.message ?? res.statusText).slice(0, 300)}`
  const options = { status: res.status, retryAfterSeconds: retryAfter }
  if (error.code === 190) return new ProviderError('reauth', message, options)
  if (error.code !== undefined && (RATE_LIMITED.has(error.code) || TRANSIENT.has(error.code))) {
    return new ProviderError('retry', message, options)
  }
  return new ProviderError(failureOfStatus(res.status), message, options)
}
