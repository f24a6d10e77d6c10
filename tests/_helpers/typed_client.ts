/**
 * A typed client (`hc<AppType>`) over a stub fetch, for the type-level client tests: each
 * call must compile against a function's real routes, and is recorded instead of sent, so
 * no stack is needed.
 */
import type { Hono } from 'hono'
import { hc } from 'hono/client'

/** One recorded call: its method, and its path below /functions/v1 with the query. */
export type RecordedCall = { method: string; path: string }

const BASE = 'http://lytics.test/functions/v1'

/**
 * A client of `App` whose requests are recorded and answered with `answer` (`{}` unless
 * given), as JSON with status 200.
 *
 * @example
 * const { client, calls } = recordingClient<AppType>()
 * await client.health.live.$get()
 * calls[0] // { method: 'GET', path: '/health/live' }
 */
// deno-lint-ignore no-explicit-any
export function recordingClient<App extends Hono<any, any, any>>(
  options: { answer?: unknown } = {},
) {
  const calls: RecordedCall[] = []
  const client = hc<App>(BASE, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input)
      const method = input instanceof Request ? input.method : init?.method ?? 'GET'
      calls.push({ method, path: `${url.pathname.slice('/functions/v1'.length)}${url.search}` })
      return Promise.resolve(Response.json(options.answer ?? {}))
    },
  })
  return { client, calls }
}
