/**
 * Limits and failures: the per-user rate and the per-organization daily budget answer 429
 * with Retry-After; a provider error is a clean 502 and a model too slow a 504, with
 * nothing of the turn stored (in JSON and in a stream); usage is readable per day.
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { addMember } from '../_helpers/orgs.ts'
import { adminSql, call, newUser, test } from '../_helpers/stack.ts'
import {
  ask,
  askStreaming,
  messageCount,
  newConversation,
  ownerWithSessions,
  readFrames,
} from './_helpers.ts'

const fakes = startStackFakes()
const { openai } = fakes

test('the per-user rate limit answers 429 with Retry-After, for that user only', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner)
  const statuses: number[] = []
  let refused
  // scripts/test sets ASSISTANT_REQUESTS_PER_MINUTE=8. A minute may turn over mid-way, so
  // ask until refused, at most twice the limit.
  for (let i = 0; i < 16 && !refused; i++) {
    const res = await ask(owner, id, `Question ${i}`)
    statuses.push(res.status)
    if (res.status === 429) refused = res
  }
  assert.ok(refused, `never refused: ${statuses.join(',')}`)
  assert.ok(statuses.filter((s) => s === 200).length >= 8, statuses.join(','))
  assert.equal(refused.body.error.code, 'rate_limited')
  const retry = Number(refused.headers.get('retry-after'))
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`)
  const colleague = await newUser('colleague')
  await addMember(owner.orgId, colleague, 'member')
  const theirs = await newConversation(colleague)
  assert.equal((await ask(colleague, theirs, 'Mine?')).status, 200, 'another user still asks')
})

test("the organization's daily token budget answers 429 with Retry-After until midnight UTC", async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner)
  assert.equal((await ask(owner, id, 'First')).status, 200)
  const usage = await call('GET', '/assistant/usage', { token: owner.token })
  assert.equal(usage.status, 200, usage.text)
  assert.equal(usage.body.used_today, 120, 'the fake reports 100 + 20 tokens per call')
  assert.equal(usage.body.days.at(-1).requests, 1)
  // Spend the rest of today's budget (200,000 by default) as earlier turns would have.
  await adminSql`
    update public.assistant_usage set prompt_tokens = 199980
    where org_id = ${owner.orgId} and day = (now() at time zone 'UTC')::date`
  const refused = await ask(owner, id, 'Second')
  assert.equal(refused.status, 429, refused.text)
  assert.equal(refused.body.error.code, 'budget_exhausted')
  const retry = Number(refused.headers.get('retry-after'))
  const midnight = new Date()
  midnight.setUTCHours(24, 0, 0, 0)
  assert.ok(Math.abs(retry - (midnight.getTime() - Date.now()) / 1000) < 5, `Retry-After ${retry}`)
  const after = await call('GET', '/assistant/usage', { token: owner.token })
  assert.equal(after.body.remaining_today, 0)
  assert.equal(openai.requests.length, 1, 'the refused question never reached the model')
})

test('a provider error is a clean 502 and stores nothing; its tokens still count', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner)
  openai.reply(
    { toolCalls: [{ name: 'catalog', arguments: {} }], usage: { prompt: 50, completion: 5 } },
    { error: { status: 500, message: 'upstream exploded', code: 'server_error' } },
  )
  const res = await ask(owner, id, 'Will this fail?')
  assert.equal(res.status, 502, res.text)
  assert.equal(res.body.error.code, 'model_error')
  assert.doesNotMatch(res.text, /upstream exploded/, "the provider's text is not passed on")
  assert.equal(await messageCount(id), 0, 'nothing half-stored')
  const usage = await call('GET', '/assistant/usage', { token: owner.token })
  assert.equal(usage.body.used_today, 55, 'the first round was paid for')

  openai.reply({ error: { status: 429, message: 'slow down' } })
  const streamed = await askStreaming(owner, id, 'And streamed?')
  assert.equal(streamed.status, 200)
  const frames = await readFrames(streamed)
  assert.equal(frames.at(-1)!.event, 'error')
  assert.equal(frames.at(-1)!.data.status, 502)
  assert.equal(await messageCount(id), 0)
})

test('a model that does not answer in time is a 504 and stores nothing', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner)
  // scripts/test sets ASSISTANT_TIMEOUT_MS=4000.
  openai.reply({ hangMs: 6000 })
  const res = await ask(owner, id, 'Are you there?')
  assert.equal(res.status, 504, res.text)
  assert.equal(res.body.error.code, 'model_timeout')
  assert.equal(await messageCount(id), 0)
  // The conversation still works afterwards.
  openai.reply({ text: 'Yes.' })
  const next = await ask(owner, id, 'Now?')
  assert.equal(next.status, 200, next.text)
  assert.equal(await messageCount(id), 2)
})

test('close the fakes', () => fakes.close())
