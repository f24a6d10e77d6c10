/**
 * The SQL of a turn, each in its own short transaction as the caller: what the turn needs
 * to start (the conversation, its history, the organization and its catalogue), admitting
 * it under the rate limit and the daily budget, and storing it whole once it completed.
 */
import type { Tx } from '../../../../shared/db.ts'
import { catalogReport } from '../../../../shared/analytics/catalog.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { notFound } from '../../../../shared/http/errors.ts'
import { findConversation, latestMessages, type MessageRow } from '../conversations/queries.ts'
import { ga4Sources } from '../tools/queries.ts'

/** Most earlier messages read for context; the token budget trims them further. */
const HISTORY_ROWS = 200

/** Everything a turn reads before it talks to the model. */
export type TurnContext = {
  org: { id: string; name: string; timezone: string }
  history: MessageRow[]
  catalog: Awaited<ReturnType<typeof catalogReport>>
  ga4Sources: number
}

/** The conversation (404 unless it is the caller's, in their active organization) and more. */
export async function turnContext(
  tx: Tx,
  { conversationId }: { conversationId: string },
): Promise<TurnContext> {
  const org = await activeOrg(tx)
  const conversation = await findConversation(tx, { orgId: org.id, id: conversationId })
  if (!conversation) throw notFound('conversation')
  const [named] = await tx<{ name: string }[]>`
    select name from public.organizations where id = ${org.id}`
  return {
    org: { id: org.id, name: named.name, timezone: org.timezone },
    history: await latestMessages(tx, { conversationId, limit: HISTORY_ROWS }),
    catalog: await catalogReport(tx),
    ga4Sources: (await ga4Sources(tx, { orgId: org.id })).length,
  }
}

/** Why a question was refused ('rate' or 'budget'), and for how many seconds; or admitted. */
export type Admission = { refused: 'rate' | 'budget' | null; retry_after: number }

/** Admits one more question of the caller (private.take_assistant_turn). */
export async function admitQuestion(
  tx: Tx,
  { perMinute, dailyTokens }: { perMinute: number; dailyTokens: number },
): Promise<Admission> {
  const [row] = await tx<Admission[]>`
    select refused, retry_after from private.take_assistant_turn(${perMinute}, ${dailyTokens})`
  return row
}

/** One message of a turn, as private.store_assistant_turn takes it. */
export type TurnMessage = {
  role: 'user' | 'assistant' | 'tool'
  content: string
  tool_calls?: { id: string; name: string; arguments: string }[] | null
  tool_call_id?: string
  tool_name?: string
  model?: string
  prompt_tokens?: number
  completion_tokens?: number
  latency_ms?: number
}

/** Stores a completed turn in order, in one statement; returns the new message ids. */
export async function storeTurn(tx: Tx, options: {
  conversationId: string
  messages: TurnMessage[]
  usage: { prompt: number; completion: number }
}): Promise<string[]> {
  const rows = await tx<{ id: string }[]>`
    select id::text from private.store_assistant_turn(
      ${options.conversationId}, ${tx.json(options.messages)},
      ${options.usage.prompt}, ${options.usage.completion}) as id`
  return rows.map((r) => r.id)
}

/** Puts the tokens of a failed turn (already paid for) on the organization's ledger. */
export async function recordUsage(
  tx: Tx,
  { prompt, completion }: { prompt: number; completion: number },
): Promise<void> {
  await tx`select private.add_assistant_usage(${prompt}, ${completion})`
}
