/** Google APIs' JSON error body (`{ error: { code, message, status } }`) for an HTTP status. */

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
}

const DEFAULT_MESSAGES: Record<number, string> = {
  401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login ' +
    'cookie or other valid authentication credential.',
  403: 'User does not have sufficient permissions for this property.',
  429: 'Exhausted property tokens per hour for a property.',
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
}

export type GoogleFailure = {
  status: number
  message?: string
  /** Seconds, sent as the `Retry-After` header. */
  retryAfter?: number
}

export function googleApiError({ status, message, retryAfter }: GoogleFailure): Response {
  const headers = new Headers({ 'content-type': 'application/json; charset=UTF-8' })
  if (retryAfter !== undefined) headers.set('retry-after', String(retryAfter))
  const body = {
    error: {
      code: status,
      message: message ?? DEFAULT_MESSAGES[status] ?? 'Error',
      status: STATUS_NAMES[status] ?? 'UNKNOWN',
    },
  }
  return new Response(JSON.stringify(body), { status, headers })
}
