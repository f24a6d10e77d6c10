/**
 * A question from start to stored answer, apart from HTTP: read the turn's context as the
 * caller, pick the model (503 without one), admit the question (429 with Retry-After), run
 * the loop with each tool in its own short transaction, then store the whole turn in one.
 * No transaction is open while the model is waited on.
 */
import type { JWTClaims } from '../../../../shared/auth.ts'
import { assistantConfig } from '../../../../shared/config.ts'
import { asUser } from '../../../../shared/db.ts'
import { TooManyRequests } from '../../../../shared/http/errors.ts'
import { orgModelSettings } from '../model/org-settings.ts'
import { modelClient, requireModel } from '../model/provider.ts'
import { analyticsTools } from '../tools/analytics.ts'
import { ga4Tool } from '../tools/ga4.ts'
import { historyMessages, systemPrompt } from './prompt.ts'
import { admitQuestion, recordUsage, storeTurn, turnContext } from './queries.ts'
import { runTurn, TurnFailed, type TurnOptions } from './turn.ts'

/** Too many questions (429), and when to ask again. */
export class Refused extends TooManyRequests {
  constructor(reason: 'rate' | 'budget', retryAfter: number) {
    super(
      reason === 'rate' ? 'rate_limited' : 'budget_exhausted',
      reason === 'rate'
        ? 'too many questions this minute; ask again shortly'
        : "the organization's daily token budget is spent; it resets at midnight UTC",
      retryAfter,
    )
  }
}

export type PreparedTurn = Omit<TurnOptions, 'emit'> & { conversationId: string }

/** Everything before the first model call; throws 404, 503 or Refused (429). */
export async function prepareTurn(
  claims: JWTClaims,
  { conversationId, question }: { conversationId: string; question: string },
): Promise<PreparedTurn> {
  const cfg = assistantConfig()
  const ctx = await asUser(claims, (tx) => turnContext(tx, { conversationId }))
  const target = requireModel(await orgModelSettings(ctx.org.id), cfg)
  const admission = await asUser(claims, (tx) =>
    admitQuestion(tx, {
      perMinute: cfg.ASSISTANT_REQUESTS_PER_MINUTE,
      dailyTokens: cfg.ASSISTANT_DAILY_TOKEN_BUDGET,
    }))
  if (admission.refused) throw new Refused(admission.refused, admission.retry_after)
  return {
    conversationId,
    client: modelClient(target, { timeoutMs: cfg.ASSISTANT_TIMEOUT_MS }),
    model: target.model,
    system: systemPrompt(ctx),
    history: historyMessages(ctx.history, cfg.ASSISTANT_HISTORY_TOKENS),
    question,
    tools: ctx.ga4Sources > 0 ? [...analyticsTools, ga4Tool] : analyticsTools,
    seriesNames: [
      'events',
      ...ctx.catalog.metrics.map((m) => `metric:${m.name}`),
      ...ctx.catalog.events.map((e) => `event:${e.name}`),
    ],
    caller: { claims },
    maxRounds: cfg.ASSISTANT_MAX_ROUNDS,
    deadline: Date.now() + cfg.ASSISTANT_TIMEOUT_MS,
  }
}

/** The stored turn: its message ids, the answer and what it cost. */
export type AnsweredTurn = {
  conversation_id: string
  message_ids: string[]
  answer: string
  rounds: number
  stopped: boolean
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
}

/**
 * Runs the prepared turn and stores it whole. A failed model call becomes a TurnFailed
 * (502/504) after its spent tokens are put on the ledger; nothing of the turn is stored.
 */
export async function answerTurn(
  claims: JWTClaims,
  turn: PreparedTurn,
  emit: TurnOptions['emit'],
): Promise<AnsweredTurn> {
  let result
  try {
    result = await runTurn({ ...turn, emit })
  } catch (err) {
    if (err instanceof TurnFailed && err.usage.prompt + err.usage.completion > 0) {
      await asUser(claims, (tx) => recordUsage(tx, err.usage)).catch(() => {})
    }
    throw err
  }
  const ids = await asUser(claims, (tx) =>
    storeTurn(tx, {
      conversationId: turn.conversationId,
      messages: result.messages,
      usage: result.usage,
    }))
  return {
    conversation_id: turn.conversationId,
    message_ids: ids,
    answer: result.answer,
    rounds: result.rounds,
    stopped: result.stopped,
    usage: {
      prompt_tokens: result.usage.prompt,
      completion_tokens: result.usage.completion,
      total_tokens: result.usage.prompt + result.usage.completion,
    },
  }
}
