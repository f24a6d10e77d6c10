/**
 * Time zone names. The runtime and Postgres read the same IANA database; the database's
 * own check (`private.is_valid_timezone`) has the last word on spelling.
 */
import { z } from '@hono/zod-openapi'

/** True when `tz` looks like an IANA name and the runtime knows it, spelled as it is. */
export function isValidTimezone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(tz)) return false
  try {
    const known = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone
    // The runtime ignores case ('europe/paris'); the database's check does not. A link
    // ('Asia/Calcutta') resolves to another name and is judged by the database.
    return known === tz || known.toLowerCase() !== tz.toLowerCase()
  } catch {
    return false
  }
}

export const TimezoneSchema = z.string().max(64).refine(isValidTimezone, {
  message: 'not an IANA time zone name (e.g. Europe/Paris)',
}).openapi({ example: 'Europe/Paris' })
