/**
 * Syncing on request and the history of runs. Any member may ask for a sync now (at most
 * once per five minutes per source); sync does the work, never this request.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asService, asUser } from '../../../../shared/db.ts'
import { conflict, notFound, TooManyRequests } from '../../../../shared/http/errors.ts'
import { json, tooManyRequests, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { findSource } from '../connections/queries.ts'
import { SourceParams } from '../schemas.ts'
import {
  claimManualSync,
  enqueueManualSync,
  listRuns,
  MANUAL_SYNC_EVERY_SECONDS,
} from './queries.ts'

const tags = ['Sync runs']

const SyncRequested = z.object({
  job_id: z.number().int(),
  queued: z.boolean().openapi({
    description: 'False when a job of this source was already queued or running; that is the job',
  }),
}).openapi('SyncRequested')

const Run = z.object({
  id: z.number().int(),
  attempt: z.number().int(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  status: z.enum(['running', 'succeeded', 'failed', 'retrying', 'needs_reauth']),
  rows_written: z.number().int(),
  from_date: z.string().nullable(),
  to_date: z.string().nullable(),
  error: z.string().nullable(),
  quota: z.unknown().openapi({ description: "The provider's quota left, as it reported it" }),
}).openapi('SyncRun')

const RunsQuery = z.object({
  cursor: z.string().regex(/^\d{1,18}$/, 'expected the next_cursor of a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})

const syncRoute = userRoute({
  method: 'post',
  path: '/{id}/sync',
  tags,
  summary: `Sync now (any member but viewers; once per ${MANUAL_SYNC_EVERY_SECONDS / 60} ` +
    'minutes per source)',
  request: { params: SourceParams },
  responses: {
    202: json(SyncRequested, 'Queued; sync picks it up within a minute'),
    429: tooManyRequests('Asked too recently'),
  },
})

const runsRoute = userRoute({
  method: 'get',
  path: '/{id}/runs',
  tags,
  summary: "The source's sync attempts, newest first (any member)",
  request: { params: SourceParams, query: RunsQuery },
  responses: {
    200: json(
      z.object({ runs: z.array(Run), next_cursor: z.string().nullable() }),
      'A page of runs; pass next_cursor as cursor for the next one',
    ),
  },
})

/** The sync and history routes of the sources app. */
export const runRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(syncRoute, async (c) => {
    const { id } = c.req.valid('param')
    const source = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'member' })
      return await findSource(tx, { orgId: org.id, id })
    })
    if (!source) throw notFound('data source')
    if (source.status !== 'active') {
      throw conflict(`the source is ${source.status}; only an active source syncs`)
    }
    const outcome = await asService(async (tx) => {
      const slot = await claimManualSync(tx, { id })
      return slot.ok ? { ...await enqueueManualSync(tx, { id }), retryAfter: 0 } : slot
    })
    if ('retryAfter' in outcome && outcome.retryAfter > 0) {
      throw new TooManyRequests(
        'rate_limited',
        `a sync of this source was asked for less than ${MANUAL_SYNC_EVERY_SECONDS / 60} ` +
          `minutes ago; try again in ${outcome.retryAfter} s`,
        outcome.retryAfter,
      )
    }
    const queued = outcome as { jobId: number; queued: boolean }
    return c.json({ job_id: queued.jobId, queued: queued.queued }, 202)
  })
  .openapi(runsRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { cursor, limit } = c.req.valid('query')
    const page = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      if (!await findSource(tx, { orgId: org.id, id })) return undefined
      return await listRuns(tx, {
        orgId: org.id,
        sourceId: id,
        before: cursor === undefined ? undefined : Number(cursor),
        limit,
      })
    })
    if (!page) throw notFound('data source')
    return c.json(page, 200)
  })
