/**
 * The gateway's request handling, apart from its startup so tests can build one around
 * functions of their own: `/auth/v1/*` to the auth server, `/functions/v1/<slug>/*` to
 * that function under the edge runtime's limits, the docs UI, and `/_internal/metric`.
 */
import { docsRoutes } from './docs.ts'
import type { Handler } from './functions.ts'
import { BodyTooLarge, capBody, payloadTooLarge, withinWallClock } from './limits.ts'
import { memoryReport } from './memory.ts'

/** The limits a hosted function runs under, and where to report. */
export type GatewayOptions = {
  functions: Map<string, Handler>
  auth: { fetch: Handler }
  /** The largest body any request may send (functions may allow less). */
  maxBodyBytes: number
  /** Per request; the hosted free tier's is 150 s. */
  wallClockMs: number
  /** A hosted isolate's memory; the gateway warns when its own resident size passes it. */
  memoryLimitMb: number
  /** Where warnings go; a JSON line on stderr by default. */
  warn?: (msg: string, fields: Record<string, unknown>) => void
}

const notFound = (path: string) =>
  Response.json(
    { error: { code: 'not_found', message: `no route for ${path}` } },
    { status: 404 },
  )

function warnLine(msg: string, fields: Record<string, unknown>) {
  console.error(JSON.stringify({ ts: new Date().toISOString(), level: 'warn', msg, ...fields }))
}

/** The gateway's fetch handler. */
export function createGateway(options: GatewayOptions): Handler {
  const warn = options.warn ?? warnLine
  const docs = docsRoutes([...options.functions.keys()])
  let overMemory = false

  // Warns once each time the process's resident size crosses the limit upwards.
  const checkMemory = (slug: string) => {
    const report = memoryReport(options.memoryLimitMb)
    if (report.over_limit && !overMemory) {
      warn('memory over the hosted limit', { function: slug, ...report })
    }
    overMemory = report.over_limit
  }

  async function callFunction(slug: string, handler: Handler, req: Request, url: URL) {
    const abort = new AbortController()
    const capped = capBody(req, url, options.maxBodyBytes, abort.signal)
    if (!capped) return payloadTooLarge(options.maxBodyBytes)
    try {
      const res = await withinWallClock(
        options.wallClockMs,
        abort,
        async () => await handler(capped.request),
        () =>
          warn('wall clock limit reached', {
            function: slug,
            path: url.pathname,
            limit_ms: options.wallClockMs,
          }),
      )
      if (!capped.overflowed()) return res
      await res.body?.cancel()
      return payloadTooLarge(options.maxBodyBytes)
    } catch (err) {
      if (capped.overflowed() || err instanceof BodyTooLarge) {
        return payloadTooLarge(options.maxBodyBytes)
      }
      throw err
    } finally {
      checkMemory(slug)
    }
  }

  return function gateway(req: Request): Response | Promise<Response> {
    const url = new URL(req.url)
    if (url.pathname === '/auth/v1' || url.pathname.startsWith('/auth/v1/')) {
      const capped = capBody(req, url, options.maxBodyBytes, new AbortController().signal)
      return capped ? options.auth.fetch(capped.request) : payloadTooLarge(options.maxBodyBytes)
    }
    if (url.pathname === '/_internal/metric') {
      return Response.json(memoryReport(options.memoryLimitMb))
    }
    const page = docs(req, url)
    if (page) return page
    const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname)
    const handler = match && options.functions.get(match[1])
    if (!match || !handler) return notFound(url.pathname)
    // The function sees the path the edge runtime gives it: /<slug>/...
    url.pathname = `/${match[1]}${match[2] ?? ''}`
    return callFunction(match[1], handler, req, url)
  }
}
