/**
 * GET /metrics end to end: what the active organization has stored, for any member, and
 * nothing of another organization's.
 */
import assert from 'node:assert/strict'
import { call, newUser, test } from '../_helpers/stack.ts'
import { newOrg, newTeam } from '../_helpers/orgs.ts'

test('viewers read; other organizations see nothing', async () => {
  const { member, viewer } = await newTeam()
  const rows = [
    { metric_date: '2026-01-01', metric_name: 'sessions', value: 20 },
    { metric_date: '2026-01-02', metric_name: 'sessions', value: 12.5 },
    {
      metric_date: '2026-01-02',
      metric_name: 'sessions',
      value: 3,
      source: 'ga4',
      dimension: 'DE',
    },
    { metric_date: '2026-01-03', metric_name: 'sessions', value: 4, meta: { sampled: true } },
  ]
  const written = await call('POST', '/metrics', { token: member.token, body: { rows } })
  assert.equal(written.status, 200, written.text)

  const list = await call('GET', '/metrics', { token: viewer.token })
  assert.equal(list.status, 200)
  const sessions = list.body.metrics.find((m: { metric_name: string }) =>
    m.metric_name === 'sessions'
  )
  assert.deepEqual(sessions, {
    metric_name: 'sessions',
    first_date: '2026-01-01',
    last_date: '2026-01-03',
    rows: 4,
    sources: ['api', 'ga4'],
  })

  const outsider = await newUser('outsider')
  await newOrg(outsider)
  const theirs = await call('GET', '/metrics', { token: outsider.token })
  assert.deepEqual(theirs.body, { metrics: [] })
  assert.equal((await call('GET', '/metrics')).status, 401)
})
