/**
 * CSV export of series and breakdown: negotiation by `format` and `Accept`, the
 * attachment headers, exact content, RFC 4180 quoting and neutralized formulas.
 */
import assert from 'node:assert/strict'
import { test } from '../_helpers/stack.ts'
import { csvCell, csvLine } from '../../supabase/functions/dashboard/csv.ts'
import { newOrgOwner } from '../_helpers/orgs.ts'
import { insertEvents } from '../_helpers/events.ts'
import { getReport, insertMetrics } from './_reports.ts'

test('csvCell: quoting, formulas, numbers and empties', () => {
  assert.equal(csvCell('plain'), 'plain')
  assert.equal(csvCell('a,b'), '"a,b"')
  assert.equal(csvCell('say "hi"'), '"say ""hi"""')
  assert.equal(csvCell('two\nlines'), '"two\nlines"')
  assert.equal(csvCell('=1+1'), "'=1+1")
  assert.equal(csvCell('+1'), "'+1")
  assert.equal(csvCell('-1'), "'-1")
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)")
  assert.equal(csvCell('\tx'), "'\tx")
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`)
  assert.equal(csvCell(-5), '-5')
  assert.equal(csvCell(0.25), '0.25')
  assert.equal(csvCell(null), '')
  assert.equal(csvCell(undefined), '')
  assert.equal(csvLine(['a', 1, null]), 'a,1,\r\n')
})

test('csv: breakdown with format=csv quotes and neutralizes keys', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  await insertMetrics(user.orgId, [
    ['sessions', '2026-04-01', 'ga', '=HYPERLINK("http://evil","x")', 40],
    ['sessions', '2026-04-01', 'ga', 'a, b', 30],
    ['sessions', '2026-04-01', 'ga', 'line\nbreak', 20],
    ['sessions', '2026-04-01', 'ga', '-2+3', 10],
  ])
  const res = await getReport(user, 'breakdown', {
    series: 'metric:sessions',
    by: 'dimension',
    from: '2026-04-01',
    to: '2026-04-01',
    format: 'csv',
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8')
  assert.match(
    res.headers.get('content-disposition') ?? '',
    /^attachment; filename="breakdown-dimension-2026-04-01-2026-04-01\.csv"$/,
  )
  assert.equal(
    res.text,
    'key,value,share\r\n' +
      `"'=HYPERLINK(""http://evil"",""x"")",40,0.4\r\n` +
      '"a, b",30,0.3\r\n' +
      '"line\nbreak",20,0.2\r\n' +
      "'-2+3,10,0.1\r\n",
  )
})

test('csv: series with Accept: text/csv, one row per series and bucket', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  await insertEvents(user.orgId, [
    { name: 'signup', at: '2026-06-02T10:00:00Z' },
    { name: 'signup', at: '2026-05-30T10:00:00Z' },
  ])
  await insertMetrics(user.orgId, [['sessions', '2026-06-01', 'ga', '', 2.5]])
  const res = await getReport(user, 'series', {
    series: 'event:signup,metric:sessions',
    from: '2026-06-01',
    to: '2026-06-02',
    compare: 'previous_period',
  }, { accept: 'text/csv' })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8')
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="series-/)
  assert.equal(
    res.text,
    'series,bucket,start,end,value,comparison_bucket,comparison_value\r\n' +
      'event:signup,2026-06-01,2026-06-01T00:00:00.000Z,2026-06-02T00:00:00.000Z,0,2026-05-30,1\r\n' +
      'event:signup,2026-06-02,2026-06-02T00:00:00.000Z,2026-06-03T00:00:00.000Z,1,2026-05-31,0\r\n' +
      'metric:sessions,2026-06-01,2026-06-01T00:00:00.000Z,2026-06-02T00:00:00.000Z,2.5,2026-05-30,0\r\n' +
      'metric:sessions,2026-06-02,2026-06-02T00:00:00.000Z,2026-06-03T00:00:00.000Z,0,2026-05-31,0\r\n',
  )
})

test('csv: JSON stays the default, and format=json wins over Accept', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const query = { series: 'events', from: '2026-06-01', to: '2026-06-01' }
  const plain = await getReport(user, 'series', query)
  assert.match(plain.headers.get('content-type') ?? '', /application\/json/)
  const forced = await getReport(user, 'series', { ...query, format: 'json' }, {
    accept: 'text/csv',
  })
  assert.match(forced.headers.get('content-type') ?? '', /application\/json/)
  assert.equal(forced.body.series[0].values.length, 1)
  const empty = await getReport(user, 'breakdown', { ...query, by: 'event_name' }, {
    accept: 'text/csv, application/json;q=0.5',
  })
  assert.equal(empty.text, 'key,value,share\r\n')
})

test('csv: errors stay JSON', async () => {
  const user = await newOrgOwner({ timezone: 'UTC' })
  const res = await getReport(user, 'series', { series: 'nope', format: 'csv' })
  assert.equal(res.status, 400)
  assert.match(res.headers.get('content-type') ?? '', /application\/json/)
})
