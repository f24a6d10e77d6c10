/**
 * pg_cron in the local stack: the migrations' jobs are scheduled, and jobs run in
 * background workers. (A libpq connection, pg_cron's default, was refused by the local
 * cluster's password rule, so every run failed with "connection failed".) Waiting for a
 * run would take up to a minute; the commands themselves are tested in pgTAP.
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
    { jobname: 'lytics-cron-history', schedule: '41 4 * * *', active: true },
    { jobname: 'lytics-event-count-fold', schedule: '*/5 * * * *', active: true },
    { jobname: 'lytics-event-partitions', schedule: '17 3 * * *', active: true },
  ])
})
