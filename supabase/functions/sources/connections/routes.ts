/**
 * A connected source: list, read, change its schedule, pause/resume, disconnect. Members
 * read; admins and owners change (decided in SQL: RLS, the policies and the status guard).
 * Another organization's source is 404 everywhere.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { notFound } from '../../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { DataSource, SourceParams } from '../schemas.ts'
import { revokeAtProvider } from './disconnect.ts'
import {
  changeSettings,
  changeStatus,
  disconnectSource,
  findSource,
  listSources,
} from './queries.ts'

const tags = ['Data sources']

const Settings = z.strictObject({
  sync_interval_minutes: z.number().int().min(15).max(10080).optional(),
  lookback_days: z.number().int().min(0).max(30).optional(),
  backfill_days: z.number().int().min(1).max(730).optional(),
}).refine((s) => Object.keys(s).length > 0, 'give at least one setting').openapi('SourceSettings')

const DisconnectQuery = z.object({
  delete_metrics: z.enum(['true', 'false']).optional().openapi({
    description: 'Also delete the metrics this source synced (default: they stay)',
  }),
})

const listRoute = userRoute({
  method: 'get',
  path: '/',
  tags,
  summary: "The active organization's data sources (any member)",
  responses: { 200: json(z.object({ sources: z.array(DataSource) }), 'Sources') },
})

const getRoute = userRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'One data source (any member)',
  request: { params: SourceParams },
  responses: { 200: json(DataSource, 'The source') },
})

const patchRoute = userRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change the sync interval, look-back or backfill days (admin or owner)',
  request: { params: SourceParams, body: jsonBody(Settings) },
  responses: { 200: json(DataSource, 'The changed source') },
})

const deleteRoute = userRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Disconnect (admin or owner): revoke at the provider where it allows, delete the ' +
    'credentials and the source; its metrics stay unless delete_metrics=true',
  request: { params: SourceParams, query: DisconnectQuery },
  responses: { 204: { description: 'Disconnected' } },
})

const pauseRoute = userRoute({
  method: 'post',
  path: '/{id}/pause',
  tags,
  summary: 'Pause syncing (admin or owner)',
  request: { params: SourceParams },
  responses: { 200: json(DataSource, 'The paused source') },
})

const resumeRoute = userRoute({
  method: 'post',
  path: '/{id}/resume',
  tags,
  summary: 'Resume syncing (admin or owner); the source is due at once',
  request: { params: SourceParams },
  responses: { 200: json(DataSource, 'The resumed source') },
})

/** Pause or resume `id` as the caller, with their role checked in SQL. */
function setStatus(claims: Parameters<typeof asUser>[0], id: string, status: 'paused' | 'active') {
  return asUser(claims, async (tx) => {
    const org = await activeOrg(tx, { min: 'admin' })
    const source = await changeStatus(tx, { orgId: org.id, id, status })
    if (!source) throw notFound('data source')
    return source
  })
}

/** The routes of connected sources, in the sources app. */
export const connectionRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(listRoute, async (c) => {
    const sources = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await listSources(tx, { orgId: org.id })
    })
    return c.json({ sources }, 200)
  })
  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param')
    const source = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await findSource(tx, { orgId: org.id, id })
    })
    if (!source) throw notFound('data source')
    return c.json(source, 200)
  })
  .openapi(patchRoute, async (c) => {
    const { id } = c.req.valid('param')
    const settings = c.req.valid('json')
    const source = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'admin' })
      return await changeSettings(tx, { orgId: org.id, id, settings })
    })
    if (!source) throw notFound('data source')
    return c.json(source, 200)
  })
  .openapi(pauseRoute, async (c) => {
    const source = await setStatus(c.get('user').claims, c.req.valid('param').id, 'paused')
    return c.json(source, 200)
  })
  .openapi(resumeRoute, async (c) => {
    const source = await setStatus(c.get('user').claims, c.req.valid('param').id, 'active')
    return c.json(source, 200)
  })
  .openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid('param')
    const deleteMetrics = c.req.valid('query').delete_metrics === 'true'
    const claims = c.get('user').claims
    const found = await asUser(claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'admin' })
      return { orgId: org.id, source: await findSource(tx, { orgId: org.id, id }) }
    })
    if (!found.source) throw notFound('data source')
    // Outside any transaction: a provider's latency must not hold a database connection.
    await revokeAtProvider(found.source)
    await asUser(claims, (tx) =>
      disconnectSource(tx, {
        orgId: found.orgId,
        id,
        provider: found.source!.provider,
        deleteMetrics,
      }))
    return c.body(null, 204)
  })
