/**
 * Asking for a sync now (members, once per five minutes per source) and reading the run
 * history page by page, through the gateway.
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { adminSql, call, test } from '../_helpers/stack.ts'
import { activeGa4Source, team } from './_flow.ts'

const fakes = startStackFakes()

test('POST /sources/:id/sync: a member queues a manual job once per 5 minutes (429 + Retry-After)', async () => {
  const { owner, member, viewer } = await team()
  const id = await activeGa4Source(owner)
  // The backfill queued on connect is done.
  await adminSql`update private.sync_jobs set status = 'succeeded' where source_id = ${id}`

  const byViewer = await call('POST', `/sources/${id}/sync`, { token: viewer.token })
  assert.equal(byViewer.status, 403, byViewer.text)

  const first = await call('POST', `/sources/${id}/sync`, { token: member.token })
  assert.equal(first.status, 202, first.text)
  assert.equal(first.body.queued, true)
  const [job] = await adminSql`
    select kind, status, to_date = current_date - 1 as to_yesterday, to_date - from_date as span
    from private.sync_jobs where id = ${first.body.job_id}`
  assert.deepEqual({ ...job }, { kind: 'manual', status: 'queued', to_yesterday: true, span: 3 })

  const second = await call('POST', `/sources/${id}/sync`, { token: owner.token })
  assert.equal(second.status, 429, second.text)
  assert.equal(second.body.error.code, 'rate_limited')
  const retryAfter = Number(second.headers.get('retry-after'))
  assert.ok(retryAfter > 290 && retryAfter <= 300, `Retry-After: ${retryAfter}`)

  // Five minutes later, with the manual job still queued, that job is the answer.
  await adminSql`
    update public.data_sources set last_manual_sync_at = now() - interval '5 minutes'
    where id = ${id}`
  const third = await call('POST', `/sources/${id}/sync`, { token: member.token })
  assert.equal(third.status, 202, third.text)
  assert.deepEqual(third.body, { job_id: first.body.job_id, queued: false })
})

test('GET /sources/:id/runs: newest first, cursor-paginated, members only', async () => {
  const { owner, viewer, orgId } = await team()
  const id = await activeGa4Source(owner)
  await adminSql`
    insert into public.sync_runs (source_id, org_id, attempt, status, rows_written, from_date,
                                  to_date, finished_at, quota)
    select ${id}, ${orgId}, 1, 'succeeded', n, current_date - 3, current_date - 1, now(),
           ${adminSql.json({ tokensPerDay: { remaining: 24000 } })}
    from generate_series(1, 5) n`

  const first = await call('GET', `/sources/${id}/runs?limit=2`, { token: viewer.token })
  assert.equal(first.status, 200, first.text)
  assert.deepEqual(first.body.runs.map((r: { rows_written: number }) => r.rows_written), [5, 4])
  assert.equal(first.body.runs[0].status, 'succeeded')
  assert.deepEqual(first.body.runs[0].quota, { tokensPerDay: { remaining: 24000 } })
  assert.match(first.body.runs[0].from_date, /^\d{4}-\d{2}-\d{2}$/)

  const second = await call('GET', `/sources/${id}/runs?limit=2&cursor=${first.body.next_cursor}`, {
    token: viewer.token,
  })
  assert.deepEqual(second.body.runs.map((r: { rows_written: number }) => r.rows_written), [3, 2])
  const last = await call('GET', `/sources/${id}/runs?limit=2&cursor=${second.body.next_cursor}`, {
    token: viewer.token,
  })
  assert.deepEqual(last.body.runs.map((r: { rows_written: number }) => r.rows_written), [1])
  assert.equal(last.body.next_cursor, null)

  for (const query of ['limit=0', 'limit=101', 'cursor=abc']) {
    const bad = await call('GET', `/sources/${id}/runs?${query}`, { token: viewer.token })
    assert.equal(bad.status, 400, query)
    assert.match(bad.body.error.message, /query\.(limit|cursor)/)
  }
})

test('close the fake providers', () => fakes.close())
