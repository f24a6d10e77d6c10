/**
 * The queue around the worker: pg_cron's own command enqueues a due source and wakes
 * `sync` through the local pg_net stand-in; two workers at once never run one job; a job
 * whose worker died is taken over after its lease; only the secret key may wake the worker.
 */
import assert from 'node:assert/strict'
import { adminSql, call, newUser, stack, test } from '../_helpers/stack.ts'
import { startStackFakes } from '../fakes/on_stack.ts'
import {
  activeSource,
  enqueue,
  job,
  runsOf,
  runSync,
  runUntilSettled,
  sourceRow,
  utcDay,
} from './fixtures.ts'

const fakes = startStackFakes()
const { google } = fakes
const PROPERTY = google.properties[0].id

function ga4Source() {
  return activeSource({
    provider: 'ga4',
    externalId: `properties/${PROPERTY}`,
    credentials: { refresh_token: google.tokens.issue().refresh_token },
  })
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000) {
  const until = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

test("pg_cron's scheduled command enqueues a due source and pg_net wakes sync", async () => {
  const { sourceId } = await ga4Source()
  await adminSql`update public.data_sources set next_sync_at = now() - interval '1 minute',
                 lookback_days = 2 where id = ${sourceId}`
  const [cronJob] = await adminSql<{ command: string; schedule: string; active: boolean }[]>`
    select command, schedule, active from cron.job where jobname = 'lytics-sync-due'`
  assert.equal(cronJob.schedule, '* * * * *')
  assert.ok(cronJob.active)
  const [{ last }] = await adminSql<{ last: string }[]>`
    select coalesce(max(id), 0)::text as last from net._http_response`

  // The job's own command, as pg_cron runs it (as postgres), without waiting a minute.
  await adminSql.unsafe(cronJob.command)

  const synced = await waitFor('the source to be synced', async () => {
    const row = await sourceRow(sourceId)
    return row.last_synced_at ? row : undefined
  })
  assert.equal(synced.status, 'active')
  assert.ok(synced.next_sync_at! > new Date(Date.now() + 5 * 3600_000), 'next run an interval on')
  const [jobRow] = await adminSql<{ kind: string; from_date: string; to_date: string }[]>`
    select kind, from_date::text, to_date::text from private.sync_jobs where source_id = ${sourceId}`
  assert.deepEqual(jobRow, { kind: 'scheduled', from_date: utcDay(-3), to_date: utcDay(-1) })
  const runs = await runsOf(sourceId)
  assert.deepEqual(runs.map((r) => r.status), ['succeeded'])
  // pg_net recorded the worker's answer (this command's, or pg_cron's own in the meantime).
  const responses = await waitFor('a pg_net response', async () => {
    const rows = await adminSql<{ status_code: number; content: string }[]>`
      select status_code, content from net._http_response where id > ${last}::bigint`
    return rows.length > 0 ? rows : undefined
  })
  assert.ok(responses.every((r) => r.status_code === 200), JSON.stringify(responses))
  assert.ok('claimed' in JSON.parse(responses[0].content))
})

test('two workers at once never run one job', async () => {
  const sources = await Promise.all([ga4Source(), ga4Source(), ga4Source(), ga4Source()])
  const ids = await Promise.all(
    sources.map((s) => enqueue(s.sourceId, { from: utcDay(-2), to: utcDay(-1) })),
  )
  const [a, b] = await Promise.all([runSync(), runSync()])
  assert.equal(a.status, 200, a.text)
  assert.equal(b.status, 200, b.text)
  for (const [i, source] of sources.entries()) {
    const settled = await runUntilSettled(ids[i])
    assert.equal(settled.status, 'succeeded')
    assert.equal(settled.attempt, 1, 'claimed once')
    const runs = await runsOf(source.sourceId)
    assert.deepEqual(runs.map((r) => [r.job_id, r.attempt, r.status]), [[ids[i], 1, 'succeeded']])
  }
})

test('claim_sync_jobs hands a job to one of two concurrent claimers only', async () => {
  const { sourceId } = await ga4Source()
  const id = await enqueue(sourceId, { from: utcDay(-2), to: utcDay(-1) })
  // Two transactions claim at once; each sees the other's lock and skips it.
  const claim = (worker: string) =>
    adminSql.begin(async (tx) => {
      const rows = await tx<{ id: string }[]>`
        select id::text from private.claim_sync_jobs(${worker}, 50, interval '1 minute')`
      await new Promise((r) => setTimeout(r, 300))
      return rows.map((r) => r.id)
    })
  const [first, second] = await Promise.all([claim('claimer-a'), claim('claimer-b')])
  assert.equal([...first, ...second].filter((j) => j === id).length, 1)
  // Hand back everything the two took (other tests' due jobs included) for the worker.
  await adminSql`update private.sync_jobs set status = 'queued', leased_by = null,
                 leased_until = null, attempt = attempt - 1
                 where leased_by in ('claimer-a', 'claimer-b') and status = 'running'`
  assert.equal((await runUntilSettled(id)).status, 'succeeded')
})

test('a worker killed mid-job: the job is taken over once its lease expires', async () => {
  const { sourceId } = await ga4Source()
  const id = await enqueue(sourceId, { from: utcDay(-2), to: utcDay(-1) })
  // What a claim with a one-second lease does, for this job only; then the worker dies
  // after recording its attempt.
  await adminSql`update private.sync_jobs set status = 'running', attempt = attempt + 1,
                 leased_by = 'crashed-worker', leased_until = now() + interval '1 second'
                 where id = ${id}`
  const [{ run }] = await adminSql<{ run: string }[]>`
    select private.begin_sync_run(${id}::bigint, 'crashed-worker')::text as run`
  assert.ok(run)
  await new Promise((r) => setTimeout(r, 1200))

  const settled = await runUntilSettled(id)
  assert.equal(settled.status, 'succeeded')
  assert.equal(settled.attempt, 2)
  assert.notEqual(settled.leased_by, 'crashed-worker')
  const runs = await runsOf(sourceId)
  assert.deepEqual(runs.map((r) => [r.attempt, r.status]), [[1, 'running'], [2, 'succeeded']])

  // The dead worker coming back cannot overwrite what its successor did.
  const [{ done }] = await adminSql<{ done: boolean }[]>`
    select private.complete_sync_job(${id}::bigint, ${run}::bigint, 'crashed-worker', 0, null,
                                     interval '0') as done`
  assert.equal(done, false)
  assert.equal((await job(id)).status, 'succeeded')
  assert.equal((await runsOf(sourceId))[0].status, 'failed')
})

test('only the secret key wakes the worker: a user token or the publishable key gets 401', async () => {
  const outsider = await newUser('sync-outsider')
  await call('POST', '/orgs', { token: outsider.token, body: { name: 'Outsider' } })
  for (const token of [outsider.token, stack.publishableKey, `${stack.secretKey}x`, '']) {
    const res = await runSync(token)
    assert.equal(res.status, 401, res.text)
    assert.equal(res.body.error.code, 'unauthorized')
  }
  const res = await call('POST', '/sync/run', {})
  assert.equal(res.status, 401)
})

test('close the fakes', () => fakes.close())
