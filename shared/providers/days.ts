/** Calendar days in a provider's time zone, as GA4 and Instagram count their days. */

/** `YYYY-MM-DD` of `instant` in `timeZone`. */
export function dayIn(timeZone: string, instant = Date.now()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(instant)
}

/** `date` moved by `days`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

/** Milliseconds of `timeZone`'s offset from UTC at `instant`. */
function offsetAt(timeZone: string, instant: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(instant).map((p) => [p.type, p.value]),
  )
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute)
  return local - Math.floor(instant / 60_000) * 60_000
}

/** The UTC instant (ms) at which `date` starts in `timeZone`. */
export function startOfDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number)
  let guess = Date.UTC(y, m - 1, d)
  // Twice, so a day that starts just after a DST change lands on the right offset.
  for (let i = 0; i < 2; i++) guess = Date.UTC(y, m - 1, d) - offsetAt(timeZone, guess)
  return guess
}
