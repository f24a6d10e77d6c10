/**
 * The tools a model may call: their JSON schemas (made from the zod schemas, so what the
 * model sees and what is checked cannot drift apart) and one way to run a call. Each call
 * runs in its own short `asUser` transaction (or, for GA4, reads as the caller first), so
 * no transaction is held open while the model thinks.
 *
 * A call the model got wrong (unknown tool, arguments that are not JSON or do not fit the
 * schema, a range the report refuses) comes back to it as `{ "error": ... }` so it can
 * correct itself; a failure of ours (the database is gone) fails the turn.
 */
import { z } from 'zod'
import type { JWTClaims } from '../../../../shared/auth.ts'
import { asUser, type Tx } from '../../../../shared/db.ts'
import { toApiError } from '../../../../shared/http/errors.ts'
import { describeIssues } from '../../../../shared/http/validation.ts'

/** Who a tool runs for: the verified caller, never anything the model said. */
export type ToolCaller = { claims: JWTClaims }

/** One tool: `run` inside the caller's RLS transaction, or `call` for work beside one. */
export type ToolDefinition = {
  name: string
  description: string
  schema: z.ZodType
  // deno-lint-ignore no-explicit-any
  run?: (tx: Tx, args: any) => Promise<unknown>
  // deno-lint-ignore no-explicit-any
  call?: (caller: ToolCaller, args: any) => Promise<unknown>
}

/** Most series names listed as an enum in a tool's schema; beyond, the model reads the catalogue. */
export const MAX_SERIES_ENUM = 300

type JsonSchema = {
  type?: string
  enum?: string[]
  items?: JsonSchema
  properties?: Record<string, JsonSchema>
}

/**
 * The Chat Completions `tools` entry of a definition. With `seriesNames` (the organization's
 * own, from its catalogue), a `series` argument lists them as its enum, so a model that
 * honours schemas picks a real name. It is a hint, not a guard: validation stays with zod,
 * and what a tool can see with RLS.
 */
export function toolSpec(tool: ToolDefinition, options: { seriesNames?: string[] } = {}) {
  const { $schema: _, ...parameters } = z.toJSONSchema(tool.schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>
  const names = options.seriesNames
  const series = (parameters as JsonSchema).properties?.series
  if (series && names && names.length > 0 && names.length <= MAX_SERIES_ENUM) {
    if (series.type === 'array' && series.items) series.items.enum = names
    else if (series.type === 'string') series.enum = names
  }
  return {
    type: 'function' as const,
    function: { name: tool.name, description: tool.description, parameters },
  }
}

/** What a call gave back: the JSON the model reads, and a line for the stream. */
export type ToolOutcome = { ok: boolean; content: string; summary: string }

/** Longest tool result sent to the model; longer ones are cut with a note saying so. */
export const MAX_RESULT_CHARS = 24_000

function failed(message: string): ToolOutcome {
  return { ok: false, content: JSON.stringify({ error: message }), summary: `error: ${message}` }
}

/**
 * Runs one call of the model: parses its arguments, validates them and runs the tool as
 * the caller.
 *
 * @example
 * const outcome = await runTool(tools, { name: 'series', arguments: '{"series":["events"]}' }, { claims })
 */
export async function runTool(
  tools: ToolDefinition[],
  call: { name: string; arguments: string },
  caller: ToolCaller,
): Promise<ToolOutcome> {
  const tool = tools.find((t) => t.name === call.name)
  if (!tool) {
    return failed(`unknown tool ${call.name}; use one of ${tools.map((t) => t.name).join(', ')}`)
  }
  let raw: unknown
  try {
    raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments)
  } catch {
    return failed('the arguments are not valid JSON; send one JSON object')
  }
  const parsed = tool.schema.safeParse(raw)
  if (!parsed.success) {
    const problems = describeIssues(parsed.error).map((p) => `${p.path}: ${p.message}`)
    return failed(`invalid arguments: ${problems.slice(0, 5).join('; ')}`)
  }
  let result: unknown
  try {
    result = tool.run
      ? await asUser(caller.claims, (tx) => tool.run!(tx, parsed.data))
      : await tool.call!(caller, parsed.data)
  } catch (err) {
    const known = toApiError(err)
    if (known && known.status < 500) return failed(known.message)
    throw err
  }
  let content = JSON.stringify(result)
  if (content.length > MAX_RESULT_CHARS) {
    content = JSON.stringify({
      truncated: true,
      note: 'the result was too long; ask for a shorter range, fewer series or a smaller limit',
      partial: content.slice(0, MAX_RESULT_CHARS),
    })
  }
  return { ok: true, content, summary: summarize(result, content.length) }
}

/** A short line about a result: its range and how many rows, for the stream and logs. */
export function summarize(result: unknown, chars: number): string {
  if (!result || typeof result !== 'object') return `${chars} characters`
  const r = result as Record<string, unknown>
  const parts: string[] = []
  const window = r.window as { from?: string; to?: string } | undefined
  const from = window?.from ?? r.from
  const to = window?.to ?? r.to
  if (typeof from === 'string' && typeof to === 'string') parts.push(`${from}..${to}`)
  for (const [key, value] of Object.entries(r)) {
    if (Array.isArray(value)) parts.push(`${value.length} ${key}`)
  }
  parts.push(`${chars} characters`)
  return parts.join(', ')
}
