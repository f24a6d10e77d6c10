/**
 * One wake-up of the sync worker: claims due jobs one at a time and runs each, until the
 * queue is empty or the time budget is spent; whatever is left waits for the next wake-up
 * (pg_cron's, a minute later). Jobs are run one after another: a sync is mostly waiting on
 * the provider, so this keeps the isolate's CPU time per request small.
 */
import { ConfigError } from '../../../shared/config.ts'
import { CredentialsError } from '../../../shared/credentials.ts'
import { asService } from '../../../shared/db.ts'
import { ProviderError } from '../../../shared/providers/errors.ts'
import { retryDelaySeconds } from './backoff.ts'
import { fetchSource } from './fetch-source.ts'
import {
  beginRun,
  type ClaimedJob,
  claimJobs,
  completeJob,
  dueJobCount,
  failJob,
  type JobOutcome,
  sourceToSync,
  storeMetrics,
} from './queries.ts'
import type { SyncSettings } from './settings.ts'

/**
 * A claimed job is leased this long. Longer than the edge runtime's wall clock (150 s, or
 * 400 s on paid plans), so a live worker never loses its job; a crashed one's job is taken
 * over once this has passed.
 */
export const JOB_LEASE = '7 minutes'

export type RunSummary = {
  claimed: number
  succeeded: number
  retrying: number
  failed: number
  needs_reauth: number
  /** Jobs due but not taken by this wake-up. */
  left: number
  /** Why the worker stopped: nothing more was due, or the time budget was spent. */
  stopped: 'idle' | 'budget'
}

export type RunOptions = {
  worker: string
  settings: SyncSettings
  /** Injectable clock, for tests of the budget. */
  now?: () => number
}

/** Runs due jobs within `settings.SYNC_RUN_BUDGET_MS`. */
export async function runDueJobs(options: RunOptions): Promise<RunSummary> {
  const now = options.now ?? Date.now
  const deadline = now() + options.settings.SYNC_RUN_BUDGET_MS
  const summary: RunSummary = {
    claimed: 0,
    succeeded: 0,
    retrying: 0,
    failed: 0,
    needs_reauth: 0,
    left: 0,
    stopped: 'idle',
  }
  for (;;) {
    if (now() >= deadline) {
      summary.stopped = 'budget'
      break
    }
    const [job] = await asService((tx) =>
      claimJobs(tx, { worker: options.worker, max: 1, lease: JOB_LEASE })
    )
    if (!job) break
    summary.claimed++
    const outcome = await runJob(job, options)
    if (outcome === 'succeeded') summary.succeeded++
    else if (outcome === 'retrying') summary.retrying++
    else if (outcome === 'needs_reauth') summary.needs_reauth++
    else summary.failed++
  }
  summary.left = await asService(dueJobCount)
  return summary
}

/** One attempt at one job, recorded in sync_runs whatever happens. */
export async function runJob(
  job: ClaimedJob,
  options: RunOptions,
): Promise<JobOutcome | 'succeeded'> {
  const { worker } = options
  const run = await asService((tx) => beginRun(tx, { job: job.id, worker }))
  if (!run) return 'lease_lost'
  try {
    const source = await asService((tx) => sourceToSync(tx, { sourceId: job.source_id }))
    if (!source || source.status === 'paused' || source.status === 'needs_reauth') {
      return await asService((tx) =>
        failJob(tx, {
          job: job.id,
          run,
          worker,
          failure: 'skip',
          error: `the source is ${source?.status ?? 'gone'}; nothing was synced`,
          retryInSeconds: 0,
        })
      )
    }
    const fetched = await fetchSource(source, { job })
    const done = await asService(async (tx) => {
      const rowsWritten = await storeMetrics(tx, { sourceId: source.id, rows: fetched.rows })
      return await completeJob(tx, {
        job: job.id,
        run,
        worker,
        rowsWritten,
        quota: fetched.quota,
        deferMinutes: fetched.deferMinutes,
      })
    })
    return done ? 'succeeded' : 'lease_lost'
  } catch (err) {
    const failure = asProviderError(err)
    return await asService((tx) =>
      failJob(tx, {
        job: job.id,
        run,
        worker,
        failure: failure.failure,
        error: failure.message.slice(0, 1000),
        retryInSeconds: retryDelaySeconds(job.attempt, {
          retryAfterSeconds: failure.retryAfterSeconds,
        }),
      })
    )
  }
}

/**
 * Errors that are not the provider's: credentials that no configured key opens (or that do
 * not parse) will not open on a retry either; anything else (the database, a bug) may pass.
 */
function asProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err
  if (err instanceof CredentialsError) return new ProviderError('fatal', err.message)
  // The message names the missing variables, never a value.
  if (err instanceof ConfigError) return new ProviderError('fatal', err.message)
  if ((err as Error)?.name === 'ZodError') {
    return new ProviderError('fatal', 'the stored credentials are not in the expected shape')
  }
  const message = (err as Error)?.message ?? String(err)
  return new ProviderError('retry', `sync failed: ${message.slice(0, 300)}`)
}
