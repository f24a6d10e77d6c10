/**
 * What the assistant tests share: an organization with known daily sessions per channel,
 * conversations, questions (JSON or SSE, read frame by frame), and the stored turn.
 */
import assert from 'node:assert/strict'
import { newOrgOwner, type OrgOwner } from '../_helpers/orgs.ts'
import { adminSql, call, type Reply, stack } from '../_helpers/stack.ts'
import { insertMetrics, type MetricRow } from '../dashboard/_reports.ts'
import { type Frame, parseFrames } from './_sse.ts'

/** Fixed days, far from today, so presets never reach them. */
export const WEEK = { from: '2026-10-08', to: '2026-10-14' }
export const WEEK_BEFORE = { from: '2026-10-01', to: '2026-10-07' }

/**
 * Daily `sessions` per channel: organic 100/day and paid 50/day the week before; in the
 * week, organic drops to 60/day and paid stays at 50. So the week has 770 sessions against
 * 1050 before, and organic (420 vs 700) carries the whole drop.
 */
export function channelSessions(): MetricRow[] {
  const rows: MetricRow[] = []
  for (let d = 1; d <= 14; d++) {
    const day = `2026-10-${String(d).padStart(2, '0')}`
    rows.push(['sessions', day, 'ga4', 'channel:Organic Search', d <= 7 ? 100 : 60])
    rows.push(['sessions', day, 'ga4', 'channel:Paid Search', 50])
  }
  return rows
}

/** A new owner of a new organization that holds channelSessions(). */
export async function ownerWithSessions(label = 'asker'): Promise<OrgOwner> {
  const owner = await newOrgOwner({ label })
  await insertMetrics(owner.orgId, channelSessions())
  return owner
}

/** POST /assistant/conversations; returns its id. */
export async function newConversation(user: { token: string }, title?: string): Promise<string> {
  const res = await call('POST', '/assistant/conversations', {
    token: user.token,
    body: title ? { title } : {},
  })
  assert.equal(res.status, 201, res.text)
  return res.body.id
}

/** Asks a question and waits for the JSON answer. */
export function ask(
  user: { token: string },
  conversationId: string,
  content: string,
): Promise<Reply> {
  return call('POST', `/assistant/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { content },
  })
}

export { type Frame, parseFrames } from './_sse.ts'

/** Opens a question as an event stream (the response, not yet read). */
export function askStreaming(
  user: { token: string },
  conversationId: string,
  content: string,
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${stack.apiUrl}/functions/v1/assistant/conversations/${conversationId}/messages`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${user.token}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    body: JSON.stringify({ content }),
    signal,
  })
}

/** Reads a whole event stream into its frames. */
export async function readFrames(res: Response): Promise<Frame[]> {
  return parseFrames(await res.text() + '\n\n').frames
}

/** GET /assistant/conversations/{id}: the conversation with its stored messages. */
export async function storedConversation(user: { token: string }, id: string) {
  const res = await call('GET', `/assistant/conversations/${id}`, { token: user.token })
  assert.equal(res.status, 200, res.text)
  return res.body
}

/** How many messages a conversation holds, read as postgres (whoever owns it). */
export async function messageCount(conversationId: string): Promise<number> {
  const [row] = await adminSql<{ n: number }[]>`
    select count(*)::int as n from public.messages where conversation_id = ${conversationId}`
  return row.n
}

/** The organic drop of channelSessions(), as the findings must state it. */
// deno-lint-ignore no-explicit-any
export function assertOrganicDrop(body: any) {
  assert.deepEqual(body.window, { ...WEEK, days: 7 })
  assert.deepEqual(body.comparison, { from: '2026-10-01', to: '2026-10-07', days: 7 })
  // deno-lint-ignore no-explicit-any
  const change = body.findings.find((f: any) => f.kind === 'largest_change')
  assert.ok(change, JSON.stringify(body.findings))
  assert.equal(change.series, 'metric:sessions')
  assert.deepEqual([change.current, change.previous, change.change], [770, 1050, -280])
  // deno-lint-ignore no-explicit-any
  const driver = body.findings.find((f: any) => f.kind === 'driver')
  assert.ok(driver, JSON.stringify(body.findings))
  assert.equal(driver.value, 'channel:Organic Search')
  assert.deepEqual([driver.current, driver.previous, driver.change], [420, 700, -280])
  assert.equal(driver.share_of_change, 1)
}
