/**
 * The organization's own key: admins and owners store it, it takes precedence over the
 * environment's (with its base URL and model), only a masked hint is shown, and the key
 * never appears in a response, in the gateway's log or in a pg_dump.
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { newTeam } from '../_helpers/orgs.ts'
import { call, stack, test } from '../_helpers/stack.ts'
import { insertMetrics } from '../dashboard/_reports.ts'
import { ask, channelSessions, newConversation } from './_helpers.ts'

const fakes = startStackFakes()
const { openai } = fakes

const ORG_KEY = `sk-org-${crypto.randomUUID()}`

test("an organization's key takes precedence and never leaves the server", async () => {
  openai.reset()
  const team = await newTeam()
  await insertMetrics(team.orgId, channelSessions())
  const texts: string[] = []

  const before = await call('GET', '/assistant/settings', { token: team.member.token })
  assert.equal(before.status, 200, before.text)
  assert.equal(before.body.source, 'environment')
  assert.equal(before.body.key_hint, 'sk-…0000')

  const denied = await call('PUT', '/assistant/settings', {
    token: team.member.token,
    body: { api_key: ORG_KEY },
  })
  assert.equal(denied.status, 403, 'a member may not set the key')
  const put = await call('PUT', '/assistant/settings', {
    token: team.admin.token,
    body: { api_key: ORG_KEY, base_url: `${openai.baseUrl}/`, model: 'org-model' },
  })
  assert.equal(put.status, 200, put.text)
  assert.deepEqual(
    { ...put.body, updated_at: null },
    {
      source: 'organization',
      key_hint: `sk-…${ORG_KEY.slice(-4)}`,
      base_url: openai.baseUrl,
      model: 'org-model',
      updated_at: null,
    },
  )
  texts.push(
    put.text,
    (await call('GET', '/assistant/settings', { token: team.viewer.token })).text,
  )

  const id = await newConversation(team.member)
  openai.reply(
    { toolCalls: [{ name: 'catalog', arguments: {} }] },
    { text: 'Your catalogue has sessions.' },
  )
  const answered = await ask(team.member, id, 'What do we track?')
  assert.equal(answered.status, 200, answered.text)
  texts.push(answered.text)
  assert.deepEqual(openai.requests.map((r) => r.authorization), [
    `Bearer ${ORG_KEY}`,
    `Bearer ${ORG_KEY}`,
  ])
  assert.equal(openai.requests[0].body.model, 'org-model')

  // A provider refusing the key: a 502 that names the status, not the key.
  openai.reply({ error: { status: 401, message: `Incorrect API key provided: ${ORG_KEY}` } })
  const refused = await ask(team.member, id, 'Again?')
  assert.equal(refused.status, 502, refused.text)
  texts.push(refused.text)
  texts.push(
    (await call('GET', `/assistant/conversations/${id}`, { token: team.member.token })).text,
  )

  // While the key is stored, the database holds only its ciphertext.
  const dump = await new Deno.Command('pg_dump', {
    args: ['--dbname', stack.dbUrl, '--data-only', '--schema', 'public', '--schema', 'private'],
    stdout: 'piped',
    stderr: 'piped',
  }).output()
  assert.equal(dump.code, 0, new TextDecoder().decode(dump.stderr))
  assert.ok(!new TextDecoder().decode(dump.stdout).includes(ORG_KEY), 'the database holds the key')

  const removed = await call('DELETE', '/assistant/settings', { token: team.owner.token })
  assert.equal(removed.status, 204)
  const after = await call('GET', '/assistant/settings', { token: team.owner.token })
  assert.equal(after.body.source, 'environment')
  openai.reply({ text: 'Back on the environment key.' })
  assert.equal((await ask(team.member, id, 'And now?')).status, 200)
  assert.equal(openai.requests.at(-1)!.authorization, 'Bearer sk-test-environment-key-0000')

  for (const [i, text] of texts.entries()) {
    assert.ok(!text.includes(ORG_KEY), `response ${i} holds the key`)
  }
  const log = await Deno.readTextFile(`${Deno.env.get('LYTICS_STATE_DIR')}/gateway.log`)
  assert.ok(!log.includes(ORG_KEY), 'the gateway log holds the key')
})

test('close the fakes', () => fakes.close())
