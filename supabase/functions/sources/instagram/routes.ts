/**
 * Connecting Instagram (Instagram API with Instagram Login): the authorization URL, then
 * Instagram's redirect back (no bearer token: the single-use state carries who started
 * it), which activates the source at once and queues its backfill.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { encryptCredentials } from '../../../../shared/credentials.ts'
import { asService } from '../../../../shared/db.ts'
import { json, jsonBody, tooManyRequests, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { callbackUrl } from '../../../../shared/providers/config.ts'
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
import { authorizeUrl, connectAccount } from './instagram.ts'
import { instagramAccountOf, upsertInstagramSource } from './queries.ts'

const tags = ['Instagram']

const connectRoute = userRoute({
  method: 'post',
  path: '/instagram/connect',
  tags,
  summary: "Start connecting Instagram (admin or owner): returns Instagram's authorization URL",
  request: { body: jsonBody(ConnectBody) },
  responses: {
    200: json(ConsentUrl, 'Open this URL in the browser'),
    429: tooManyRequests(`The caller started ${FLOWS_PER_USER} connections in 10 minutes`),
  },
})

const callbackRoute = createRoute({
  method: 'get',
  path: '/instagram/callback',
  tags,
  summary: 'Where Instagram sends the browser back after authorization (not called by apps)',
  request: { query: CallbackQuery },
  responses: callbackResponses,
  // A browser redirect, not an API: it stays out of the OpenAPI document (README: Data sources).
  hide: true,
})

/** The Instagram connection routes of the sources app. */
export const instagramRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(connectRoute, async (c) => {
    const body = c.req.valid('json')
    const redirectTo = allowedRedirect(body.redirect_to)
    const { state } = await beginFlow(c.get('user'), {
      provider: 'instagram',
      redirectTo,
      sourceId: body.source_id,
    })
    return c.json({ url: authorizeUrl({ state, redirectUri: callbackUrl('instagram') }) }, 200)
  })
  .openapi(callbackRoute, async (c) => {
    const query = c.req.valid('query')
    const flow = await finishFlow(query.state, 'instagram')
    if (!flow) return invalidState(c)
    const back = (outcome: Record<string, string>) => backToApp(c, flow.redirect_to, outcome)
    if (query.error || !query.code) {
      return back({ status: 'error', error: errorCode(query.error ?? 'missing_code') })
    }
    if (!flow.user_is_admin) return back({ status: 'error', error: 'forbidden' })
    try {
      const account = await connectAccount({
        code: query.code,
        redirectUri: callbackUrl('instagram'),
      })
      const outcome = await asService(async (tx) => {
        if (flow.source_id) {
          const current = await instagramAccountOf(tx, { orgId: flow.org_id, id: flow.source_id })
          if (current === undefined) return { error: 'source_not_found' as const }
          // Re-authorizing must not quietly swap the account a source reads.
          if (current !== account.credentials.user_id) {
            return { error: 'account_mismatch' as const }
          }
        }
        const source = await upsertInstagramSource(tx, {
          orgId: flow.org_id,
          userId: flow.user_id,
          externalId: account.credentials.user_id,
          username: account.username,
        })
        const sealed = await encryptCredentials(account.credentials, { sourceId: source.id })
        await storeCredentials(tx, { sourceId: source.id, sealed })
        if (source.isNew) await enqueueBackfill(tx, { sourceId: source.id })
        return { sourceId: source.id, error: undefined }
      })
      if (outcome.error) return back({ status: 'error', error: outcome.error })
      return back({ source_id: outcome.sourceId!, status: 'active' })
    } catch (err) {
      const failure = providerFailure(err)
      if (failure) return back({ status: 'error', error: errorCode(failure) })
      throw err
    }
  })
