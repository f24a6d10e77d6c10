/**
 * pg_cron in the local stack: the migrations' jobs are scheduled, and jobs run in
 * background workers. (A libpq connection, pg_cron's default, was refused by the local
 * cluster's password rule, so every run failed with "connection failed".) The jobs'
 * commands themselves are tested in pgTAP.
 */
import assert from 'node:assert/strict'
import { adminSql, test } from '../_helpers/stack.ts'

test('pg_cron runs its jobs in background workers', async () => {
  const [row] = await adminSql<{ workers: string }[]>`
    select current_setting('cron.use_background_workers') as workers`
  assert.equal(row.workers, 'on')
})

test('the migrations schedule their upkeep jobs', async () => {
  const jobs = await adminSql<{ jobname: string; schedule: string; active: boolean }[]>`
    select jobname, schedule, active from cron.job
    where jobname like 'lytics-%' order by jobname`
  assert.deepEqual([...jobs], [
    { jobname: 'lytics-actor-day-rebuilds', schedule: '* * * * *', active: true },
    { jobname: 'lytics-all-event-fold', schedule: '*/10 * * * *', active: true },
    { jobname: 'lytics-cron-history', schedule: '41 4 * * *', active: true },
    { jobname: 'lytics-event-count-fold', schedule: '*/5 * * * *', active: true },
    { jobname: 'lytics-event-detail-fold', schedule: '*/10 * * * *', active: true },
    { jobname: 'lytics-event-detail-rebuilds', schedule: '* * * * *', active: true },
    { jobname: 'lytics-event-partitions', schedule: '17 3 * * *', active: true },
    { jobname: 'lytics-feature-window-fold', schedule: '*/10 * * * *', active: true },
    { jobname: 'lytics-retention-fold', schedule: '*/10 * * * *', active: true },
    { jobname: 'lytics-source-upkeep', schedule: '23 * * * *', active: true },
    { jobname: 'lytics-sync-due', schedule: '* * * * *', active: true },
  ])
})

test('scheduled jobs really run: the every-minute job has succeeded, and no job failed', async () => {
  // The stack started before the pgTAP suite, so the first minute is usually over by now;
  // at worst this waits for the next one.
  const runs = () =>
    adminSql<{ jobname: string; status: string; message: string }[]>`
      select j.jobname, d.status, d.return_message as message
      from cron.job_run_details d join cron.job j using (jobid)
      where j.jobname like 'lytics-%' and d.status in ('succeeded', 'failed')`
  const deadline = Date.now() + 75_000
  let seen = await runs()
  while (!seen.some((r) => r.jobname === 'lytics-actor-day-rebuilds') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    seen = await runs()
  }
  assert.ok(
    seen.some((r) => r.jobname === 'lytics-actor-day-rebuilds' && r.status === 'succeeded'),
    `no successful run yet: ${JSON.stringify(seen)}`,
  )
  assert.deepEqual(seen.filter((r) => r.status === 'failed'), [])
})
