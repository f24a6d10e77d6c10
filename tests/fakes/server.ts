/**
 * What every fake provider server shares: a Deno.serve on 127.0.0.1 with a random port, a
 * small router of named routes, a log of every request it received, and scripted
 * responses that replace a route's next answers (a 429, an `invalid_grant`, ...).
 *
 * Test code only: never imported by shared/ or a function.
 */

/** A request as the fake received it, with its body read once. */
export type RecordedRequest = {
  /** The route's name, e.g. 'token' or 'runReport'; '' when nothing matched. */
  route: string
  method: string
  url: URL
  headers: Headers
  body: string
  /** The URL-encoded form body (OAuth token endpoints), when the body is one. */
  form: URLSearchParams | null
  /** The JSON body, when the body is JSON. */
  json: unknown
  /** Path parameters captured by the route's pattern. */
  params: Record<string, string>
}

export type Route = {
  name: string
  method: string
  /** Named groups become `params`. */
  path: RegExp
  handle: (request: RecordedRequest) => Response | Promise<Response>
}

/** Builds the provider's own error response for a scripted failure. */
export type Scripted = (request: RecordedRequest) => Response

export type FakeServer = {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  /** Every request received, in order. */
  requests: RecordedRequest[]
  /** The requests one route received. */
  requestsTo(route: string): RecordedRequest[]
  /** The next `times` requests to `route` get `response` instead of the route's answer. */
  script(route: string, response: Scripted, times?: number): void
  /** Drops recorded requests and pending scripts. */
  reset(): void
  close(): Promise<void>
}

/**
 * Starts a fake on 127.0.0.1: a random port, or `port` when the app under test was told
 * where its provider is before the fake existed (the gateway of scripts/test).
 */
export function serveFake(routes: Route[], options: { port?: number } = {}): FakeServer {
  const requests: RecordedRequest[] = []
  const scripts: { route: string; response: Scripted; remaining: number }[] = []
  const listen = { hostname: '127.0.0.1', port: options.port ?? 0, onListen: () => {} }
  const server = Deno.serve(listen, async (req) => {
    const url = new URL(req.url)
    // gax may send `:runReport` as %3A; matching is on the decoded path.
    const path = decodeURIComponent(url.pathname)
    const route = routes.find((r) => r.method === req.method && r.path.test(path))
    const recorded = await record(req, url, route?.name ?? '', route?.path.exec(path)?.groups)
    requests.push(recorded)
    if (!route) return Response.json({ error: 'not found in the fake' }, { status: 404 })
    const scripted = scripts.find((s) => s.route === route.name && s.remaining > 0)
    if (scripted) {
      scripted.remaining--
      return scripted.response(recorded)
    }
    return await route.handle(recorded)
  })
  const port = server.addr.port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    requestsTo: (name) => requests.filter((r) => r.route === name),
    script: (route, response, times = 1) => {
      if (!routes.some((r) => r.name === route)) throw new Error(`no route named ${route}`)
      scripts.push({ route, response, remaining: times })
    },
    reset: () => {
      requests.length = 0
      scripts.length = 0
    },
    close: () => server.shutdown(),
  }
}

async function record(
  req: Request,
  url: URL,
  route: string,
  params: Record<string, string> = {},
): Promise<RecordedRequest> {
  const body = await req.text()
  const type = req.headers.get('content-type') ?? ''
  let json: unknown = undefined
  if (type.includes('json') && body) {
    try {
      json = JSON.parse(body)
    } catch { /* recorded as text only: the route answers the malformed body */ }
  }
  const form = type.includes('application/x-www-form-urlencoded') ? new URLSearchParams(body) : null
  return { route, method: req.method, url, headers: req.headers, body, form, json, params }
}

/** A random opaque token with a recognisable prefix. */
export function opaqueToken(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  return prefix + btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '')
}

/** A value of `form` or, failing that, of the query string. */
export function param(request: RecordedRequest, name: string): string | null {
  return request.form?.get(name) ?? request.url.searchParams.get(name)
}
