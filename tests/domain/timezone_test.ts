/**
 * The time zone rule in TypeScript (shared/domain/timezone.ts) against the database's
 * (private.is_valid_timezone, which checks pg_timezone_names). The runtime's ICU and
 * Postgres's tz database differ at the edges; ACCEPTED_DIFFERENCES names each one.
 */
import assert from 'node:assert/strict'
import { isValidTimezone } from '../../shared/domain/timezone.ts'
import { adminSql, test } from '../_helpers/stack.ts'

const NAMES = [
  'UTC',
  'Etc/UTC',
  'GMT',
  'Europe/Paris',
  'America/New_York',
  'America/Argentina/Buenos_Aires',
  'Asia/Kolkata',
  'Asia/Calcutta',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'US/Eastern',
  'EST5EDT',
  'Etc/GMT+5',
  'Etc/GMT-14',
  'Europe/Kyiv',
  'Mars/Olympus_Mons',
  'Europe/Atlantis',
  'europe/paris',
  'EUROPE/PARIS',
  'utc',
  'Factory',
  '',
  'UTC+1',
  '+05:30',
  'Z',
  'Europe/Paris ',
  '../etc/passwd',
  'EST5EDT; drop table x',
  'x'.repeat(65),
]

/**
 * Names the two sides judge differently, and why that is safe: a name TypeScript accepts
 * and the database refuses fails the organizations' check (a 400) and, in a dashboard
 * query, is read by `at time zone`, which ignores case; a name only the database accepts
 * is merely refused early.
 */
const ACCEPTED_DIFFERENCES: Record<string, string> = {
  'us/eastern': 'a miscased link: the runtime resolves it to America/New_York',
  'gmt': 'a miscased link: the runtime resolves it to UTC',
  'posixrules': 'a tz database file, not a zone; the runtime does not know it',
  'localtime': 'a tz database file, not a zone; the runtime does not know it',
}

test('isValidTimezone agrees with private.is_valid_timezone, but for the accepted differences', async () => {
  const rows = await adminSql<{ name: string; valid: boolean }[]>`
    select n.name, private.is_valid_timezone(n.name) as valid
    from unnest(${[...NAMES, ...Object.keys(ACCEPTED_DIFFERENCES)]}::text[]) as n(name)`
  const verdicts = rows.map((r) => ({ ...r, differs: isValidTimezone(r.name) !== r.valid }))
  const unexplained = verdicts.filter((r) => r.differs && !(r.name in ACCEPTED_DIFFERENCES))
    .map((r) => `${JSON.stringify(r.name)}: TypeScript ${!r.valid}, SQL ${r.valid}`)
  assert.deepEqual(unexplained, [])
  // A difference that went away (a newer ICU or tz database) is taken off the list.
  const gone = verdicts.filter((r) => !r.differs && r.name in ACCEPTED_DIFFERENCES)
  assert.deepEqual(gone.map((r) => r.name), [])
})
