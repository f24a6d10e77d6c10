/**
 * Conversations with the assistant: start one, list the caller's (newest first, by
 * cursor), read one with its messages, rename it, delete it. Only the caller's own, in
 * their active organization; anything else is 404.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { notFound } from '../../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import {
  conversationMessages,
  createConversation,
  deleteConversation,
  findConversation,
  listConversations,
  renameConversation,
} from './queries.ts'
import {
  Conversation,
  conversationJson,
  ConversationParams,
  Message,
  messageJson,
} from './schemas.ts'

const tags = ['Conversations']

const title = z.string().trim().min(1).max(200)
const NewConversation = z.strictObject({ title: title.optional() }).openapi('NewConversation')
const Rename = z.strictObject({ title }).openapi('RenameConversation')
const ListQuery = z.object({
  cursor: z.uuid().optional().openapi({ description: 'next_cursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})
const Page = z.object({
  conversations: z.array(Conversation),
  next_cursor: z.string().nullable(),
}).openapi('ConversationPage')
const WithMessages = Conversation.extend({ messages: z.array(Message) })
  .openapi('ConversationWithMessages')

const createRoute = userRoute({
  method: 'post',
  path: '/conversations',
  tags,
  summary: 'Start a conversation',
  request: {
    body: { required: false, content: { 'application/json': { schema: NewConversation } } },
  },
  responses: { 201: json(Conversation, 'The new conversation') },
})

const listRoute = userRoute({
  method: 'get',
  path: '/conversations',
  tags,
  summary: "The caller's conversations, newest first",
  request: { query: ListQuery },
  responses: { 200: json(Page, 'One page') },
})

const getRoute = userRoute({
  method: 'get',
  path: '/conversations/{id}',
  tags,
  summary: 'A conversation with its messages, in order',
  request: { params: ConversationParams },
  responses: { 200: json(WithMessages, 'The conversation') },
})

const patchRoute = userRoute({
  method: 'patch',
  path: '/conversations/{id}',
  tags,
  summary: 'Rename a conversation',
  request: { params: ConversationParams, body: jsonBody(Rename) },
  responses: { 200: json(Conversation, 'The renamed conversation') },
})

const deleteRoute = userRoute({
  method: 'delete',
  path: '/conversations/{id}',
  tags,
  summary: 'Delete a conversation and its messages',
  request: { params: ConversationParams },
  responses: { 204: { description: 'Deleted' } },
})

export const conversationRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(createRoute, async (c) => {
    const body = c.req.valid('json') ?? {}
    const row = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await createConversation(tx, { orgId: org.id, title: body.title ?? null })
    })
    return c.json(conversationJson(row), 201)
  })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query')
    const rows = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await listConversations(tx, {
        orgId: org.id,
        after: q.cursor ?? null,
        limit: q.limit + 1,
      })
    })
    const page = rows.slice(0, q.limit)
    return c.json({
      conversations: page.map(conversationJson),
      next_cursor: rows.length > q.limit ? page[page.length - 1].id : null,
    }, 200)
  })
  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param')
    const body = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      const row = await findConversation(tx, { orgId: org.id, id })
      if (!row) throw notFound('conversation')
      const messages = await conversationMessages(tx, { conversationId: id })
      return { ...conversationJson(row), messages: messages.map(messageJson) }
    })
    return c.json(body, 200)
  })
  .openapi(patchRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { title } = c.req.valid('json')
    const row = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await renameConversation(tx, { orgId: org.id, id, title })
    })
    if (!row) throw notFound('conversation')
    return c.json(conversationJson(row), 200)
  })
  .openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid('param')
    const deleted = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await deleteConversation(tx, { orgId: org.id, id })
    })
    if (!deleted) throw notFound('conversation')
    return c.body(null, 204)
  })
