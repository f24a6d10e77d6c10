/**
 * POST /assistant/conversations/{id}/messages: ask a question. JSON answers once the turn
 * is stored; with `Accept: text/event-stream` it streams Server-Sent Events: `token`
 * (answer text as it arrives), `tool_start` and `tool_end` (name, arguments, a short result
 * summary), then `done` (stored message ids and usage), or `error` if the turn failed.
 *
 * A client that disconnects mid-stream does not stop the turn: it runs to its end and is
 * stored whole, so the history is the same as if the client had stayed.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { streamSSE } from 'hono/streaming'
import { json, jsonBody, tooManyRequests, userRoute } from '../../../../shared/http/openapi.ts'
import { toApiError } from '../../../../shared/http/errors.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { ConversationParams } from '../conversations/schemas.ts'
import { answerTurn, prepareTurn } from './ask.ts'
import { type TurnEvent, TurnFailed } from './turn.ts'

const tags = ['Conversations']

const Question = z.strictObject({
  content: z.string().trim().min(1).max(4000).openapi({
    example: 'Why did sessions drop last week?',
  }),
}).openapi('Question')

const Answer = z.object({
  conversation_id: z.string(),
  message_ids: z.array(z.string()).openapi({ description: 'The stored turn, in order' }),
  answer: z.string(),
  rounds: z.number().int().openapi({ description: 'Model calls the turn took' }),
  stopped: z.boolean().openapi({ description: 'True when the round limit ended the turn' }),
  usage: z.object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
  }),
}).openapi('Answer')

const error = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
    },
  },
})

const askRoute = userRoute({
  method: 'post',
  path: '/conversations/{id}/messages',
  tags,
  summary: 'Ask a question; JSON, or Server-Sent Events with Accept: text/event-stream',
  request: { params: ConversationParams, body: jsonBody(Question) },
  responses: {
    200: {
      description: 'The stored answer (JSON), or the event stream',
      content: { ...json(Answer, '').content, 'text/event-stream': { schema: z.string() } },
    },
    429: tooManyRequests('Rate limit or daily token budget reached'),
    502: error('The model provider failed; nothing was stored'),
    503: error('No model is configured (the message names what to set), or no database'),
    504: error('The model did not answer in time; nothing was stored'),
  },
})

/** An error as the stream's `error` event, or the JSON error of a status. */
function problemOf(err: unknown) {
  if (err instanceof TurnFailed) return { status: err.status, code: err.code, message: err.message }
  const known = toApiError(err)
  if (known) return { status: known.status, code: known.code, message: known.message }
  return { status: 500, code: 'internal', message: 'unexpected error' }
}

export const messageRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(askRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { content } = c.req.valid('json')
    const claims = c.get('user').claims
    // Its 404, 429 (Refused, with Retry-After) and 503 are answered by the app's error handler.
    const turn = await prepareTurn(claims, { conversationId: id, question: content })
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
      try {
        return c.json(await answerTurn(claims, turn, () => {}), 200)
      } catch (err) {
        if (!(err instanceof TurnFailed)) throw err
        return c.json({ error: { code: err.code, message: err.message } }, err.status)
      }
    }
    return streamSSE(c, async (stream) => {
      // Once the client is gone writes fail; the turn goes on and is stored.
      const send = (event: string, data: unknown) =>
        stream.writeSSE({ event, data: JSON.stringify(data) }).catch(() => {})
      const emit = ({ type, ...data }: TurnEvent) => void send(type, data)
      try {
        await send('done', await answerTurn(claims, turn, emit))
      } catch (err) {
        await send('error', problemOf(err))
      }
    })
  })
