/**
 * What the fake OpenAI-compatible server answers, as Chat Completions does: a whole
 * `chat.completion`, or `chat.completion.chunk` Server-Sent Events ending in a usage chunk
 * (`stream_options.include_usage`) and `[DONE]`. Tool calls are streamed the way OpenAI
 * streams them: id and name first, the arguments in pieces.
 */

/** One scripted answer to one request. */
export type FakeReply =
  | {
    /** The answer's text, streamed in `chunks` (default: one piece per word). */
    text: string
    chunks?: string[]
    /** Pause before each chunk, to make a slow stream. */
    delayMs?: number
    usage?: { prompt: number; completion: number }
  }
  | {
    toolCalls: { name: string; arguments: string | Record<string, unknown>; id?: string }[]
    usage?: { prompt: number; completion: number }
  }
  | { error: { status: number; message?: string; code?: string } }
  /** Answers nothing for `ms`, then a short text: a model that is too slow. */
  | { hangMs: number }

const DEFAULT_USAGE = { prompt: 100, completion: 20 }
const encoder = new TextEncoder()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: 'fake-model',
    choices: [{ index: 0, delta, finish_reason: finish }],
  }
}

function usageOf(reply: { usage?: { prompt: number; completion: number } }) {
  const u = reply.usage ?? DEFAULT_USAGE
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
  }
}

function argumentsText(args: string | Record<string, unknown>): string {
  return typeof args === 'string' ? args : JSON.stringify(args)
}

/** The stream's chunks of a text or tool-call reply, before the usage chunk. */
function chunksOf(reply: FakeReply): { delta: Record<string, unknown>; finish?: string }[] {
  if ('text' in reply) {
    const pieces = reply.chunks ?? reply.text.split(/(?<= )/)
    return [
      { delta: { role: 'assistant', content: '' } },
      ...pieces.map((content) => ({ delta: { content } })),
      { delta: {}, finish: 'stop' },
    ]
  }
  if ('toolCalls' in reply) {
    const out: { delta: Record<string, unknown>; finish?: string }[] = [
      { delta: { role: 'assistant', content: null } },
    ]
    reply.toolCalls.forEach((call, index) => {
      const text = argumentsText(call.arguments)
      const half = Math.floor(text.length / 2)
      out.push({
        delta: {
          tool_calls: [{
            index,
            id: call.id ?? `call_${crypto.randomUUID().slice(0, 8)}`,
            type: 'function',
            function: { name: call.name, arguments: text.slice(0, half) },
          }],
        },
      })
      out.push({ delta: { tool_calls: [{ index, function: { arguments: text.slice(half) } }] } })
    })
    out.push({ delta: {}, finish: 'tool_calls' })
    return out
  }
  return []
}

/** The response to a request, streamed or not. */
export async function answer(reply: FakeReply, stream: boolean): Promise<Response> {
  if ('error' in reply) {
    const { status, message, code } = reply.error
    return Response.json({
      error: { message: message ?? `fake error ${status}`, type: 'fake_error', code: code ?? null },
    }, { status })
  }
  if ('hangMs' in reply) {
    await sleep(reply.hangMs)
    return answer({ text: 'Too late.' }, stream)
  }
  if (!stream) {
    const message = 'text' in reply ? { role: 'assistant', content: reply.text } : {
      role: 'assistant',
      content: null,
      tool_calls: reply.toolCalls.map((c, i) => ({
        id: c.id ?? `call_${i}`,
        type: 'function',
        function: { name: c.name, arguments: argumentsText(c.arguments) },
      })),
    }
    return Response.json({
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'fake-model',
      choices: [{ index: 0, message, finish_reason: 'text' in reply ? 'stop' : 'tool_calls' }],
      usage: usageOf(reply),
    })
  }
  const delay = 'text' in reply ? reply.delayMs ?? 0 : 0
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (data: unknown) =>
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(data)}\n\n`))
      try {
        for (const part of chunksOf(reply)) {
          if (delay) await sleep(delay)
          send(chunk(part.delta, part.finish ?? null))
        }
        send({ ...chunk({}), choices: [], usage: usageOf(reply) })
        controller.enqueue(encoder.encode('data: [DONE]\n\n'))
        controller.close()
      } catch { /* the client went away */ }
    },
  })
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
}
