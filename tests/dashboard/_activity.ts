/**
 * What the engagement tests (active users, retention, feature usage, feed) build and read:
 * one event per actor and day, GET calls to the dashboard, and days counted from today.
 * The organization comes from _helpers/orgs.ts, inserting events from _helpers/events.ts.
 */
import type { CraftedEvent } from '../_helpers/events.ts'
import { call, type Reply, type TestUser } from '../_helpers/stack.ts'

/** One event per (actor, day), at noon UTC of that day. */
export function activity(days: Record<string, string[]>, name = 'page_view'): CraftedEvent[] {
  return Object.entries(days).flatMap(([actor, dates]) =>
    dates.map((day) => ({ id: `${actor}-${day}-${name}`, at: `${day}T12:00:00Z`, name, actor }))
  )
}

/** GET /dashboard<path> as `user`. */
// deno-lint-ignore no-explicit-any
export function dashboard<T = any>(user: TestUser, path: string): Promise<Reply<T>> {
  return call<T>('GET', `/dashboard${path}`, { token: user.token })
}

/** `date` (YYYY-MM-DD) moved by `n` days. */
export function shiftDay(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** Today in UTC, the timezone of the organizations these tests make unless told. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10)
}
