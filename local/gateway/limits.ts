/**
 * What the edge runtime enforces on a request, enforced by the local gateway so a local
 * test fails where a deployed function would: a body size cap and a wall-clock limit.
 */
import { formatBytes } from '../../shared/http/body-limit.ts'

/**
 * How the edge runtime answers a request its worker could not finish within a resource
 * limit (wall clock, memory, CPU): status 546 and this body, as the Supabase CLI's
 * `functions serve` main service returns it (supabase/cli
 * internal/functions/serve/templates/main.ts).
 */
export function workerLimitResponse(): Response {
  return Response.json(
    {
      code: 'WORKER_LIMIT',
      message: 'Worker failed to respond due to a resource limit (please check logs)',
    },
    { status: 546 },
  )
}

/** The 413 of an over-sized body, in the project's error shape like the functions' own. */
export function payloadTooLarge(maxBytes: number): Response {
  return Response.json(
    {
      error: {
        code: 'payload_too_large',
        message: `the body is larger than ${formatBytes(maxBytes)}`,
        details: { max_bytes: maxBytes },
      },
    },
    { status: 413 },
  )
}

/** Raised inside a capped body stream when it passes its cap. */
export class BodyTooLarge extends Error {
  constructor() {
    super('request body over the gateway limit')
    this.name = 'BodyTooLarge'
  }
}

/**
 * The request with its body capped at `maxBytes`: undefined when Content-Length already
 * says it is larger; otherwise a copy whose body stream errors with BodyTooLarge (and
 * sets `overflowed`) once more bytes than that arrive, so a chunked body is never held
 * whole. `signal` aborts the function's view of the request at the wall-clock limit.
 */
export function capBody(
  req: Request,
  url: URL,
  maxBytes: number,
  signal: AbortSignal,
): { request: Request; overflowed: () => boolean } | undefined {
  const announced = req.headers.get('content-length')
  if (announced !== null && Number(announced) > maxBytes) return undefined
  let overflow = false
  let body: ReadableStream<Uint8Array> | null = req.body
  if (body) {
    let received = 0
    body = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          received += chunk.byteLength
          if (received > maxBytes) {
            overflow = true
            controller.error(new BodyTooLarge())
          } else controller.enqueue(chunk)
        },
      }),
    )
  }
  const request = new Request(url, {
    method: req.method,
    headers: req.headers,
    body,
    signal,
    redirect: req.redirect,
    // @ts-ignore: Deno needs duplex for a streamed body; the lib types lack it.
    duplex: 'half',
  })
  return { request, overflowed: () => overflow }
}

/**
 * `work()`'s response, or the runtime's 546 when it takes longer than `ms`. The work is
 * told through `abort` and left to finish on its own: the gateway is one process, so it
 * cannot terminate one function the way the runtime ends a worker.
 */
export async function withinWallClock(
  ms: number,
  abort: AbortController,
  work: () => Promise<Response>,
  onTimeout: () => void,
): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), ms)
  })
  const running = work()
  try {
    const first = await Promise.race([running, expired])
    if (first !== 'expired') return first
    onTimeout()
    abort.abort(new DOMException('wall clock limit reached', 'TimeoutError'))
    // A late answer or failure has no one to go to.
    running.then((res) => res.body?.cancel(), () => {})
    return workerLimitResponse()
  } finally {
    clearTimeout(timer)
  }
}
