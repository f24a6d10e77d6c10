/**
 * JSON log lines. Only the path is logged, never the query string or headers, where
 * tokens, OAuth codes and API keys travel.
 *
 * Hosted Supabase keeps about 100 log events per 10 s per function, so by default the
 * access log writes only what needs a look: server errors and slow requests.
 */
import { createMiddleware } from 'hono/factory'

const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const
export type LogLevel = keyof typeof levels

/** Which requests the access log writes: every one, only 5xx and slow ones, or none. */
export type AccessLogMode = 'all' | 'errors' | 'off'

/** Writes JSON lines at or above one level. */
export type Logger = {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void
  /** Logs an error with its name and message; stacks stay in the server log only. */
  error(msg: string, err: unknown, requestId?: string): void
}

/** A logger writing lines at `minimum` and above (stderr for warn and error). */
export function createLogger(minimum: LogLevel): Logger {
  const threshold = levels[minimum] ?? levels.info
  const log: Logger['log'] = (level, msg, fields = {}) => {
    if (levels[level] < threshold) return
    const line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })
    if (level === 'error' || level === 'warn') console.error(line)
    else console.log(line)
  }
  return {
    log,
    error(msg, err, requestId) {
      const e = err instanceof Error ? err : new Error(String(err))
      log('error', msg, {
        request_id: requestId,
        error: e.name,
        message: e.message,
        stack: e.stack,
      })
    },
  }
}

export type AccessLogOptions = {
  logger: Logger
  /** Default `errors`: 5xx and slow requests only. */
  mode?: AccessLogMode
  /** A request taking at least this long is logged (as a warning) in `all` and `errors`. */
  slowMs?: number
}

/** Access log middleware: method, path, status, duration and the caller's id. */
export function accessLog({ logger, mode = 'errors', slowMs = 1000 }: AccessLogOptions) {
  return createMiddleware(async function accessLog(c, next) {
    if (mode === 'off') return await next()
    const started = performance.now()
    await next()
    const ms = Math.round((performance.now() - started) * 10) / 10
    const status = c.res.status
    const level = status >= 500 ? 'error' : ms >= slowMs ? 'warn' : mode === 'all' ? 'info' : null
    if (!level) return
    logger.log(level, ms >= slowMs && status < 500 ? 'slow request' : 'request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status,
      ms,
      user_id: c.get('user')?.id,
    })
  })
}
