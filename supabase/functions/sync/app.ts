/**
 * sync: the worker that keeps connected sources' daily numbers in `metrics`. Internal:
 * pg_cron wakes it every minute when something is due (migration 20261201000200_sync.sql),
 * with the project's secret key; no user token is accepted.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import { bearerToken, isServiceCredential } from '../../../shared/auth.ts'
import { createApp } from '../../../shared/http/app.ts'
import { unauthorized } from '../../../shared/http/errors.ts'
import { ErrorSchema, json } from '../../../shared/http/openapi.ts'
import { asService } from '../../../shared/db.ts'
import { rotateStoredCredentials } from './rotation.ts'
import { syncSettings } from './settings.ts'
import { runDueJobs } from './worker.ts'

const RunSummary = z.object({
  claimed: z.number().int().openapi({ description: 'Jobs this wake-up took' }),
  succeeded: z.number().int(),
  retrying: z.number().int().openapi({ description: 'Failed, queued again with backoff' }),
  failed: z.number().int().openapi({ description: 'Failed for good; the source is in error' }),
  needs_reauth: z.number().int().openapi({ description: 'The user must connect again' }),
  left: z.number().int().openapi({ description: 'Due jobs left for the next wake-up' }),
  stopped: z.enum(['idle', 'budget']),
}).openapi('SyncRunSummary')

/** Only the project's secret key (or legacy service key), compared in constant time. */
const requireServiceKey = createMiddleware(async function requireServiceKey(c, next) {
  const token = bearerToken(c.req.header('authorization'))
  if (!token || !isServiceCredential(token)) {
    throw unauthorized('this endpoint takes the project secret key')
  }
  await next()
})

const run = createRoute({
  method: 'post',
  path: '/run',
  summary: 'Run due sync jobs (internal: called by pg_cron through pg_net)',
  description: 'Claims due jobs until none is left or the time budget (~100 s) is spent, ' +
    'and leaves the rest for the next wake-up.',
  security: [{ bearerAuth: [] }],
  middleware: [requireServiceKey] as const,
  responses: {
    200: json(RunSummary, 'What this wake-up did'),
    401: json(ErrorSchema, 'Not the project secret key'),
    503: json(ErrorSchema, 'Misconfigured, or the database is unavailable'),
  },
})

const Rotation = z.object({
  rotated: z.number().int().openapi({ description: 'Credentials re-encrypted now' }),
  current: z.number().int().openapi({ description: 'Credentials already under the newest key' }),
  key_id: z.string().openapi({ description: 'The newest key of LYTICS_ENCRYPTION_KEYS' }),
}).openapi('CredentialRotation')

const rotate = createRoute({
  method: 'post',
  path: '/rotate-credentials',
  summary: 'Re-encrypt stored credentials with the newest key (internal)',
  description: 'Run after putting a new key first in LYTICS_ENCRYPTION_KEYS; once it answers ' +
    '`rotated: 0`, the old keys can be removed.',
  security: [{ bearerAuth: [] }],
  middleware: [requireServiceKey] as const,
  responses: {
    200: json(Rotation, 'What was re-encrypted'),
    401: json(ErrorSchema, 'Not the project secret key'),
    503: json(ErrorSchema, 'Misconfigured, or the database is unavailable'),
  },
})

export const app = createApp('sync', {
  title: 'Sync',
  description: 'Internal worker that syncs connected data sources on a schedule.',
}).openapi(run, async (c) => {
  const worker = `sync:${c.get('requestId')}`
  const summary = await runDueJobs({ worker, settings: syncSettings() })
  return c.json(summary, 200)
}).openapi(rotate, async (c) => {
  const summary = await asService((tx) => rotateStoredCredentials(tx))
  return c.json(summary, 200)
})

export type AppType = typeof app
