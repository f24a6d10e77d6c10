/**
 * The local stand-in for pg_net's background worker: sends the requests that
 * `net.http_post` / `net.http_get` queued in `net.http_request_queue` and records each
 * outcome in `net._http_response` under the request's id, as pg_net does.
 *
 * Only committed requests are ever seen (the queue is read from another connection), so a
 * rolled-back transaction sends nothing. `net.wake()` NOTIFYs at commit; a slow poll backs
 * that up for notifications missed while the connection was down. Like pg_net, delivery is
 * at most once: a request is taken off the queue before it is sent.
 *
 * Nothing here logs a request's URL, headers or body: they carry secrets from Vault.
 */
import type postgres from 'postgres'

export type NetWorkerOptions = {
  /** A session-mode connection (LISTEN needs one); opened with application_name 'pg_net worker'. */
  sql: postgres.Sql
  /** Requests taken per round; pg_net's `pg_net.batch_size` defaults to 200. */
  batchSize?: number
  /** Backstop poll when no NOTIFY arrives. */
  pollMs?: number
  /** Responses older than this are deleted; pg_net's `pg_net.ttl` defaults to 6 hours. */
  ttl?: string
}

export type NetWorker = { stop(): Promise<void>; drained(): Promise<void> }

type QueuedRequest = {
  id: string
  method: string
  url: string
  headers: Record<string, string> | null
  body: Uint8Array<ArrayBuffer> | null
  timeout_milliseconds: number
}

type Outcome = {
  id: string
  status_code: number | null
  content_type: string | null
  headers: Record<string, string> | null
  content: string | null
  timed_out: boolean
  error_msg: string | null
}

/** Starts draining the queue; `stop()` ends the loop and closes `sql`. */
export function startNetWorker(options: NetWorkerOptions): NetWorker {
  const { sql, batchSize = 200, pollMs = 1000, ttl = '6 hours' } = options
  let stopped = false
  let running: Promise<void> = Promise.resolve()
  let pending = false

  // One drain at a time; a wake-up during a drain runs one more afterwards.
  const wake = () => {
    if (stopped) return
    if (pending) return
    pending = true
    running = running.then(async () => {
      pending = false
      try {
        let taken = 0
        do taken = await drainOnce(sql, batchSize)
        while (taken > 0 && !stopped)
        await sql`delete from net._http_response where created < now() - ${ttl}::interval`
      } catch (err) {
        if (!stopped) console.error(`pg_net stand-in: ${(err as Error).message}`)
      }
    })
  }

  const listening = sql.listen('lytics_pg_net_wake', wake, wake).catch((err) => {
    console.error(`pg_net stand-in: cannot listen: ${(err as Error).message}`)
  })
  const timer = setInterval(wake, pollMs)

  return {
    drained: () => running,
    async stop() {
      stopped = true
      clearInterval(timer)
      await listening
      await running
      await sql.end({ timeout: 1 })
    },
  }
}

async function drainOnce(sql: postgres.Sql, batchSize: number): Promise<number> {
  const batch = await sql<QueuedRequest[]>`
    delete from net.http_request_queue
    where id in (
      select id from net.http_request_queue order by id limit ${batchSize}
      for update skip locked)
    returning id, method, url, headers, body, timeout_milliseconds`
  if (batch.length === 0) return 0
  const outcomes = await Promise.all(batch.map(send))
  await sql`
    insert into net._http_response
      (id, status_code, content_type, headers, content, timed_out, error_msg)
    select id, status_code, content_type, headers, content, timed_out, error_msg
    from jsonb_to_recordset(${sql.json(outcomes)}) as r(
      id bigint, status_code int, content_type text, headers jsonb, content text,
      timed_out bool, error_msg text)`
  return batch.length
}

async function send(request: QueuedRequest): Promise<Outcome> {
  const failed = (error_msg: string, timed_out = false): Outcome => ({
    id: request.id,
    status_code: null,
    content_type: null,
    headers: null,
    content: null,
    timed_out,
    error_msg,
  })
  try {
    const res = await fetch(request.url, {
      method: request.method.toUpperCase(),
      headers: request.headers ?? {},
      body: request.body ?? undefined,
      signal: AbortSignal.timeout(request.timeout_milliseconds),
      redirect: 'manual',
    })
    const content = await res.text()
    return {
      id: request.id,
      status_code: res.status,
      content_type: res.headers.get('content-type'),
      headers: Object.fromEntries(res.headers),
      content,
      timed_out: false,
      error_msg: null,
    }
  } catch (err) {
    // pg_net's own wording for a timeout, so code written against it reads the same.
    if (err instanceof DOMException && err.name === 'TimeoutError') {
      return failed(`Timeout of ${request.timeout_milliseconds} ms reached`, true)
    }
    return failed((err as Error).message)
  }
}
