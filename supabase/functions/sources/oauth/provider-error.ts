import { z } from 'zod'

/**
 * A provider call that failed. The message carries the HTTP status and the provider's
 * error code only, never a response body or a URL, where tokens and codes travel.
 */
export class ProviderError extends Error {
  constructor(readonly code: string, readonly status: number, what: string) {
    super(`${what} failed: ${status} ${code}`)
    this.name = 'ProviderError'
  }
}

/** The JSON of a provider response, or throws a ProviderError naming its error code. */
export async function providerJson(res: Response, what: string): Promise<unknown> {
  const body: unknown = await res.json().catch(() => null)
  if (res.ok && body !== null) return body
  const b = body as
    | { error?: string | { status?: string; code?: number }; error_type?: string }
    | null
  const code = typeof b?.error === 'string'
    ? b.error
    : b?.error?.status ?? (b?.error?.code !== undefined ? `code_${b.error.code}` : undefined) ??
      b?.error_type ?? 'provider_error'
  throw new ProviderError(
    /^[A-Za-z0-9_]{1,60}$/.test(code) ? code : 'provider_error',
    res.status,
    what,
  )
}

/**
 * The error code to send the browser back with when connecting failed at the provider
 * (an error answer, or one not shaped as documented); undefined for anything else.
 */
export function providerFailure(err: unknown): string | undefined {
  if (err instanceof ProviderError) return err.code
  if (err instanceof z.ZodError) return 'unexpected_provider_answer'
  return undefined
}
