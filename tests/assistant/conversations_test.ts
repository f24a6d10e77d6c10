/**
 * Conversations: start, list newest first by cursor, read, rename, delete; another user or
 * another organization gets 404 for all of them and for posting a question; bad input is a
 * 400 naming the field.
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { addMember, newOrgOwner } from '../_helpers/orgs.ts'
import { call, newUser, test } from '../_helpers/stack.ts'
import { ask, messageCount, newConversation, ownerWithSessions } from './_helpers.ts'

const fakes = startStackFakes()

test('start, list newest first page by page, read, rename and delete', async () => {
  const owner = await newOrgOwner({ label: 'conv' })
  const ids = []
  for (const title of ['first', 'second', 'third']) ids.push(await newConversation(owner, title))
  const untitled = await call('POST', '/assistant/conversations', { token: owner.token })
  assert.equal(untitled.status, 201, untitled.text)
  assert.equal(untitled.body.title, null)

  const first = await call('GET', '/assistant/conversations?limit=2', { token: owner.token })
  assert.equal(first.status, 200, first.text)
  assert.deepEqual(first.body.conversations.map((c: { id: string }) => c.id), [
    untitled.body.id,
    ids[2],
  ])
  const second = await call(
    'GET',
    `/assistant/conversations?limit=2&cursor=${first.body.next_cursor}`,
    { token: owner.token },
  )
  assert.deepEqual(second.body.conversations.map((c: { title: string }) => c.title), [
    'second',
    'first',
  ])
  assert.equal(second.body.next_cursor, null)

  const renamed = await call('PATCH', `/assistant/conversations/${ids[0]}`, {
    token: owner.token,
    body: { title: '  Weekly review  ' },
  })
  assert.equal(renamed.status, 200, renamed.text)
  assert.equal(renamed.body.title, 'Weekly review')
  const read = await call('GET', `/assistant/conversations/${ids[0]}`, { token: owner.token })
  assert.equal(read.status, 200)
  assert.deepEqual(read.body.messages, [])

  const gone = await call('DELETE', `/assistant/conversations/${ids[0]}`, { token: owner.token })
  assert.equal(gone.status, 204)
  const after = await call('GET', `/assistant/conversations/${ids[0]}`, { token: owner.token })
  assert.equal(after.status, 404)
})

test('another user or another organization can neither read, rename, delete nor post (404)', async () => {
  fakes.openai.reset()
  const owner = await ownerWithSessions()
  const id = await newConversation(owner, 'Private')
  fakes.openai.reply({ text: 'An answer.' })
  assert.equal((await ask(owner, id, 'Hello?')).status, 200)
  const colleague = await newUser('colleague')
  await addMember(owner.orgId, colleague, 'admin')
  const stranger = await newOrgOwner({ label: 'stranger' })
  for (const user of [colleague, stranger]) {
    const path = `/assistant/conversations/${id}`
    assert.equal((await call('GET', path, { token: user.token })).status, 404)
    const patch = await call('PATCH', path, { token: user.token, body: { title: 'Mine now' } })
    assert.equal(patch.status, 404)
    assert.equal((await call('DELETE', path, { token: user.token })).status, 404)
    const posted = await ask(user, id, 'What did they ask?')
    assert.equal(posted.status, 404, posted.text)
    const list = await call('GET', '/assistant/conversations', { token: user.token })
    assert.deepEqual(list.body.conversations, [])
  }
  assert.equal(fakes.openai.requests.length, 1, 'no question of theirs reached the model')
  assert.equal(await messageCount(id), 2, 'and nothing was added or removed')
  const mine = await call('GET', `/assistant/conversations/${id}`, { token: owner.token })
  assert.equal(mine.body.title, 'Private')

  // The owner's conversation in one organization is not found from another active one.
  const elsewhere = await newOrgOwner({ label: 'switch' })
  await addMember(elsewhere.orgId, owner, 'member')
  await call('PATCH', '/account/me', {
    token: owner.token,
    body: { default_organization_id: elsewhere.orgId },
  })
  assert.equal(
    (await call('GET', `/assistant/conversations/${id}`, { token: owner.token })).status,
    404,
  )
})

test('bad input is a 400 naming the field', async () => {
  const owner = await newOrgOwner({ label: 'bad' })
  const id = await newConversation(owner)
  const cases: [string, string, unknown, RegExp][] = [
    ['POST', '/assistant/conversations', { title: '' }, /body\.title/],
    ['POST', '/assistant/conversations', { title: 'x', owner: 'me' }, /body\.owner: unknown field/],
    ['PATCH', `/assistant/conversations/${id}`, { title: 'x'.repeat(201) }, /body\.title/],
    ['PATCH', '/assistant/conversations/not-a-uuid', { title: 'x' }, /id/],
    ['POST', `/assistant/conversations/${id}/messages`, { content: '' }, /body\.content/],
    ['POST', `/assistant/conversations/${id}/messages`, {}, /body\.content/],
    [
      'POST',
      `/assistant/conversations/${id}/messages`,
      { content: 'x'.repeat(4001) },
      /body\.content/,
    ],
    ['GET', '/assistant/conversations?limit=0', undefined, /query\.limit/],
    ['GET', '/assistant/conversations?cursor=abc', undefined, /query\.cursor/],
    ['PUT', '/assistant/settings', { api_key: 'short' }, /body\.api_key/],
    [
      'PUT',
      '/assistant/settings',
      { api_key: 'sk-long-enough', base_url: 'ftp://x' },
      /body\.base_url/,
    ],
    ['GET', '/assistant/usage?from=2026-02-30', undefined, /query\.from/],
  ]
  for (const [method, path, body, field] of cases) {
    const res = await call(method, path, { token: owner.token, body })
    assert.equal(res.status, 400, `${method} ${path}: ${res.text}`)
    assert.match(res.body.error.message, field, `${method} ${path}`)
  }
})

test('a signed-out caller gets 401', async () => {
  const res = await call('GET', '/assistant/conversations')
  assert.equal(res.status, 401)
})

test('close the fakes', () => fakes.close())
