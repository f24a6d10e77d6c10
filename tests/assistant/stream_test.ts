/**
 * Server-Sent Events: tokens, tool start and end, then `done` with the stored ids, in
 * order, and the stored turn holds exactly what was streamed. A client that disconnects
 * mid-stream leaves the whole turn stored (the turn runs to its end), never half of it.
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { test } from '../_helpers/stack.ts'
import {
  askStreaming,
  type Frame,
  newConversation,
  ownerWithSessions,
  parseFrames,
  readFrames,
  storedConversation,
  WEEK,
} from './_helpers.ts'

const fakes = startStackFakes()
const { openai } = fakes

test('frames arrive in order and the stored conversation matches what was streamed', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner)
  openai.reply(
    {
      toolCalls: [{
        name: 'compare_periods',
        arguments: { series: ['metric:sessions'], ...WEEK },
      }],
    },
    { text: 'Sessions fell by 280 to 770 (2026-10-08..2026-10-14).', delayMs: 5 },
  )
  const res = await askStreaming(owner, id, 'What happened to sessions?')
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
  const frames = await readFrames(res)
  const kinds = frames.map((f) => f.event)
  const firstToken = kinds.indexOf('token')
  assert.deepEqual(kinds.slice(0, 2), ['tool_start', 'tool_end'])
  assert.ok(firstToken === 2, kinds.join(','))
  assert.equal(kinds.at(-1), 'done')
  assert.ok(kinds.slice(2, -1).every((k) => k === 'token'), kinds.join(','))
  const start = frames[0].data
  assert.equal(start.name, 'compare_periods')
  assert.deepEqual(JSON.parse(start.arguments as string).series, ['metric:sessions'])
  assert.equal(frames[1].data.ok, true)
  assert.match(String(frames[1].data.summary), /2026-10-08\.\.2026-10-14, 1 tiles/)
  const streamed = frames.filter((f) => f.event === 'token').map((f) => f.data.text).join('')
  assert.equal(streamed, 'Sessions fell by 280 to 770 (2026-10-08..2026-10-14).')

  const done = frames.at(-1)!.data as {
    message_ids: string[]
    answer: string
    usage: Record<string, number>
  }
  assert.equal(done.answer, streamed)
  assert.deepEqual(done.usage, { prompt_tokens: 200, completion_tokens: 40, total_tokens: 240 })
  const stored = await storedConversation(owner, id)
  assert.deepEqual(stored.messages.map((m: { id: string }) => m.id), done.message_ids)
  assert.equal(stored.messages.at(-1).content, streamed)
  assert.equal(stored.messages[1].tool_calls[0].id, start.id)
  assert.equal(stored.messages[1].tool_calls[0].arguments, start.arguments)
})

test('a client that disconnects mid-stream leaves the whole turn stored', async () => {
  openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner)
  const words = Array.from({ length: 30 }, (_, i) => `word${i} `)
  openai.reply({ text: words.join(''), chunks: words, delayMs: 40 })
  const abort = new AbortController()
  const res = await askStreaming(owner, id, 'Tell me a long story', abort.signal)
  const reader = res.body!.getReader()
  const seen: Frame[] = []
  let buffer = ''
  while (!seen.some((f) => f.event === 'token' && f.data.text !== '')) {
    const { value, done } = await reader.read()
    if (done) break
    const parsed = parseFrames(buffer + new TextDecoder().decode(value))
    seen.push(...parsed.frames)
    buffer = parsed.rest
  }
  abort.abort()
  await reader.cancel().catch(() => {})
  // Not half: either nothing (still running) or the whole turn, and in the end the whole.
  let stored
  for (let i = 0; i < 60; i++) {
    stored = await storedConversation(owner, id)
    assert.ok([0, 2].includes(stored.messages.length), `half a turn: ${stored.messages.length}`)
    if (stored.messages.length === 2) break
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.equal(stored.messages.length, 2)
  assert.equal(stored.messages[1].content, words.join(''))
})

test('close the fakes', () => fakes.close())
