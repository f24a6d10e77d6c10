/**
 * API keys of the active organization, managed by its admins: create (the key is shown
 * once), list (never the key or its hash) and revoke. Keys of other organizations answer
 * 404, like keys that do not exist.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../shared/db.ts'
import { notFound } from '../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../shared/http/openapi.ts'
import { validationFailed } from '../../../shared/http/validation.ts'
import { API_KEY_SCOPES, type ApiKeyScope, newApiKey } from '../../../shared/ingest-auth.ts'
import { activeOrg } from '../../../shared/tenant.ts'

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

type KeyRow = {
  id: string
  name: string
  prefix: string
  scopes: ApiKeyScope[]
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
}

const asJson = (k: KeyRow) => ({
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

/** Registers /events/keys. */
export const keyRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(create, async (c) => {
    const { name, scopes = ['ingest'] } = c.req.valid('json')
    const user = c.get('user')
    const { key, prefix, hash } = await newApiKey()
    const row = await asUser(user.claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'admin' })
      const [row] = await tx<KeyRow[]>`
        insert into public.api_keys (org_id, name, prefix, key_hash, scopes, created_by)
        values (${org.id}, ${name}, ${prefix}, ${hash}, ${scopes}::text[], ${user.id})
        returning id, name, prefix, scopes, created_at, last_used_at, revoked_at`
      return row
    })
    return c.json({ ...asJson(row), key }, 201)
  })
  .openapi(list, async (c) => {
    const keys = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'admin' })
      return await tx<KeyRow[]>`
        select id, name, prefix, scopes, created_at, last_used_at, revoked_at
        from public.api_keys where org_id = ${org.id}
        order by created_at desc, id`
    })
    return c.json({ keys: keys.map(asJson) }, 200)
  })
  .openapi(revoke, async (c) => {
    const { id } = c.req.valid('param')
    await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx, { min: 'admin' })
      // Revoking twice keeps the first time, so the record shows when it really stopped.
      const [row] = await tx`
        update public.api_keys set revoked_at = coalesce(revoked_at, now())
        where id = ${id} and org_id = ${org.id}
        returning id`
      if (!row) throw notFound('API key')
    })
    return c.body(null, 204)
  })
