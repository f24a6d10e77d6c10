/**
 * What the model reads before the question: the system prompt (today, the organization,
 * its timezone and catalogue, and the rule to cite the tools' numbers with their ranges),
 * then earlier turns, newest kept first, trimmed to a token budget by whole turns so a
 * tool result is never sent without the call that asked for it.
 */
import type OpenAI from 'openai'
import { todayIn } from '../../../../shared/analytics/mod.ts'
import type { MessageRow } from '../conversations/queries.ts'
import type { TurnContext } from './queries.ts'

type ChatMessage = OpenAI.Chat.ChatCompletionMessageParam

/** A rough token count (about four characters per token), for trimming only. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

const MAX_PROMPT_METRICS = 80
const MAX_PROMPT_EVENTS = 80

/** The system prompt of a turn. */
export function systemPrompt(ctx: TurnContext, now = new Date()): string {
  const metrics = ctx.catalog.metrics.slice(0, MAX_PROMPT_METRICS).map((m) =>
    `- metric:${m.name} (${m.aggregation}; ${m.first_date}..${m.last_date}` +
    (m.dimensions.length ? `; dimensions e.g. ${m.dimensions.slice(0, 5).join(', ')}` : '') + ')'
  )
  const events = ctx.catalog.events.slice(0, MAX_PROMPT_EVENTS).map((e) =>
    `- event:${e.name} (${e.first_seen.slice(0, 10)}..${e.last_seen.slice(0, 10)})`
  )
  return [
    `You are the analytics assistant of the organization "${ctx.org.name}".`,
    `Today is ${todayIn(ctx.org.timezone, now)} in the organization's timezone ` +
    `${ctx.org.timezone}; ranges are calendar days there unless a tool says otherwise.`,
    'Answer only from what the tools return. Cite every number you give together with the ' +
    'range it covers (e.g. "1,234 sessions, 2026-11-01..2026-11-28"), and say when the data ' +
    'does not answer the question. Never invent numbers. Tools are read-only and only see ' +
    'this organization.',
    ctx.ga4Sources > 0
      ? 'A GA4 property is connected: ga4_report reads any GA4 metric or dimension live.'
      : 'No GA4 property is connected.',
    `Metrics (${ctx.catalog.metrics.length}):`,
    ...(metrics.length ? metrics : ['- none yet']),
    `Events (${ctx.catalog.events.length}):`,
    ...(events.length ? events : ['- none yet']),
  ].join('\n')
}

/** A stored message as the Chat Completions API takes it back. */
function asChat(row: MessageRow): ChatMessage {
  if (row.role === 'tool') {
    return { role: 'tool', tool_call_id: row.tool_call_id ?? '', content: row.content }
  }
  if (row.role === 'assistant') {
    return {
      role: 'assistant',
      content: row.content || null,
      ...(row.tool_calls?.length
        ? {
          tool_calls: row.tool_calls.map((call) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        }
        : {}),
    }
  }
  return { role: 'user', content: row.content }
}

/** Earlier turns, the newest ones that fit in `budget` estimated tokens, oldest first. */
export function historyMessages(rows: MessageRow[], budget: number): ChatMessage[] {
  // Rows before the first question belong to a turn cut off by the read limit: dropped.
  const turns: MessageRow[][] = []
  for (const row of rows) {
    if (row.role === 'user') turns.push([])
    turns.at(-1)?.push(row)
  }
  const kept: MessageRow[][] = []
  let spent = 0
  for (const turn of turns.reverse()) {
    const cost = turn.reduce(
      (sum, m) =>
        sum + estimateTokens(m.content) + estimateTokens(JSON.stringify(m.tool_calls ?? '')),
      0,
    )
    if (spent + cost > budget) break
    spent += cost
    kept.unshift(turn)
  }
  return kept.flat().map(asChat)
}
