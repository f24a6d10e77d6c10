/**
 * The live GA4 report tool: offered only when the organization has an active GA4 source,
 * names checked against the property's metadata (a wrong one goes back to the model with
 * the property's own names), numbers as GA4 reports them, and never another
 * organization's property.
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { test } from '../_helpers/stack.ts'
import { activeGa4Source, team } from '../sources/_flow.ts'
import { ask, newConversation } from './_helpers.ts'

const fakes = startStackFakes()
const { openai, google } = fakes

const DAY = '2026-10-10'

test('ga4_report checks names against the metadata, then reads GA4 live', async () => {
  openai.reset()
  const { owner } = await team()
  const source = await activeGa4Source(owner)
  const id = await newConversation(owner)
  openai.reply(
    {
      toolCalls: [{
        name: 'ga4_report',
        arguments: { metrics: ['sessions', 'pageviews'], from: DAY, to: DAY },
      }],
    },
    {
      toolCalls: [{
        name: 'ga4_report',
        arguments: {
          metrics: ['sessions', 'activeUsers'],
          dimensions: ['date', 'sessionDefaultChannelGroup'],
          from: DAY,
          to: DAY,
          limit: 50,
        },
      }],
    },
    { text: 'Organic Search led on 2026-10-10.' },
  )
  const res = await ask(owner, id, 'Which channel led on 10 October, according to GA4?')
  assert.equal(res.status, 200, res.text)
  assert.ok(openai.requests[0].body.tools!.some((t) => t.function.name === 'ga4_report'))
  const first = JSON.parse(openai.requests[1].body.messages.at(-1)!.content!)
  assert.match(first.error, /offers no metric pageviews/)
  const report = JSON.parse(openai.requests[2].body.messages.at(-1)!.content!)
  assert.equal(report.source_id, source)
  assert.equal(report.from, DAY)
  assert.ok(report.rows.length > 1, JSON.stringify(report))
  for (const row of report.rows) {
    assert.equal(row.date, '20261010')
    const channel = row.sessionDefaultChannelGroup
    assert.equal(row.sessions, Number(google.metric('111111111', DAY, 'sessions', channel)))
    assert.equal(row.activeUsers, Number(google.metric('111111111', DAY, 'activeUsers', channel)))
  }
  assert.equal(google.server.requestsTo('metadata').length, 1, 'metadata is read once, then cached')
})

test('another organization neither gets the tool nor reaches the property by its id', async () => {
  openai.reset()
  const { owner, outsider } = await team()
  const source = await activeGa4Source(owner)
  const id = await newConversation(outsider)
  const before = google.server.requestsTo('runReport').length
  openai.reply(
    {
      toolCalls: [{ name: 'ga4_report', arguments: { source_id: source, metrics: ['sessions'] } }],
    },
    { text: 'No GA4 here.' },
  )
  const res = await ask(outsider, id, "What are the other shop's GA4 sessions?")
  assert.equal(res.status, 200, res.text)
  assert.ok(!openai.requests[0].body.tools!.some((t) => t.function.name === 'ga4_report'))
  const result = JSON.parse(openai.requests[1].body.messages.at(-1)!.content!)
  assert.match(result.error, /unknown tool ga4_report/)
  assert.equal(google.server.requestsTo('runReport').length, before, 'Google was never asked')
})

test('close the fakes', () => fakes.close())
