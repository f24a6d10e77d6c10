/**
 * /account/me end to end: the profile with memberships, and its updates.
 */
import assert from 'node:assert/strict'
import { call, newUser, test, uniqueSlug } from '../_helpers/stack.ts'
import { newOrg } from '../_helpers/orgs.ts'
import { assertInvalid } from '../_helpers/validation.ts'

type Me = {
  id: string
  email: string | null
  display_name: string | null
  avatar_url: string | null
  default_organization_id: string | null
  active_organization_id: string | null
  memberships: { org_id: string; name: string; slug: string; role: string }[]
}

test('GET /account/me: a new user has a profile and no organizations', async () => {
  const user = await newUser('fresh')
  const res = await call<Me>('GET', '/account/me', { token: user.token })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(res.body, {
    id: user.id,
    email: user.email,
    display_name: null,
    avatar_url: null,
    default_organization_id: null,
    active_organization_id: null,
    memberships: [],
  })
})

test('GET /account/me lists memberships; the first organization becomes the default', async () => {
  const user = await newUser('joiner')
  const [firstSlug, secondSlug] = [uniqueSlug(), uniqueSlug()]
  const firstId = await newOrg(user, { name: 'B First', slug: firstSlug })
  const secondId = await newOrg(user, { name: 'A Second', slug: secondSlug })
  const res = await call<Me>('GET', '/account/me', { token: user.token })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.default_organization_id, firstId)
  assert.equal(res.body.active_organization_id, firstId)
  assert.deepEqual(res.body.memberships, [
    { org_id: secondId, name: 'A Second', slug: secondSlug, role: 'owner' },
    { org_id: firstId, name: 'B First', slug: firstSlug, role: 'owner' },
  ])
})

test('PATCH /account/me updates the name, avatar and default organization', async () => {
  const user = await newUser('patcher')
  const firstId = await newOrg(user, { name: 'First' })
  const secondId = await newOrg(user, { name: 'Second' })
  const res = await call<Me>('PATCH', '/account/me', {
    token: user.token,
    body: {
      display_name: '  Grace Hopper ',
      avatar_url: 'https://example.com/grace.png',
      default_organization_id: secondId,
    },
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.display_name, 'Grace Hopper')
  assert.equal(res.body.avatar_url, 'https://example.com/grace.png')
  assert.equal(res.body.default_organization_id, secondId)
  assert.equal(res.body.email, user.email)
  assert.equal(res.body.memberships.length, 2)

  const cleared = await call<Me>('PATCH', '/account/me', {
    token: user.token,
    body: { display_name: '', avatar_url: null },
  })
  assert.equal(cleared.status, 200, cleared.text)
  assert.equal(cleared.body.display_name, null)
  assert.equal(cleared.body.avatar_url, null)
  assert.equal(cleared.body.default_organization_id, secondId, 'untouched fields stay')

  const back = await call<Me>('PATCH', '/account/me', {
    token: user.token,
    body: { default_organization_id: firstId },
  })
  assert.equal(back.body.default_organization_id, firstId)
  const read = await call<Me>('GET', '/account/me', { token: user.token })
  assert.deepEqual(read.body, back.body)
})

test("PATCH /account/me refuses another's organization as default with a plain 404", async () => {
  const [user, other] = await Promise.all([newUser('me'), newUser('other')])
  await newOrg(user, { name: 'Mine' })
  const theirId = await newOrg(other, { name: 'Their Secret Org' })
  const res = await call('PATCH', '/account/me', {
    token: user.token,
    body: { default_organization_id: theirId },
  })
  assert.equal(res.status, 404, res.text)
  assert.ok(!res.text.includes('Their Secret Org') && !res.text.includes(theirId))
  const made_up = await call('PATCH', '/account/me', {
    token: user.token,
    body: { default_organization_id: crypto.randomUUID() },
  })
  assert.deepEqual(res.body, made_up.body, 'the same answer as for an id that does not exist')
  const me = await call<Me>('GET', '/account/me', { token: user.token })
  assert.notEqual(me.body.default_organization_id, theirId)
})

test('a default organization the user has left is reported as none', async () => {
  const [owner, member] = await Promise.all([newUser('owner'), newUser('member')])
  const orgId = await newOrg(owner, { name: 'Left Behind' })
  const invite = await call('POST', `/orgs/${orgId}/invitations`, {
    token: owner.token,
    body: { email: member.email },
  })
  const accept = await call('POST', '/orgs/invitations/accept', {
    token: member.token,
    body: { token: invite.body.token },
  })
  assert.equal(accept.status, 200, accept.text)
  const joined = await call<Me>('GET', '/account/me', { token: member.token })
  assert.equal(joined.body.default_organization_id, orgId, 'accepting sets the first default')
  assert.equal((await call('POST', `/orgs/${orgId}/leave`, { token: member.token })).status, 204)
  const after = await call<Me>('GET', '/account/me', { token: member.token })
  assert.equal(after.body.default_organization_id, null)
  assert.deepEqual(after.body.memberships, [])
})

test('without a default, data requests act on the oldest membership', async () => {
  const user = await newUser('fallback')
  const oldestId = await newOrg(user, { name: 'Oldest' })
  const chosenId = await newOrg(user, { name: 'Chosen' })
  const patched = await call<Me>('PATCH', '/account/me', {
    token: user.token,
    body: { default_organization_id: chosenId },
  })
  assert.equal(patched.body.active_organization_id, chosenId)
  assert.equal((await call('DELETE', `/orgs/${chosenId}`, { token: user.token })).status, 204)
  const me = await call<Me>('GET', '/account/me', { token: user.token })
  assert.equal(me.body.default_organization_id, null)
  assert.equal(me.body.active_organization_id, oldestId)
})

test('PATCH /account/me validates its body and names the field', async () => {
  const user = await newUser('strict')
  const patch = (body: unknown) => call('PATCH', '/account/me', { token: user.token, body })
  assertInvalid(await patch({ nickname: 'x' }), 'body.nickname')
  assertInvalid(await patch({ display_name: 12 }), 'body.display_name')
  assertInvalid(await patch({ display_name: 'x'.repeat(101) }), 'body.display_name')
  assertInvalid(await patch({ avatar_url: 'ftp://example.com/a.png' }), 'body.avatar_url')
  assertInvalid(await patch({ avatar_url: 'not a url' }), 'body.avatar_url')
  assertInvalid(await patch({ default_organization_id: 'acme' }), 'body.default_organization_id')
  assertInvalid(await patch({ id: crypto.randomUUID() }), 'body.id')
  assertInvalid(await patch({}), 'body')
  const raw = await call('PATCH', '/account/me', { token: user.token, raw: '{"display_name":' })
  assert.equal(raw.status, 400, raw.text)
  assert.match(raw.text, /JSON/)
})

test('/account/me needs a signed-in user', async () => {
  assert.equal((await call('GET', '/account/me')).status, 401)
  assert.equal((await call('PATCH', '/account/me', { body: { display_name: 'x' } })).status, 401)
})

test('/account/openapi.json documents /account/me and /account/session', async () => {
  const res = await call('GET', '/account/openapi.json')
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(Object.keys(res.body.paths), ['/account/me', '/account/session'])
  assert.deepEqual(Object.keys(res.body.paths['/account/me']).sort(), ['get', 'patch'])
})
