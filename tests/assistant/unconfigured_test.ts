/**
 * Without any model configured, a question answers 503 naming what to set. The test
 * stack's gateway has a key, so the assistant runs here as a second deployment would: its
 * own app in a fresh process, against the same stack, with the environment of a project
 * that set no OPENAI_API_KEY. The same token, the same database, only the settings differ.
 */
import assert from 'node:assert/strict'
import { stack, test } from '../_helpers/stack.ts'
import {
  assertOrganicDrop,
  messageCount,
  newConversation,
  ownerWithSessions,
  WEEK,
} from './_helpers.ts'

const root = new URL('../../', import.meta.url)

/** Sends `requests` to the assistant's app in a process with no model settings. */
async function withoutModel(
  requests: { method: string; path: string; token: string; body?: unknown }[],
) {
  const code = `
    const { app } = await import(${
    JSON.stringify(new URL('supabase/functions/assistant/app.ts', root).href)
  })
    const out = []
    for (const r of ${JSON.stringify(requests)}) {
      const res = await app.fetch(new Request('http://local.test' + r.path, {
        method: r.method,
        headers: { authorization: 'Bearer ' + r.token, 'content-type': 'application/json' },
        body: r.body === undefined ? undefined : JSON.stringify(r.body),
      }))
      out.push({ status: res.status, body: await res.json() })
    }
    console.log(JSON.stringify(out))
    Deno.exit(0)
  `
  const inherited = ['PATH', 'HOME', 'DENO_DIR', 'XDG_CACHE_HOME', 'DENO_TLS_CA_STORE']
    .flatMap((k) => (Deno.env.get(k) === undefined ? [] : [[k, Deno.env.get(k)!]]))
  const output = await new Deno.Command(Deno.execPath(), {
    args: ['eval', '--quiet', '--config', new URL('deno.json', root).pathname, code],
    cwd: root.pathname,
    clearEnv: true,
    env: {
      ...Object.fromEntries(inherited),
      LOG_LEVEL: 'silent',
      SUPABASE_URL: stack.apiUrl,
      SUPABASE_DB_URL: stack.dbUrl,
    },
    stdout: 'piped',
    stderr: 'piped',
  }).output()
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr))
  const stdout = new TextDecoder().decode(output.stdout).trim()
  // deno-lint-ignore no-explicit-any
  return JSON.parse(stdout.split('\n').at(-1)!) as { status: number; body: any }[]
}

test('no key anywhere: a question is a 503 naming OPENAI_API_KEY, insights still come back', async () => {
  const owner = await ownerWithSessions('nokey')
  const id = await newConversation(owner)
  const [question, settings, insights] = await withoutModel([
    {
      method: 'POST',
      path: `/assistant/conversations/${id}/messages`,
      token: owner.token,
      body: { content: 'Anyone there?' },
    },
    { method: 'GET', path: '/assistant/settings', token: owner.token },
    {
      method: 'GET',
      path: `/assistant/insights?from=${WEEK.from}&to=${WEEK.to}`,
      token: owner.token,
    },
  ])
  assert.equal(question.status, 503, JSON.stringify(question.body))
  assert.equal(question.body.error.code, 'model_not_configured')
  assert.match(question.body.error.message, /OPENAI_API_KEY/)
  assert.equal(settings.status, 200)
  assert.equal(settings.body.source, 'none')
  assert.equal(settings.body.key_hint, null)
  assert.equal(await messageCount(id), 0)
  // Insights still work: the same findings, without a summary.
  assert.equal(insights.status, 200, JSON.stringify(insights.body))
  assertOrganicDrop(insights.body)
  assert.deepEqual(
    [insights.body.summary, insights.body.model, insights.body.summary_error],
    [null, null, null],
  )
})
