/**
 * The optional prose of the insights: one chat completion that is given the findings and
 * nothing else (no tools, no data of its own), asked to summarise them citing their
 * numbers and ranges. Its failure never fails the insights: the findings still come back.
 */
import type { InsightFindings } from '../../../../shared/analytics/insights.ts'
import { modelClient, type ModelTarget } from '../model/provider.ts'
import { failure, TurnFailed, type Usage } from '../messages/turn.ts'

const INSTRUCTIONS = 'You write a short summary (3 to 5 sentences) of analytics findings for ' +
  'a business reader. Use only the findings in the JSON you are given: no other facts, no ' +
  'guesses about causes they do not state. Cite each number you use with its date range.'

export type Summary = { text: string; usage: Usage }

/** The summary of `findings`, or a TurnFailed (502/504) with the tokens spent. */
export async function summarizeFindings(
  target: ModelTarget,
  findings: InsightFindings,
  { timeoutMs }: { timeoutMs: number },
): Promise<Summary> {
  const client = modelClient(target, { timeoutMs })
  const usage: Usage = { prompt: 0, completion: 0 }
  let completion
  try {
    completion = await client.chat.completions.create({
      model: target.model,
      messages: [
        { role: 'system', content: INSTRUCTIONS },
        { role: 'user', content: JSON.stringify(findings) },
      ],
    })
  } catch (err) {
    throw failure(err, false, usage)
  }
  usage.prompt = completion.usage?.prompt_tokens ?? 0
  usage.completion = completion.usage?.completion_tokens ?? 0
  const text = completion.choices?.[0]?.message?.content?.trim()
  if (!text) throw new TurnFailed(502, 'model_error', 'the model wrote no summary', usage)
  return { text, usage }
}
