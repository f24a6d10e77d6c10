/**
 * The fast path of POST /events validation: recognizes a batch that EventBatch certainly
 * accepts unchanged, in one loop of plain comparisons. zod spent ~3–6 µs per event on
 * such batches (docs/performance/ingestion.md); this check spends a fraction of that.
 *
 * It is deliberately narrower than the schema: only `Z` timestamps, only values well
 * inside the age bounds. Anything else, and every invalid batch, goes to zod, which
 * stays the source of truth and names the field in the 400.
 */

/** The limits the check applies; routes.ts passes the schema's own. */
export type BatchLimits = {
  maxEvents: number
  maxFutureMs: number
  maxAgeDays: number
  maxPropertiesBytes: number
}

/** An event as EventBatch outputs it (kept structural: routes.ts infers the real type). */
type PlainEvent = {
  id?: string
  name: string
  occurred_at: string
  actor_id?: string | null
  session_id?: string | null
  properties?: Record<string, unknown>
}

// A UTC timestamp with seconds: a subset of z.iso.datetime({ offset: true }).
const UTC_TIMESTAMP =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z$/

/** Values near a bound go to zod, whose clock is read a moment later. */
const BOUND_MARGIN_MS = 60_000

const KNOWN_KEYS = new Set(['id', 'name', 'occurred_at', 'actor_id', 'session_id', 'properties'])

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype

const isText = (v: unknown, max: number) =>
  typeof v === 'string' && v.length >= 1 && v.length <= max

const isOptionalText = (v: unknown, max: number) => v == null || isText(v, max)

const digits = (s: string, at: number, n: number) => {
  let v = 0
  for (let i = at; i < at + n; i++) v = v * 10 + s.charCodeAt(i) - 48
  return v
}

/**
 * Midnight (UTC, ms) of the `YYYY-MM-DD` that starts `at`, or NaN for a day its month does
 * not have (2026-02-30), which the schema's pattern refuses. A batch spans few days, so
 * the last one is remembered.
 */
function dayStart(at: string, last: { day: string; start: number }): number {
  const day = at.slice(0, 10)
  if (day === last.day) return last.start
  const y = digits(at, 0, 4)
  const m = digits(at, 5, 2)
  const d = digits(at, 8, 2)
  const start = Date.UTC(y, m - 1, d)
  // Date.UTC rolls a day past the month's end into the next month.
  const valid = new Date(start).getUTCDate() === d && y >= 1000
  last.day = day
  last.start = valid ? start : NaN
  return last.start
}

/**
 * Whether `at` is a UTC timestamp inside (earliest, latest). The fraction of a second is
 * ignored: the bounds keep a margin far wider than one second.
 */
function isTimestampInside(
  at: unknown,
  earliest: number,
  latest: number,
  last: { day: string; start: number },
): boolean {
  if (typeof at !== 'string' || !UTC_TIMESTAMP.test(at)) return false
  const ms = dayStart(at, last) +
    ((digits(at, 11, 2) * 60 + digits(at, 14, 2)) * 60 + digits(at, 17, 2)) * 1000
  return ms > earliest && ms < latest
}

type Bounds = { earliest: number; latest: number; last: { day: string; start: number } }

function isPlainEvent(e: unknown, limits: BatchLimits, bounds: Bounds): e is PlainEvent {
  if (!isPlainObject(e)) return false
  for (const key in e) if (!KNOWN_KEYS.has(key)) return false
  if (e.id !== undefined && !isText(e.id, 128)) return false
  if (!isText(e.name, 200)) return false
  if (!isOptionalText(e.actor_id, 200) || !isOptionalText(e.session_id, 200)) return false
  if (!isTimestampInside(e.occurred_at, bounds.earliest, bounds.latest, bounds.last)) {
    return false
  }
  const p = e.properties
  if (p === undefined) return true
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return false
  return JSON.stringify(p).length <= limits.maxPropertiesBytes
}

/**
 * A check for `withFastPath` (shared/http/fast-path.ts): true only when every event of
 * `{ events: [...] }` is in the common shape and certainly valid.
 *
 * @example
 * const check = plainBatchCheck({ maxEvents: 1000, maxFutureMs: 300_000, maxAgeDays: 400,
 *   maxPropertiesBytes: 8192 })
 * check({ events: [{ name: 'signup', occurred_at: new Date().toISOString() }] }) // true
 */
export function plainBatchCheck(limits: BatchLimits) {
  return function isPlainBatch(body: unknown): body is { events: PlainEvent[] } {
    if (!isPlainObject(body)) return false
    for (const key in body) if (key !== 'events') return false
    const events = body.events
    if (!Array.isArray(events) || events.length < 1 || events.length > limits.maxEvents) {
      return false
    }
    const now = Date.now()
    const bounds: Bounds = {
      earliest: now - limits.maxAgeDays * 86_400_000 + BOUND_MARGIN_MS,
      latest: now + limits.maxFutureMs - BOUND_MARGIN_MS,
      last: { day: '', start: NaN },
    }
    for (let i = 0; i < events.length; i++) {
      if (!isPlainEvent(events[i], limits, bounds)) return false
    }
    return true
  }
}
