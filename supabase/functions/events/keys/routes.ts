/**
 * API keys of the active organization, managed by its admins: create (the key is shown
 * once), list (never the key or its hash) and revoke. Keys of other organizations answer
 * 404, like keys that do not exist.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { API_KEY_SCOPES, newApiKey } from '../../../../shared/api-keys.ts'
import { asUser } from '../../../../shared/db.ts'
import { notFound } from '../../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { type ApiKeyRow, insertApiKey, listApiKeys, revokeApiKey } from './queries.ts'

const Scopes = z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length)
  .refine((s) => new Set(s).size === s.length, 'must not repeat a scope')

const ApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().openapi({ example: 'lyt_Ab3dE6gH', description: 'Tells keys apart' }),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  created_at: z.string(),
  last_used_at: z.string().nullable().openapi({ description: 'Updated at most once a minute' }),
  revoked_at: z.string().nullable(),
}).openapi('ApiKey')

const CreatedApiKey = ApiKey.extend({
  key: z.string().openapi({ description: 'The key itself. Shown only in this response.' }),
}).openapi('CreatedApiKey')

const NewApiKey = z.strictObject({
  name: z.string().trim().min(1).max(100).openapi({ example: 'Production backend' }),
  scopes: Scopes.optional().openapi({
    description: '`ingest` sends events and metrics; `read` is reserved. Default `["ingest"]`.',
  }),
}).openapi('NewApiKey')

const KeyParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
})

const asJson = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  created_at: k.created_at.toISOString(),
  last_used_at: k.last_used_at?.toISOString() ?? null,
  revoked_at: k.revoked_at?.toISOString() ?? null,
})

const create = userRoute({
  method: 'post',
  path: '/keys',
  summary: 'Create an API key (admin or owner)',
  request: { body: jsonBody(NewApiKey) },
  responses: { 201: json(CreatedApiKey, 'Created; keep the key, it is not shown again') },
})

const list = userRoute({
  method: 'get',
  path: '/keys',
  summary: "List the organization's API keys (admin or owner)",
  responses: { 200: json(z.object({ keys: z.array(ApiKey) }), 'Newest first') },
})

const revoke = userRoute({
  method: 'delete',
  path: '/keys/{id}',
  summary: 'Revoke an API key (admin or owner); it stops working at once',
  request: { params: KeyParams },
  responses: { 204: { description: 'Revoked (or already revoked)' } },
})

/** POST, GET /events/keys and DELETE /events/keys/{id}. */
export const keyRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(create, async (c) => {
    const { name, scopes = ['ingest'] } = c.req.valid('json')
    const user = c.get('user')
    const { key, prefix, hash } = await newApiKey()
    const row = await asUser(user.claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'admin' })
      return await insertApiKey(tx, {
        orgId: org.id,
        name,
        prefix,
        hash,
        scopes,
        createdBy: user.id,
      })
    })
    return c.json({ ...asJson(row), key }, 201)
  })
  .openapi(list, async (c) => {
    const keys = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'admin' })
      return await listApiKeys(tx, { orgId: org.id })
    })
    return c.json({ keys: keys.map(asJson) }, 200)
  })
  .openapi(revoke, async (c) => {
    const { id } = c.req.valid('param')
    await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'admin' })
      if (!await revokeApiKey(tx, { orgId: org.id, id })) throw notFound('API key')
    })
    return c.body(null, 204)
  })
