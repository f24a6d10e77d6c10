/**
 * Unit tests of report/range.ts: presets relative to today in a timezone, explicit dates,
 * comparison windows (29 February included), timezone validation (the shared rule the
 * range's timezone uses) and the range rules; and of the calendar spans that
 * report/buckets.ts cuts a window into.
 */
import assert from 'node:assert/strict'
import { isValidTimezone } from '../../shared/domain/timezone.ts'
import { dateSpans } from '../../shared/analytics/buckets.ts'
import {
  addDays,
  compareWindow,
  daysBetween,
  rangeQuerySchema,
  resolveWindow,
  todayIn,
  withRangeRules,
  yearBefore,
} from '../../shared/analytics/range.ts'

// 2026-03-15 12:00 UTC: still the 15th in New York and already the 16th in Auckland.
const now = new Date('2026-03-15T12:00:00Z')

Deno.test('presets end today and include it', () => {
  assert.deepEqual(resolveWindow({ range: '7d' }, 'UTC', { now }), {
    from: '2026-03-09',
    to: '2026-03-15',
    days: 7,
  })
  assert.deepEqual(resolveWindow({ range: '28d' }, 'UTC', { now }), {
    from: '2026-02-16',
    to: '2026-03-15',
    days: 28,
  })
  assert.deepEqual(resolveWindow({ range: '90d' }, 'UTC', { now }), {
    from: '2025-12-16',
    to: '2026-03-15',
    days: 90,
  })
  assert.deepEqual(
    resolveWindow({}, 'UTC', { now }),
    resolveWindow({ range: '28d' }, 'UTC', { now }),
  )
})

Deno.test('mtd and ytd start on the first of the month and of the year', () => {
  assert.deepEqual(resolveWindow({ range: 'mtd' }, 'UTC', { now }), {
    from: '2026-03-01',
    to: '2026-03-15',
    days: 15,
  })
  assert.deepEqual(resolveWindow({ range: 'ytd' }, 'UTC', { now }), {
    from: '2026-01-01',
    to: '2026-03-15',
    days: 74,
  })
  // On the first day of the year, ytd and mtd are that one day.
  const newYear = new Date('2026-01-01T08:00:00Z')
  assert.deepEqual(resolveWindow({ range: 'ytd' }, 'UTC', { now: newYear }), {
    from: '2026-01-01',
    to: '2026-01-01',
    days: 1,
  })
})

Deno.test("today is the timezone's today", () => {
  assert.equal(todayIn('UTC', now), '2026-03-15')
  assert.equal(todayIn('Pacific/Auckland', now), '2026-03-16')
  assert.equal(todayIn('America/New_York', new Date('2026-03-15T03:00:00Z')), '2026-03-14')
  assert.deepEqual(
    resolveWindow({ range: 'mtd' }, 'Pacific/Auckland', { now: new Date('2026-03-31T12:00:00Z') }),
    {
      from: '2026-04-01',
      to: '2026-04-01',
      days: 1,
    },
  )
})

Deno.test('explicit dates win over a preset', () => {
  assert.deepEqual(
    resolveWindow({ range: '7d', from: '2024-02-28', to: '2024-03-01' }, 'UTC', { now }),
    {
      from: '2024-02-28',
      to: '2024-03-01',
      days: 3,
    },
  )
})

Deno.test('previous_period is the equally long span just before', () => {
  const window = { from: '2026-03-09', to: '2026-03-15', days: 7 }
  assert.deepEqual(compareWindow(window, 'previous_period'), {
    from: '2026-03-02',
    to: '2026-03-08',
    days: 7,
  })
  assert.deepEqual(
    compareWindow({ from: '2026-03-01', to: '2026-03-31', days: 31 }, 'previous_period'),
    {
      from: '2026-01-29',
      to: '2026-02-28',
      days: 31,
    },
  )
  assert.equal(compareWindow(window, 'none'), null)
})

Deno.test('previous_year takes the same dates, 29 February becoming the 28th', () => {
  assert.deepEqual(
    compareWindow({ from: '2026-03-09', to: '2026-03-15', days: 7 }, 'previous_year'),
    {
      from: '2025-03-09',
      to: '2025-03-15',
      days: 7,
    },
  )
  assert.deepEqual(
    compareWindow({ from: '2024-02-01', to: '2024-02-29', days: 29 }, 'previous_year'),
    {
      from: '2023-02-01',
      to: '2023-02-28',
      days: 28,
    },
  )
  assert.deepEqual(
    compareWindow({ from: '2024-02-29', to: '2024-03-01', days: 2 }, 'previous_year'),
    {
      from: '2023-02-28',
      to: '2023-03-01',
      days: 2,
    },
  )
  assert.equal(yearBefore('2025-02-28'), '2024-02-28')
  assert.equal(yearBefore('2026-12-31'), '2025-12-31')
})

Deno.test('date arithmetic crosses months, years and leap days', () => {
  assert.equal(addDays('2024-02-28', 1), '2024-02-29')
  assert.equal(addDays('2025-02-28', 1), '2025-03-01')
  assert.equal(addDays('2026-01-01', -1), '2025-12-31')
  assert.equal(daysBetween('2024-01-01', '2025-01-01'), 366)
  assert.equal(daysBetween('2026-03-08', '2026-03-08'), 0)
})

Deno.test('timezones are IANA names the runtime knows', () => {
  for (const tz of ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata']) {
    assert.equal(isValidTimezone(tz), true, tz)
  }
  for (const tz of ['Mars/Olympus_Mons', '', '../etc/passwd', "UTC'; drop", 'x'.repeat(80)]) {
    assert.equal(isValidTimezone(tz), false, tz)
  }
})

const schema = withRangeRules(rangeQuerySchema)

function problems(input: Record<string, string>): string[] {
  const parsed = schema.safeParse(input)
  if (parsed.success) return []
  return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

Deno.test('range rules: both dates or none, ordered, bounded, real', () => {
  assert.deepEqual(problems({ from: '2026-01-01', to: '2026-01-31' }), [])
  assert.deepEqual(problems({ range: 'ytd', timezone: 'Europe/Berlin' }), [])
  assert.match(problems({ from: '2026-01-01' })[0], /^to: /)
  assert.match(problems({ to: '2026-01-01' })[0], /^from: /)
  assert.match(problems({ from: '2026-02-02', to: '2026-02-01' })[0], /^from: must not be after/)
  assert.match(problems({ from: '2024-01-01', to: '2026-01-01' })[0], /^to: range is longer/)
  assert.deepEqual(problems({ from: '2024-01-01', to: '2025-12-31' }), []) // 731 days
  assert.match(problems({ from: '2026-02-29', to: '2026-03-01' })[0], /^from: not a real/)
  assert.match(problems({ from: '2026-13-45', to: '2026-12-01' })[0], /^from: /)
  assert.match(problems({ from: 'tomorrow', to: '2026-12-01' })[0], /^from: /)
  assert.match(problems({ range: '14d' })[0], /^range: /)
  assert.match(problems({ timezone: 'Nowhere/City' })[0], /^timezone: not a known/)
})

Deno.test('dateSpans: clipped ISO weeks and months', () => {
  assert.deepEqual(dateSpans({ from: '2026-03-04', to: '2026-03-10', days: 7 }, 'week'), [
    { windowIndex: 0, from: '2026-03-04', to: '2026-03-08' },
    { windowIndex: 0, from: '2026-03-09', to: '2026-03-10' },
  ])
  assert.deepEqual(
    dateSpans({ from: '2024-02-29', to: '2024-04-01', days: 33 }, 'month', { windowIndex: 1 }),
    [
      { windowIndex: 1, from: '2024-02-29', to: '2024-02-29' },
      { windowIndex: 1, from: '2024-03-01', to: '2024-03-31' },
      { windowIndex: 1, from: '2024-04-01', to: '2024-04-01' },
    ],
  )
  assert.equal(dateSpans({ from: '2025-12-31', to: '2026-01-01', days: 2 }, 'day').length, 2)
  // 2026-03-09 is a Monday: a week range starting on it is one full bucket.
  assert.deepEqual(dateSpans({ from: '2026-03-09', to: '2026-03-15', days: 7 }, 'week'), [
    { windowIndex: 0, from: '2026-03-09', to: '2026-03-15' },
  ])
})
