/**
 * How seed:large spreads its rows: events over days with weekly seasonality and a growing
 * actor pool, metric series over sources and dimensions, and chunking into statements.
 * Pure and deterministic, so a re-run plans the same rows.
 */

/** The bench organizations' timezone: days are planned in it. */
export const TIMEZONE = 'Europe/Berlin'

/** One day of events: how many, the first event number, how many actors exist by then. */
export type DayShare = { day: string; count: number; base: number; pool: number; span: number }

/** One metric series (source, metric, dimension) over its most recent `days` days. */
export type SeriesPlan = {
  source: string
  metric: string
  dimension: string
  base: number
  decimals: number
  days: number
}

// Deterministic (mulberry32), so a re-run spreads the same counts over the same days.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WEEKDAY = [1.0, 1.05, 1.04, 1.01, 0.93, 0.68, 0.72] // Monday first

/**
 * Spreads exactly `total` events over `days` days ending now: traffic growing ~80% over
 * the span, a weekday rhythm, ±7% noise, today only up to now. Largest remainders make
 * the integer counts add up exactly.
 */
export function eventsPlan(
  total: number,
  days: number,
  actors: number,
  now = new Date(),
): DayShare[] {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: TIMEZONE,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(now).map((p) => [p.type, p.value]),
  )
  const today = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day))
  const elapsed = Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second)
  const random = prng(days * 7919 + total)
  const plan = Array.from({ length: days }, (_, d) => {
    const date = new Date(today - (days - 1 - d) * 86_400_000)
    const span = d === days - 1 ? Math.max(elapsed, 60) : 86_400
    const weight = (0.55 + 0.45 * d / Math.max(days - 1, 1)) * WEEKDAY[(date.getUTCDay() + 6) % 7] *
      (0.93 + 0.14 * random()) * span / 86_400
    return { day: date.toISOString().slice(0, 10), weight, span, count: 0, base: 0, pool: 1 }
  })
  const sum = plan.reduce((n, d) => n + d.weight, 0)
  let given = 0
  for (const d of plan) given += d.count = Math.floor(total * d.weight / sum)
  const byRemainder = [...plan].sort((a, b) =>
    (total * b.weight / sum - b.count) - (total * a.weight / sum - a.count)
  )
  for (let i = 0; given < total; i++, given++) byRemainder[i % days].count++
  let base = 0
  let cumulative = 0
  for (const d of plan) {
    cumulative += d.weight
    d.base = base
    base += d.count
    d.pool = Math.max(1, Math.min(actors, Math.ceil(actors * cumulative / sum)))
  }
  return plan.filter((d) => d.count > 0)
}

// Series in the order they are used: an Instagram account, a GA4 property by channel,
// first-party API metrics by plan, then further GA4 properties until the count is reached.
function* seriesCatalog(): Generator<Omit<SeriesPlan, 'days'>> {
  const ig = { reach: 2400, views: 5800, accounts_engaged: 150, total_interactions: 320 }
  for (const [metric, base] of Object.entries({ ...ig, follower_count: 20 })) {
    yield { source: 'instagram', metric, dimension: '', base, decimals: 0 }
  }
  const channels = { organic: 420, direct: 250, referral: 120, social: 130, email: 80 }
  const extra = { paid: 90, display: 30, affiliates: 20 }
  const perSession = {
    sessions: 1,
    activeUsers: 0.78,
    newUsers: 0.35,
    screenPageViews: 2.6,
    engagedSessions: 0.62,
    eventCount: 8.5,
    keyEvents: 0.03,
    totalRevenue: 1.4,
  }
  const ga4 = function* (source: string, scale: number) {
    for (const [metric, ratio] of Object.entries(perSession)) {
      for (const [dimension, sessions] of Object.entries({ ...channels, ...extra })) {
        const decimals = metric === 'totalRevenue' ? 2 : 0
        yield { source, metric, dimension, base: sessions * ratio * scale, decimals }
      }
    }
  }
  yield* ga4('ga4', 1)
  const api = { signups: 12, trials_started: 5, support_tickets: 7, churned_customers: 0.8 }
  for (const [metric, base] of Object.entries(api)) {
    for (const plan of ['free', 'pro', 'team', 'enterprise']) {
      yield { source: 'api', metric, dimension: plan, base, decimals: 0 }
    }
  }
  const random = prng(42)
  for (let site = 2;; site++) {
    yield* ga4(`ga4:site-${String(site).padStart(3, '0')}`, 0.1 + 0.9 * random())
  }
}

/** Exactly `total` metric rows: full `days`-long series, the last one shorter. */
export function metricsPlan(total: number, days: number): SeriesPlan[] {
  const plan: SeriesPlan[] = []
  const catalog = seriesCatalog()
  for (let left = total; left > 0; left -= days) {
    plan.push({ ...catalog.next().value as Omit<SeriesPlan, 'days'>, days: Math.min(days, left) })
  }
  return plan
}

// Users are made as supabase/seed.sql makes them, so they sign in with the local auth server.
// Splits a plan into runs of about `size` rows, never splitting a day or a series.
export function* chunks<T extends { count: number }>(plan: T[], size: number): Generator<T[]> {
  let part: T[] = []
  let rows = 0
  for (const item of plan) {
    part.push(item)
    rows += item.count
    if (rows >= size) {
      yield part
      part = []
      rows = 0
    }
  }
  if (part.length) yield part
}
