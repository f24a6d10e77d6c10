/**
 * JSON log lines. Only the path is logged, never the query string or headers, where
 * tokens, OAuth codes and API keys travel.
 */
import { createMiddleware } from 'hono/factory'

const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const
type Level = keyof typeof levels

function enabled(level: Level): boolean {
  const configured = (Deno.env.get('LOG_LEVEL') ?? 'info') as Level
  return levels[level] >= (levels[configured] ?? levels.info)
}

/** Writes one JSON line when `level` is enabled by LOG_LEVEL. */
export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (!enabled(level)) return
  const line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })
  if (level === 'error' || level === 'warn') console.error(line)
  else console.log(line)
}

/** Logs an error with its name and message; stacks stay in the server log only. */
export function logError(msg: string, err: unknown, requestId?: string): void {
  const e = err instanceof Error ? err : new Error(String(err))
  log('error', msg, { request_id: requestId, error: e.name, message: e.message, stack: e.stack })
}

/** Access log middleware: method, path, status, duration and the caller's id. */
export function accessLog() {
  return createMiddleware(async function accessLog(c, next) {
    const started = performance.now()
    await next()
    if (!enabled('info')) return
    log('info', 'request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      user_id: c.get('user')?.id,
    })
  })
}
