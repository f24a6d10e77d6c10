/**
 * Which model a question uses, with the configuration given directly: the organization's
 * key over the environment's, and without either a 503 that names OPENAI_API_KEY (the
 * test stack's gateway always has a key, so the 503 is proved here, on the same function
 * the route calls). Also the masked hint and how history is trimmed.
 */
import assert from 'node:assert/strict'
import { assistantConfigSchema, readConfig } from '../../shared/config.ts'
import { ApiError } from '../../shared/http/errors.ts'
import {
  keyHint,
  modelTarget,
  requireModel,
} from '../../supabase/functions/assistant/model/provider.ts'
import { historyMessages } from '../../supabase/functions/assistant/messages/prompt.ts'
import type { MessageRow } from '../../supabase/functions/assistant/conversations/queries.ts'

const noKey = readConfig(assistantConfigSchema, {})
const withKey = readConfig(assistantConfigSchema, {
  OPENAI_API_KEY: 'sk-env-key-1234567890',
  OPENAI_BASE_URL: 'http://localhost:11434/v1/',
  OPENAI_MODEL: 'llama3.1',
})

Deno.test('no key anywhere is a 503 naming what to set', () => {
  assert.equal(modelTarget(null, noKey), null)
  assert.throws(() => requireModel(null, noKey), (err: unknown) => {
    assert.ok(err instanceof ApiError)
    assert.equal(err.status, 503)
    assert.match(err.message, /OPENAI_API_KEY/)
    assert.match(err.message, /PUT \/assistant\/settings/)
    return true
  })
})

Deno.test("the environment's settings, defaults, and the organization's key over them", () => {
  assert.equal(noKey.OPENAI_BASE_URL, 'https://api.openai.com/v1')
  assert.deepEqual(requireModel(null, withKey), {
    apiKey: 'sk-env-key-1234567890',
    baseURL: 'http://localhost:11434/v1',
    model: 'llama3.1',
    source: 'environment',
  })
  const org = { apiKey: 'sk-org-key-abcdefghij', baseUrl: null, model: 'gpt-4o' }
  assert.deepEqual(requireModel(org, noKey), {
    apiKey: 'sk-org-key-abcdefghij',
    baseURL: 'https://api.openai.com/v1',
    model: 'gpt-4o',
    source: 'organization',
  })
  assert.equal(requireModel(org, withKey).apiKey, 'sk-org-key-abcdefghij')
})

Deno.test('a key hint shows at most a prefix and four characters', () => {
  assert.equal(keyHint('sk-proj-abcdefghijklmnop1234'), 'sk-…1234')
  assert.equal(keyHint('ollama-local-token-xyz9'), '…xyz9')
  assert.equal(keyHint('sk-short'), 'sk-…')
})

Deno.test('history keeps the newest whole turns that fit, never a result without its call', () => {
  let position = 0
  const row = (role: MessageRow['role'], content: string, extra: Partial<MessageRow> = {}) => ({
    id: String(++position),
    position,
    role,
    content,
    tool_calls: null,
    tool_call_id: null,
    tool_name: null,
    model: null,
    prompt_tokens: null,
    completion_tokens: null,
    latency_ms: null,
    created_at: new Date(),
    ...extra,
  })
  const rows: MessageRow[] = [
    row('user', 'old question '.repeat(40)),
    row('assistant', '', { tool_calls: [{ id: 'c1', name: 'catalog', arguments: '{}' }] }),
    row('tool', 'x'.repeat(400), { tool_call_id: 'c1' }),
    row('assistant', 'old answer'),
    row('user', 'new question'),
    row('assistant', 'new answer'),
  ]
  assert.deepEqual(historyMessages(rows, 10).map((m) => m.content), ['new question', 'new answer'])
  const all = historyMessages(rows, 10_000)
  assert.deepEqual(all.map((m) => m.role), [
    'user',
    'assistant',
    'tool',
    'assistant',
    'user',
    'assistant',
  ])
  assert.deepEqual(historyMessages(rows, 0), [])
  // A read that starts mid-turn never sends a tool result without its call.
  assert.deepEqual(historyMessages(rows.slice(2), 10_000).map((m) => m.content), [
    'new question',
    'new answer',
  ])
})
