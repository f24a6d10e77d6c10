/**
 * A fake OpenAI-compatible server for tests: `POST /v1/chat/completions`, streamed or not,
 * answering each request with the next scripted reply (tool calls, text in chunks,
 * malformed arguments, provider errors, a model too slow to answer), then with `fallback`.
 * It drives the real `openai` client, so the app's parsing of streams and tool-call deltas
 * is what is tested.
 *
 * @example
 * const openai = startFakeOpenAI()
 * openai.reply({ toolCalls: [{ name: 'series', arguments: { series: ['events'] } }] },
 *   { text: 'There were 42 events.' })
 * // ... POST a question ...
 * openai.requests[1].json.messages   // what the app sent in the second round
 * await openai.close()
 */
import { type RecordedRequest, serveFake } from '../server.ts'
import { answer, type FakeReply } from './replies.ts'

export type { FakeReply } from './replies.ts'

/** What the app sent to the model in one request. */
export type ChatRequest = {
  model: string
  stream?: boolean
  messages: {
    role: string
    content: string | null
    tool_call_id?: string
    tool_calls?: unknown[]
  }[]
  tools?: { function: { name: string; parameters: unknown } }[]
}

export type FakeOpenAI = ReturnType<typeof startFakeOpenAI>

export function startFakeOpenAI(options: { port?: number } = {}) {
  const queue: FakeReply[] = []
  let fallback: FakeReply = { text: 'No scripted reply.' }
  const server = serveFake([{
    name: 'chat',
    method: 'POST',
    path: /^\/v1\/chat\/completions$/,
    handle: (request: RecordedRequest) => {
      const body = request.json as ChatRequest
      return answer(queue.shift() ?? fallback, body?.stream === true)
    },
  }], { port: options.port })
  return {
    url: server.url,
    /** The base URL the app is given: `<url>/v1`. */
    baseUrl: `${server.url}/v1`,
    server,
    /** The chat requests received, in order, with their parsed bodies. */
    get requests(): { body: ChatRequest; authorization: string | null }[] {
      return server.requestsTo('chat').map((r) => ({
        body: r.json as ChatRequest,
        authorization: r.headers.get('authorization'),
      }))
    },
    /** Queues replies: the next requests get them in order. */
    reply(...replies: FakeReply[]) {
      queue.push(...replies)
    },
    /** The reply once the queue is empty (e.g. a model that never stops calling tools). */
    setFallback(reply: FakeReply) {
      fallback = reply
    },
    /** Forgets requests, queued replies and the fallback. */
    reset() {
      server.reset()
      queue.length = 0
      fallback = { text: 'No scripted reply.' }
    },
    close: () => server.close(),
  }
}
