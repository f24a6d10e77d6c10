/**
 * GET /assistant/insights: crafted data with a known drop in one channel yields that
 * finding with the right numbers; with a model, a summary written from the findings only;
 * a failing model or a spent budget still gives the findings (the no-model case is in
 * unconfigured_test.ts, where no key is set at all).
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { adminSql, call, test } from '../_helpers/stack.ts'
import { assertOrganicDrop, ownerWithSessions, WEEK } from './_helpers.ts'

const fakes = startStackFakes()
const { openai } = fakes

const query = `from=${WEEK.from}&to=${WEEK.to}`

test('a drop in one channel is found with its numbers, and summarised from the findings only', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  openai.reply({ text: 'Sessions fell by 280 (2026-10-08..2026-10-14), all from Organic Search.' })
  const res = await call('GET', `/assistant/insights?${query}`, { token: owner.token })
  assert.equal(res.status, 200, res.text)
  assertOrganicDrop(res.body)
  assert.equal(
    res.body.summary,
    'Sessions fell by 280 (2026-10-08..2026-10-14), all from Organic Search.',
  )
  assert.equal(res.body.model, 'fake-model')
  assert.equal(res.body.summary_error, null)
  // One completion, no tools, and its only data is the findings themselves.
  assert.equal(openai.requests.length, 1)
  const sent = openai.requests[0].body
  assert.equal(sent.tools, undefined)
  assert.deepEqual(sent.messages.map((m) => m.role), ['system', 'user'])
  const { summary: _s, model: _m, summary_error: _e, ...findings } = res.body
  assert.deepEqual(JSON.parse(sent.messages[1].content!), findings)
  const usage = await call('GET', '/assistant/usage', { token: owner.token })
  assert.equal(usage.body.used_today, 120, 'the summary counts against the budget')
})

test('a failing model or a spent budget still returns the findings', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  openai.reply({ error: { status: 503, message: 'overloaded' } })
  const failed = await call('GET', `/assistant/insights?${query}`, { token: owner.token })
  assert.equal(failed.status, 200, failed.text)
  assertOrganicDrop(failed.body)
  assert.equal(failed.body.summary, null)
  assert.equal(failed.body.summary_error, 'model_error')

  await adminSql`
    insert into public.assistant_usage (org_id, day, prompt_tokens)
    values (${owner.orgId}, (now() at time zone 'UTC')::date, 200000)`
  const spent = await call('GET', `/assistant/insights?${query}`, { token: owner.token })
  assert.equal(spent.status, 200, spent.text)
  assertOrganicDrop(spent.body)
  assert.equal(spent.body.summary_error, 'budget_exhausted')
  assert.equal(openai.requests.length, 1, 'the model was not asked once the budget was spent')
})

test('bad ranges are a 400 naming the field', async () => {
  const owner = await ownerWithSessions()
  for (const [qs, field] of [['range=1y', /query\.range/], ['from=2026-10-08', /query\.to/]]) {
    const res = await call('GET', `/assistant/insights?${qs}`, { token: owner.token })
    assert.equal(res.status, 400, res.text)
    assert.match(res.body.error.message, field as RegExp)
  }
})

test('close the fakes', () => fakes.close())
