/**
 * The tool-calling turn against the fake model: tools return the organization's own
 * numbers (the dashboard's queries, under the caller's RLS), the whole turn is stored in
 * order, wrong arguments go back to the model to correct, and a model that never stops
 * calling tools is stopped.
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { test } from '../_helpers/stack.ts'
import { ask, newConversation, ownerWithSessions, storedConversation, WEEK } from './_helpers.ts'

const fakes = startStackFakes()
const { openai } = fakes

test('a question needing two tool calls gets the seeded numbers, and the turn is stored', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner)
  openai.reply(
    {
      toolCalls: [{ name: 'compare_periods', arguments: { series: ['metric:sessions'], ...WEEK } }],
    },
    {
      toolCalls: [{
        name: 'breakdown',
        arguments: { series: 'metric:sessions', by: 'dimension', ...WEEK },
      }],
    },
    { text: 'Sessions fell from 1050 to 770 (2026-10-08..2026-10-14), all in Organic Search.' },
  )
  const res = await ask(owner, id, 'Why did sessions drop last week?')
  assert.equal(res.status, 200, res.text)
  assert.match(res.body.answer, /1050 to 770/)
  assert.equal(res.body.rounds, 3)
  assert.equal(res.body.message_ids.length, 6, 'question, 2 × (call + result), answer')

  // What the model read back in round 2 and 3: the tool results, with the real numbers.
  const [, second, third] = openai.requests
  const compared = JSON.parse(second.body.messages.at(-1)!.content!)
  assert.equal(compared.tiles[0].value, 770)
  assert.equal(compared.tiles[0].comparison_value, 1050)
  assert.equal(compared.comparison.from, '2026-10-01')
  const split = JSON.parse(third.body.messages.at(-1)!.content!)
  assert.deepEqual(
    split.groups.map((g: { key: string; value: number }) => [g.key, g.value]),
    [['channel:Organic Search', 420], ['channel:Paid Search', 350]],
  )

  const stored = await storedConversation(owner, id)
  assert.equal(stored.title, 'Why did sessions drop last week?', 'titled by the first question')
  assert.deepEqual(
    stored.messages.map((m: { role: string; tool_name: string | null }) => m.tool_name ?? m.role),
    ['user', 'assistant', 'compare_periods', 'assistant', 'breakdown', 'assistant'],
  )
  assert.deepEqual(stored.messages.map((m: { id: string }) => m.id), res.body.message_ids)
  assert.equal(stored.messages[1].tool_calls[0].name, 'compare_periods')
  assert.equal(stored.messages[2].tool_call_id, stored.messages[1].tool_calls[0].id)
  assert.equal(JSON.parse(stored.messages[2].content).tiles[0].value, 770)
  assert.equal(stored.messages[5].content, res.body.answer)
  assert.equal(stored.messages[5].model, 'fake-model')
  assert.ok(stored.messages[5].latency_ms >= 0)
  // The model saw the tools' JSON schemas and a system prompt with the organization.
  const names = openai.requests[0].body.tools!.map((t) => t.function.name)
  assert.deepEqual(names, [
    'catalog',
    'series',
    'compare_periods',
    'breakdown',
    'retention',
    'active_users',
    'top_events',
  ])
  // Series are offered as the organization's own names.
  const seriesTool = openai.requests[0].body.tools!.find((t) => t.function.name === 'series')!
  const parameters = seriesTool.function.parameters as {
    properties: { series: { items: { enum: string[] } } }
  }
  assert.deepEqual(parameters.properties.series.items.enum, ['events', 'metric:sessions'])
  const system = openai.requests[0].body.messages[0].content!
  assert.match(system, /metric:sessions/)
  assert.match(system, /Today is \d{4}-\d{2}-\d{2} in the organization's timezone UTC/)
})

test("a tool call naming another organization's id or metrics still sees only the caller's data", async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const other = await ownerWithSessions('other')
  const { insertMetrics } = await import('../dashboard/_reports.ts')
  await insertMetrics(other.orgId, [['secret_revenue', '2026-10-10', 'api', '', 999_999]])
  const id = await newConversation(owner)
  openai.reply(
    {
      toolCalls: [{
        name: 'series',
        arguments: {
          series: ['metric:sessions', 'metric:secret_revenue'],
          granularity: 'week',
          org_id: other.orgId,
          organization: other.orgId,
          ...WEEK,
        },
      }, { name: 'catalog', arguments: { org_id: other.orgId } }],
    },
    { text: 'done' },
  )
  const res = await ask(owner, id, 'Show me the other shop')
  assert.equal(res.status, 200, res.text)
  const results = openai.requests[1].body.messages.filter((m) => m.role === 'tool')
  const series = JSON.parse(results[0].content!)
  assert.equal(series.series[0].total, 770, "the caller's own sessions")
  assert.equal(series.series[1].total, 0, "the other organization's metric is not there")
  const catalog = JSON.parse(results[1].content!)
  assert.deepEqual(catalog.metrics.map((m: { name: string }) => m.name), ['sessions'])
  assert.ok(!JSON.stringify(openai.requests).includes('999999'))
})

test('malformed arguments go back to the model, which corrects them in a second round', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner)
  openai.reply(
    { toolCalls: [{ name: 'series', arguments: '{"series": ["metric:sessions"' }] },
    { toolCalls: [{ name: 'series', arguments: { series: ['sessions'], granularity: 'hour' } }] },
    { toolCalls: [{ name: 'series', arguments: { series: ['metric:sessions'], ...WEEK } }] },
    { text: '770 sessions (2026-10-08..2026-10-14).' },
  )
  const res = await ask(owner, id, 'How many sessions last week?')
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.rounds, 4)
  const tool = (n: number) =>
    JSON.parse(openai.requests[n].body.messages.at(-1)!.content!) as Record<string, unknown>
  assert.match(String(tool(1).error), /not valid JSON/)
  assert.match(String(tool(2).error), /series\[0\].*not a series/)
  assert.match(String(tool(2).error), /granularity/)
  assert.equal((tool(3).series as { total: number }[])[0].total, 770)
})

test('the round limit stops a model that keeps calling tools, and says so', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner)
  openai.setFallback({ toolCalls: [{ name: 'catalog', arguments: {} }] })
  const res = await ask(owner, id, 'Loop forever')
  assert.equal(res.status, 200, res.text)
  assert.equal(openai.requests.length, 4, 'ASSISTANT_MAX_ROUNDS=4 model calls')
  assert.equal(res.body.stopped, true)
  assert.match(res.body.answer, /stopped after 4 rounds/)
  const stored = await storedConversation(owner, id)
  assert.equal(stored.messages.length, 1 + 4 * 2 + 1)
  assert.equal(stored.messages.at(-1).content, res.body.answer)
  openai.reset()
})

test('a follow-up question is sent with the earlier turn as context', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner, 'Sessions')
  openai.reply(
    { toolCalls: [{ name: 'series', arguments: { series: ['metric:sessions'], ...WEEK } }] },
    { text: 'There were 770 sessions.' },
    { text: 'That is 110 a day.' },
  )
  assert.equal((await ask(owner, id, 'How many sessions?')).status, 200)
  const res = await ask(owner, id, 'And per day?')
  assert.equal(res.status, 200, res.text)
  const sent = openai.requests[2].body.messages
  assert.deepEqual(sent.map((m) => m.role), [
    'system',
    'user',
    'assistant',
    'tool',
    'assistant',
    'user',
  ])
  assert.equal(sent[1].content, 'How many sessions?')
  assert.equal(sent[4].content, 'There were 770 sessions.')
  const stored = await storedConversation(owner, id)
  assert.equal(stored.title, 'Sessions', 'a title the user gave is kept')
  assert.deepEqual(stored.messages.map((m: { position: number }) => m.position), [1, 2, 3, 4, 5, 6])
})

test('close the fakes', () => fakes.close())
