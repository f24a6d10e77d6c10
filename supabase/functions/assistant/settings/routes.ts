/**
 * An organization's own model provider: GET shows where the model comes from (the
 * organization, the environment or nowhere) with a masked hint of the key; PUT and DELETE
 * (admin or owner) store or remove the sealed key, base URL and model. The key is never
 * returned.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { assistantConfig } from '../../../../shared/config.ts'
import { asService, asUser } from '../../../../shared/db.ts'
import { json, jsonBody, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { sealApiKey } from '../model/org-settings.ts'
import { keyHint } from '../model/provider.ts'
import { deleteSettings, saveSettings, storedSettings } from './queries.ts'

const tags = ['Settings']

const ModelSettings = z.object({
  source: z.enum(['organization', 'environment', 'none']).openapi({
    description: "Where questions' model comes from: the organization's key (it takes " +
      "precedence), the functions' OPENAI_API_KEY, or nowhere (questions answer 503)",
  }),
  key_hint: z.string().nullable().openapi({ example: 'sk-…4f2a' }),
  base_url: z.string(),
  model: z.string(),
  updated_at: z.string().nullable(),
}).openapi('AssistantSettings')

const PutSettings = z.strictObject({
  api_key: z.string().min(8).max(500).openapi({
    description: 'Stored encrypted, never returned',
    example: 'sk-proj-0123456789abcdef',
  }),
  base_url: z.url({ protocol: /^https?$/ }).max(500).optional().openapi({
    description: 'Any OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama). ' +
      "Default: the functions' OPENAI_BASE_URL",
    example: 'https://api.openai.com/v1',
  }),
  model: z.string().min(1).max(200).optional().openapi({ example: 'gpt-4o-mini' }),
}).openapi('PutAssistantSettings')

const getRoute = userRoute({
  method: 'get',
  path: '/settings',
  tags,
  summary: "Where the assistant's model comes from, with a masked key hint",
  responses: { 200: json(ModelSettings, 'The settings in effect') },
})

const putRoute = userRoute({
  method: 'put',
  path: '/settings',
  tags,
  summary: "Store the organization's own key, base URL and model (admin or owner)",
  request: { body: jsonBody(PutSettings) },
  responses: { 200: json(ModelSettings, 'The settings in effect') },
})

const deleteRoute = userRoute({
  method: 'delete',
  path: '/settings',
  tags,
  summary: "Remove the organization's key (admin or owner); the environment's applies again",
  responses: { 204: { description: 'Removed' } },
})

async function settingsInEffect(orgId: string) {
  const env = assistantConfig()
  const row = await asService((tx) => storedSettings(tx, { orgId }))
  if (row) {
    return {
      source: 'organization' as const,
      key_hint: row.key_hint,
      base_url: row.base_url ?? env.OPENAI_BASE_URL,
      model: row.model ?? env.OPENAI_MODEL,
      updated_at: row.updated_at.toISOString(),
    }
  }
  return {
    source: env.OPENAI_API_KEY ? 'environment' as const : 'none' as const,
    key_hint: env.OPENAI_API_KEY ? keyHint(env.OPENAI_API_KEY) : null,
    base_url: env.OPENAI_BASE_URL,
    model: env.OPENAI_MODEL,
    updated_at: null,
  }
}

export const settingsRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(getRoute, async (c) => {
    const org = await asUser(c.get('user').claims, (tx) => activeOrg(tx))
    return c.json(await settingsInEffect(org.id), 200)
  })
  .openapi(putRoute, async (c) => {
    const body = c.req.valid('json')
    const user = c.get('user')
    const org = await asUser(user.claims, (tx) => activeOrg(tx, { min: 'admin' }))
    const sealed = await sealApiKey(body.api_key, org.id)
    await asService((tx) =>
      saveSettings(tx, {
        orgId: org.id,
        userId: user.id,
        sealed,
        keyHint: keyHint(body.api_key),
        baseUrl: body.base_url?.replace(/\/+$/, '') ?? null,
        model: body.model ?? null,
      })
    )
    return c.json(await settingsInEffect(org.id), 200)
  })
  .openapi(deleteRoute, async (c) => {
    const org = await asUser(c.get('user').claims, (tx) => activeOrg(tx, { min: 'admin' }))
    await asService((tx) => deleteSettings(tx, { orgId: org.id }))
    return c.body(null, 204)
  })
