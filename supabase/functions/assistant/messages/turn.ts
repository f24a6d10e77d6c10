/**
 * One turn of the chat-completions tool-calling loop, with the real `openai` client: ask
 * the model (streamed, tool-call deltas accumulated), run the tools it asked for as the
 * caller, send the results back, until it answers or the round limit stops it (and says
 * so). Nothing is stored here: the caller stores the returned messages in one transaction
 * once the turn completed, so a failed turn leaves nothing behind.
 */
import OpenAI from 'openai'
import { runTool, type ToolCaller, type ToolDefinition, toolSpec } from '../tools/registry.ts'
import type { TurnMessage } from './queries.ts'

type ChatMessage = OpenAI.Chat.ChatCompletionMessageParam

/** What the stream shows while a turn runs. */
export type TurnEvent =
  | { type: 'token'; text: string }
  | { type: 'tool_start'; id: string; name: string; arguments: string }
  | { type: 'tool_end'; id: string; name: string; ok: boolean; summary: string }

export type Usage = { prompt: number; completion: number }

/** A turn that could not complete: the status it answers, and the tokens already spent. */
export class TurnFailed extends Error {
  constructor(
    readonly status: 502 | 504,
    readonly code: string,
    message: string,
    readonly usage: Usage,
  ) {
    super(message)
    this.name = 'TurnFailed'
  }
}

export type TurnOptions = {
  client: OpenAI
  model: string
  system: string
  history: ChatMessage[]
  question: string
  tools: ToolDefinition[]
  /** The organization's series names, offered as the tools' enum (see toolSpec). */
  seriesNames?: string[]
  caller: ToolCaller
  maxRounds: number
  /** Epoch ms by which the whole turn must be done (504 after). */
  deadline: number
  emit: (event: TurnEvent) => void
}

export type TurnResult = {
  messages: TurnMessage[]
  answer: string
  usage: Usage
  rounds: number
  /** True when the round limit ended the turn. */
  stopped: boolean
}

type Call = { id: string; name: string; arguments: string }

/** Why a model call failed, without the provider's text (which may echo part of a key). */
export function failure(err: unknown, timedOut: boolean, usage: Usage): TurnFailed {
  if (timedOut || err instanceof OpenAI.APIConnectionTimeoutError) {
    return new TurnFailed(504, 'model_timeout', 'the model did not answer in time', usage)
  }
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const code = typeof err.code === 'string' ? ` (${err.code.slice(0, 60)})` : ''
    return new TurnFailed(
      502,
      'model_error',
      `the model provider answered ${err.status}${code}`,
      usage,
    )
  }
  if (err instanceof OpenAI.APIError) {
    return new TurnFailed(
      502,
      'model_unreachable',
      'the model provider could not be reached',
      usage,
    )
  }
  return new TurnFailed(
    502,
    'model_error',
    'the model sent an answer that could not be read',
    usage,
  )
}

/** Asks the model once, streaming; returns its text and tool calls. */
async function askModel(options: TurnOptions, convo: ChatMessage[], usage: Usage) {
  const remaining = options.deadline - Date.now()
  if (remaining <= 0) throw failure(null, true, usage)
  const abort = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    abort.abort()
  }, remaining)
  let content = ''
  const calls = new Map<number, Call>()
  try {
    const stream = await options.client.chat.completions.create({
      model: options.model,
      messages: convo,
      tools: options.tools.map((tool) => toolSpec(tool, { seriesNames: options.seriesNames })),
      stream: true,
      stream_options: { include_usage: true },
    }, { signal: abort.signal, timeout: remaining })
    for await (const chunk of stream) {
      if (chunk.usage) {
        usage.prompt += chunk.usage.prompt_tokens ?? 0
        usage.completion += chunk.usage.completion_tokens ?? 0
      }
      const delta = chunk.choices?.[0]?.delta
      if (delta?.content) {
        content += delta.content
        options.emit({ type: 'token', text: delta.content })
      }
      for (const part of delta?.tool_calls ?? []) {
        const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' }
        if (part.id) call.id = part.id
        if (part.function?.name) call.name += part.function.name
        if (part.function?.arguments) call.arguments += part.function.arguments
        calls.set(part.index, call)
      }
    }
  } catch (err) {
    throw failure(err, timedOut, usage)
  } finally {
    clearTimeout(timer)
  }
  const ordered = [...calls.entries()].sort(([a], [b]) => a - b).map(([index, call]) => ({
    ...call,
    id: call.id || `call_${index}`,
  }))
  return { content, calls: ordered }
}

/**
 * Runs the turn to its answer (or the round limit).
 *
 * @example
 * const result = await runTurn({ client, model, system, history, question, tools, caller,
 *   maxRounds: 6, deadline: Date.now() + 60_000, emit: (e) => console.log(e) })
 */
export async function runTurn(options: TurnOptions): Promise<TurnResult> {
  const convo: ChatMessage[] = [
    { role: 'system', content: options.system },
    ...options.history,
    { role: 'user', content: options.question },
  ]
  const messages: TurnMessage[] = [{ role: 'user', content: options.question }]
  const usage: Usage = { prompt: 0, completion: 0 }
  for (let round = 1; round <= options.maxRounds; round++) {
    const started = performance.now()
    const before = { ...usage }
    const { content, calls } = await askModel(options, convo, usage)
    messages.push({
      role: 'assistant',
      content,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
      model: options.model,
      prompt_tokens: usage.prompt - before.prompt,
      completion_tokens: usage.completion - before.completion,
      latency_ms: Math.round(performance.now() - started),
    })
    if (calls.length === 0) {
      return { messages, answer: content, usage, rounds: round, stopped: false }
    }
    convo.push({
      role: 'assistant',
      content: content || null,
      tool_calls: calls.map((c) => ({
        id: c.id,
        type: 'function' as const,
        function: { name: c.name, arguments: c.arguments },
      })),
    })
    for (const call of calls) {
      options.emit({ type: 'tool_start', id: call.id, name: call.name, arguments: call.arguments })
      const outcome = await runTool(options.tools, call, options.caller)
      options.emit({
        type: 'tool_end',
        id: call.id,
        name: call.name,
        ok: outcome.ok,
        summary: outcome.summary,
      })
      convo.push({ role: 'tool', tool_call_id: call.id, content: outcome.content })
      messages.push({
        role: 'tool',
        content: outcome.content,
        tool_call_id: call.id,
        tool_name: call.name,
      })
    }
  }
  const note = `I stopped after ${options.maxRounds} rounds of tool calls without reaching ` +
    'an answer. Please ask a narrower question.'
  options.emit({ type: 'token', text: note })
  messages.push({ role: 'assistant', content: note })
  return { messages, answer: note, usage, rounds: options.maxRounds, stopped: true }
}
