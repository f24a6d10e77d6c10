/**
 * The response shapes of conversations and their messages, shared by the conversation
 * routes and the turn's answer.
 */
import { z } from '@hono/zod-openapi'
import type { ConversationRow, MessageRow } from './queries.ts'

export const ConversationParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
})

export const Conversation = z.object({
  id: z.string(),
  title: z.string().nullable().openapi({ description: 'Set from the first question' }),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi('Conversation')

export const ToolCall = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.string().openapi({ description: 'JSON, as the model wrote it' }),
}).openapi('ToolCall')

export const Message = z.object({
  id: z.string(),
  position: z.number().int(),
  role: z.enum(['user', 'assistant', 'tool']),
  content: z.string().openapi({ description: 'For tool messages: the JSON result the model read' }),
  tool_calls: z.array(ToolCall).nullable(),
  tool_call_id: z.string().nullable(),
  tool_name: z.string().nullable(),
  model: z.string().nullable(),
  prompt_tokens: z.number().int().nullable(),
  completion_tokens: z.number().int().nullable(),
  latency_ms: z.number().int().nullable(),
  created_at: z.string(),
}).openapi('Message')

/** A conversation row as JSON. */
export function conversationJson(row: ConversationRow) {
  return {
    id: row.id,
    title: row.title,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

/** A message row as JSON. */
export function messageJson(row: MessageRow) {
  return { ...row, created_at: row.created_at.toISOString() }
}
