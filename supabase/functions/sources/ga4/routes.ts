/**
 * Connecting Google Analytics 4: the consent URL, Google's redirect back (no bearer
 * token: the single-use state carries who started it), then the property pick that
 * activates the source and queues its backfill.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { encryptCredentials } from '../../../../shared/credentials.ts'
import { asService, asUser } from '../../../../shared/db.ts'
import { ApiError, badRequest, conflict, notFound } from '../../../../shared/http/errors.ts'
import { json, jsonBody, tooManyRequests, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { callbackUrl } from '../../../../shared/providers/config.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { findSource } from '../connections/queries.ts'
import {
  allowedRedirect,
  backToApp,
  beginFlow,
  errorCode,
  finishFlow,
  FLOWS_PER_USER,
  invalidState,
} from '../oauth/flow.ts'
import { providerFailure } from '../oauth/provider-error.ts'
import { enqueueBackfill, storeCredentials } from '../oauth/queries.ts'
import { CallbackQuery, callbackResponses, ConnectBody, ConsentUrl } from '../oauth/schemas.ts'
import { DataSource, SourceParams } from '../schemas.ts'
import { consentUrl, exchangeCode, listProperties } from './google.ts'
import {
  activateProperty,
  createPendingSource,
  propertyChoices,
  reauthorizeSource,
} from './queries.ts'

const tags = ['Google Analytics 4']

const PropertyChoice = z.object({
  property_id: z.string().openapi({ example: 'properties/123456789' }),
  display_name: z.string(),
  account: z.string().openapi({ example: 'accounts/9001' }),
  account_name: z.string(),
}).openapi('Ga4PropertyChoice')

const PickProperty = z.strictObject({
  property_id: z.string().regex(/^(properties\/)?\d{1,20}$/, 'expected properties/<digits>')
    .transform((id) => id.startsWith('properties/') ? id : `properties/${id}`)
    .openapi({ example: 'properties/123456789' }),
}).openapi('PickGa4Property')

const connectRoute = userRoute({
  method: 'post',
  path: '/ga4/connect',
  tags,
  summary: "Start connecting GA4 (admin or owner): returns Google's consent URL",
  request: { body: jsonBody(ConnectBody) },
  responses: {
    200: json(ConsentUrl, 'Open this URL in the browser'),
    429: tooManyRequests(`The caller started ${FLOWS_PER_USER} connections in 10 minutes`),
  },
})

const callbackRoute = createRoute({
  method: 'get',
  path: '/ga4/callback',
  tags,
  summary: 'Where Google sends the browser back after consent (not called by apps)',
  request: { query: CallbackQuery },
  responses: callbackResponses,
  // A browser redirect, not an API: it stays out of the OpenAPI document (README: Data sources).
  hide: true,
})

const propertiesRoute = userRoute({
  method: 'get',
  path: '/{id}/properties',
  tags,
  summary: 'The GA4 properties the connected Google account can read, to pick one',
  request: { params: SourceParams },
  responses: { 200: json(z.object({ properties: z.array(PropertyChoice) }), 'Properties') },
})

const pickRoute = userRoute({
  method: 'post',
  path: '/{id}/property',
  tags,
  summary: 'Pick the GA4 property (admin or owner): activates the source, queues its backfill',
  request: { params: SourceParams, body: jsonBody(PickProperty) },
  responses: { 200: json(DataSource, 'The active source') },
})

/** The GA4 connection routes of the sources app. */
export const ga4Routes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(connectRoute, async (c) => {
    const body = c.req.valid('json')
    const redirectTo = allowedRedirect(body.redirect_to)
    const flow = await beginFlow(c.get('user'), {
      provider: 'ga4',
      redirectTo,
      sourceId: body.source_id,
    })
    return c.json({ url: consentUrl({ ...flow, redirectUri: callbackUrl('ga4') }) }, 200)
  })
  .openapi(callbackRoute, async (c) => {
    const query = c.req.valid('query')
    const flow = await finishFlow(query.state, 'ga4')
    if (!flow) return invalidState(c)
    const back = (outcome: Record<string, string>) => backToApp(c, flow.redirect_to, outcome)
    if (query.error || !query.code) {
      return back({ status: 'error', error: errorCode(query.error ?? 'missing_code') })
    }
    if (!flow.user_is_admin) return back({ status: 'error', error: 'forbidden' })
    try {
      const tokens = await exchangeCode({
        code: query.code,
        verifier: flow.verifier,
        redirectUri: callbackUrl('ga4'),
      })
      const choices = await listProperties(tokens.access_token)
      const sourceId = flow.source_id ?? crypto.randomUUID()
      const sealed = await encryptCredentials(tokens, { sourceId })
      const status = await asService(async (tx) => {
        let status: string | undefined = 'pending'
        if (flow.source_id) {
          status = await reauthorizeSource(tx, { id: sourceId, orgId: flow.org_id, choices })
        } else {
          await createPendingSource(tx, {
            id: sourceId,
            orgId: flow.org_id,
            userId: flow.user_id,
            choices,
          })
        }
        if (status) await storeCredentials(tx, { sourceId, sealed })
        return status
      })
      if (!status) return back({ status: 'error', error: 'source_not_found' })
      return back({ source_id: sourceId, status })
    } catch (err) {
      const failure = providerFailure(err)
      if (failure) return back({ status: 'error', error: errorCode(failure) })
      throw err
    }
  })
  .openapi(propertiesRoute, async (c) => {
    const { id } = c.req.valid('param')
    const source = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await propertyChoices(tx, { orgId: org.id, id })
    })
    if (!source || source.provider !== 'ga4') throw notFound('GA4 source')
    return c.json({ properties: source.choices }, 200)
  })
  .openapi(pickRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { property_id } = c.req.valid('json')
    const { orgId, source } = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'admin' })
      return { orgId: org.id, source: await propertyChoices(tx, { orgId: org.id, id }) }
    })
    if (!source || source.provider !== 'ga4') throw notFound('GA4 source')
    if (source.status !== 'pending') {
      throw conflict(`the source is ${source.status}; its property was already picked`)
    }
    const property = source.choices.find((p) => p.property_id === property_id)
    if (!property) {
      throw badRequest('body.property_id: not one of the properties this account can read', [
        { path: 'body.property_id', message: 'not one of the properties this account can read' },
      ])
    }
    const activated = await asService(async (tx) => {
      if (!await activateProperty(tx, { id, property })) return false
      await enqueueBackfill(tx, { sourceId: id })
      return true
    })
    if (!activated) throw conflict('the source is no longer pending; its property was picked')
    const active = await asUser(c.get('user').claims, (tx) => findSource(tx, { orgId, id }))
    if (!active) throw new ApiError(404, 'not_found', 'GA4 source not found')
    return c.json(active, 200)
  })
