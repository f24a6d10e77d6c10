/**
 * POST /metrics end to end: idempotent upserts, all-or-nothing validation naming every bad
 * row, duplicates within a batch, and who may write.
 */
import assert from 'node:assert/strict'
import { adminSql, call, test } from '../_helpers/stack.ts'
import { createApiKey } from '../_helpers/api_keys.ts'
import { newTeam } from '../_helpers/orgs.ts'
import { problems } from '../_helpers/validation.ts'

let shared: ReturnType<typeof newTeam> | undefined
/** One organization with a user per role, made on first use and shared by these tests. */
const team = () => shared ??= newTeam()

async function total(orgId: string, name: string) {
  const [row] = await adminSql<{ rows: number; sum: string | null }[]>`
    select count(*)::int as rows, sum(value)::text as sum from public.metrics
    where org_id = ${orgId} and metric_name = ${name}`
  return row
}

test('a member writes rows, and the same batch again changes nothing', async () => {
  const { member, orgId } = await team()
  const rows = [
    { metric_date: '2026-01-01', metric_name: 'sessions', value: 10 },
    { metric_date: '2026-01-02', metric_name: 'sessions', value: 12.5 },
    {
      metric_date: '2026-01-02',
      metric_name: 'sessions',
      value: 3,
      source: 'ga4',
      dimension: 'DE',
    },
    { metric_date: '2026-01-02', metric_name: 'sessions', value: 4, meta: { sampled: true } },
  ]
  // The last row has the same key as the second (default source and dimension).
  const dup = await call('POST', '/metrics', { token: member.token, body: { rows } })
  assert.equal(dup.status, 400)
  assert.deepEqual(problems(dup.body), [
    'body.rows[3]: duplicates rows[1] (same metric_name, metric_date, source, dimension)',
  ])
  assert.equal((await total(orgId, 'sessions')).rows, 0, 'nothing of the batch was written')

  rows[3].metric_date = '2026-01-03'
  const first = await call('POST', '/metrics', { token: member.token, body: { rows } })
  assert.equal(first.status, 200, first.text)
  assert.deepEqual(first.body, { written: 4 })
  assert.deepEqual(await total(orgId, 'sessions'), { rows: 4, sum: '29.5' })
  const [updated] = await adminSql`
    select updated_at from public.metrics where org_id = ${orgId} and metric_date = '2026-01-01'`

  const again = await call('POST', '/metrics', { token: member.token, body: { rows } })
  assert.deepEqual(again.body, { written: 4 })
  assert.deepEqual(await total(orgId, 'sessions'), { rows: 4, sum: '29.5' })
  const [unchanged] = await adminSql`
    select updated_at from public.metrics where org_id = ${orgId} and metric_date = '2026-01-01'`
  assert.deepEqual(unchanged, updated, 'an unchanged row is not rewritten')

  // Writing a key again replaces its value.
  const replace = await call('POST', '/metrics', {
    token: member.token,
    body: { rows: [{ metric_date: '2026-01-01', metric_name: 'sessions', value: 20 }] },
  })
  assert.equal(replace.status, 200)
  assert.deepEqual(await total(orgId, 'sessions'), { rows: 4, sum: '39.5' })
  const [meta] = await adminSql`
    select meta, source, dimension from public.metrics
    where org_id = ${orgId} and metric_date = '2026-01-03'`
  assert.deepEqual(meta, { meta: { sampled: true }, source: 'api', dimension: '' })
})

test('an ingest API key writes metrics to its organization', async () => {
  const { admin, orgId } = await team()
  const key = await createApiKey(admin)
  const res = await call('POST', '/metrics', {
    headers: { apikey: key },
    body: {
      rows: [{ metric_date: '2026-02-01', metric_name: 'mrr', value: 1000, source: 'stripe' }],
    },
  })
  assert.deepEqual(res.body, { written: 1 })
  assert.equal((await total(orgId, 'mrr')).rows, 1)
})

test('10,000 rows are accepted, 10,001 refused', async () => {
  const { member, orgId } = await team()
  const rows = (n: number, name: string) =>
    Array.from({ length: n }, (_, i) => ({
      metric_date: new Date(Date.UTC(2025, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(
        0,
        10,
      ),
      metric_name: name,
      dimension: `d${Math.floor(i / 365)}`,
      value: i,
    }))
  const ok = await call('POST', '/metrics', {
    token: member.token,
    body: { rows: rows(10_000, 'bulk') },
  })
  assert.deepEqual(ok.body, { written: 10_000 })
  const over = await call('POST', '/metrics', {
    token: member.token,
    body: { rows: rows(10_001, 'over') },
  })
  assert.equal(over.status, 400)
  assert.match(over.body.error.message, /body\.rows: Too big/)
  assert.equal((await total(orgId, 'over')).rows, 0)
})

test('every bad row is named by index and nothing is written', async () => {
  const { member, orgId } = await team()
  const rows = [
    { metric_date: '2026-01-01', metric_name: 'checked', value: 1 },
    { metric_date: '2026-01-01', metric_name: 'checked', value: '2' },
    { metric_date: '2026-02-30', metric_name: 'checked', value: 3 },
    { metric_date: '2026-01-04', metric_name: '9lives', value: 4 },
    { metric_date: '2026-01-05', metric_name: 'checked', value: 5, source: 'GA4' },
    { metric_date: '2026-01-01', metric_name: 'checked', value: 6 },
  ]
  const res = await call('POST', '/metrics', { token: member.token, body: { rows } })
  assert.equal(res.status, 400)
  const found = problems(res.body)
  for (
    const expected of [
      /^body\.rows\[1\]\.value: .*expected number/,
      /^body\.rows\[2\]\.metric_date: /,
      /^body\.rows\[3\]\.metric_name: /,
      /^body\.rows\[4\]\.source: /,
      /^body\.rows\[1\]: duplicates rows\[0\]/,
      /^body\.rows\[5\]: duplicates rows\[0\]/,
    ]
  ) {
    assert.ok(found.some((p) => expected.test(p)), `${expected} in ${found.join('\n')}`)
  }
  assert.equal(found.length, 6, found.join('\n'))
  assert.equal((await total(orgId, 'checked')).rows, 0)
})

test('every field is checked', async () => {
  const { member } = await team()
  const base = { metric_date: '2026-01-01', metric_name: 'm', value: 1 }
  const cases: [Record<string, unknown>, string][] = [
    [{ ...base, metric_date: '2026-1-1' }, 'metric_date'],
    [{ ...base, metric_date: '1969-12-31' }, 'metric_date'],
    [{ ...base, metric_date: 20260101 }, 'metric_date'],
    [{ ...base, metric_name: '' }, 'metric_name'],
    [{ ...base, metric_name: 'a b' }, 'metric_name'],
    [{ ...base, metric_name: 'x'.repeat(101) }, 'metric_name'],
    [{ ...base, value: null }, 'value'],
    [{ ...base, value: undefined }, 'value'],
    [{ ...base, value: 1e308 }, 'value'],
    [{ ...base, value: -1e16 }, 'value'],
    [{ ...base, value: 1e15 + 1 }, 'value'],
    [{ ...base, source: '' }, 'source'],
    [{ ...base, source: 'x'.repeat(65) }, 'source'],
    [{ ...base, dimension: 'x'.repeat(201) }, 'dimension'],
    [{ ...base, dimension: 'a\u0000' }, 'dimension'],
    [{ ...base, meta: [] }, 'meta'],
    [{ ...base, meta: { big: 'x'.repeat(2000) } }, 'meta'],
    [{ ...base, unit: 'ms' }, 'unit'],
  ]
  for (const [row, field] of cases) {
    const res = await call('POST', '/metrics', { token: member.token, body: { rows: [row] } })
    assert.equal(res.status, 400, `${field}: ${JSON.stringify(row).slice(0, 80)}`)
    assert.ok(
      problems(res.body).some((p) => p.startsWith(`body.rows[0].${field}:`)),
      `${field}: ${res.text}`,
    )
  }
  for (const body of [{}, { rows: [] }, { rows: {} }, { rows: [base], extra: true }]) {
    const res = await call('POST', '/metrics', { token: member.token, body })
    assert.equal(res.status, 400, JSON.stringify(body))
  }
  // JSON cannot say NaN, but 1e400 parses to Infinity, which no sum survives.
  const huge = await call('POST', '/metrics', {
    token: member.token,
    raw: '{"rows": [{"metric_date": "2026-01-01", "metric_name": "m", "value": 1e400}]}',
  })
  assert.equal(huge.status, 400)
  assert.match(huge.body.error.message, /^body\.rows\[0\]\.value: /)
})

test('a viewer cannot write', async () => {
  const { viewer, orgId } = await team()
  const res = await call('POST', '/metrics', {
    token: viewer.token,
    body: { rows: [{ metric_date: '2026-01-01', metric_name: 'viewer', value: 1 }] },
  })
  assert.equal(res.status, 403)
  assert.equal((await total(orgId, 'viewer')).rows, 0)
})
