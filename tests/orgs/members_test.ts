/**
 * /orgs/:id/members end to end: the directory, role changes, removal, leaving, and the
 * owner rules (only owners touch the owner role; the last owner stays).
 */
import assert from 'node:assert/strict'
import { call, newUser, test, type TestUser } from '../_helpers/stack.ts'
import { addMember } from '../_helpers/orgs.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { assertHidden, createOrg } from './_fixtures.ts'

type Member = {
  user_id: string
  email: string | null
  display_name: string | null
  role: string
  joined_at: string
}

async function team() {
  const [owner, admin, member, viewer] = await Promise.all(
    ['owner', 'admin', 'member', 'viewer'].map((l) => newUser(l)),
  )
  const org = await createOrg(owner)
  await addMember(org.id, admin, 'admin')
  await addMember(org.id, member, 'member')
  await addMember(org.id, viewer, 'viewer')
  return { org, owner, admin, member, viewer }
}

const setRole = (orgId: string, actor: TestUser, target: TestUser, role: unknown) =>
  call('PATCH', `/orgs/${orgId}/members/${target.id}`, {
    token: actor.token,
    body: { role },
  })

test('GET /orgs/:id/members lists every member with role and e-mail, to any member', async () => {
  const { org, owner, admin, member, viewer } = await team()
  const res = await call<{ members: Member[] }>('GET', `/orgs/${org.id}/members`, {
    token: viewer.token,
  })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(
    res.body.members.map((m) => [m.user_id, m.email, m.role]),
    [
      [owner.id, owner.email, 'owner'],
      [admin.id, admin.email, 'admin'],
      [member.id, member.email, 'member'],
      [viewer.id, viewer.email, 'viewer'],
    ],
  )
  assert.ok(res.body.members.every((m) => !Number.isNaN(Date.parse(m.joined_at))))
})

test('PATCH /orgs/:id/members/:userId: admins change roles, the owner role only by owners', async () => {
  const { org, owner, admin, member, viewer } = await team()

  const byMember = await setRole(org.id, member, viewer, 'member')
  assert.equal(byMember.status, 403, byMember.text)
  const byViewer = await setRole(org.id, viewer, viewer, 'admin')
  assert.equal(byViewer.status, 403, byViewer.text)

  const promoted = await setRole(org.id, admin, viewer, 'member')
  assert.equal(promoted.status, 200, promoted.text)
  assert.equal(promoted.body.user_id, viewer.id)
  assert.equal(promoted.body.role, 'member')

  const adminMakesOwner = await setRole(org.id, admin, member, 'owner')
  assert.equal(adminMakesOwner.status, 403, adminMakesOwner.text)
  assert.match(adminMakesOwner.body.error.message, /owner/)
  const adminDemotesOwner = await setRole(org.id, admin, owner, 'member')
  assert.equal(adminDemotesOwner.status, 403, adminDemotesOwner.text)

  const ownerMakesOwner = await setRole(org.id, owner, admin, 'owner')
  assert.equal(ownerMakesOwner.status, 200, ownerMakesOwner.text)
  assert.equal(ownerMakesOwner.body.role, 'owner')
  // With two owners, one may step down.
  const stepDown = await setRole(org.id, owner, owner, 'admin')
  assert.equal(stepDown.status, 200, stepDown.text)

  const stranger = await newUser('stranger')
  const notMember = await setRole(org.id, admin, stranger, 'viewer')
  assert.equal(notMember.status, 404, notMember.text)
  assert.match(notMember.body.error.message, /member not found/)

  assertInvalid(await setRole(org.id, admin, member, 'superuser'), 'body.role')
  assertInvalid(await setRole(org.id, admin, member, 3), 'body.role')
  assertInvalid(
    await call('PATCH', `/orgs/${org.id}/members/someone`, {
      token: admin.token,
      body: { role: 'viewer' },
    }),
    'param.userId',
  )
  assertInvalid(
    await call('PATCH', `/orgs/${org.id}/members/${member.id}`, {
      token: admin.token,
      body: { role: 'viewer', note: 'hi' },
    }),
    'body.note',
  )
})

test('the last owner can neither be demoted, nor removed, nor leave (409)', async () => {
  const { org, owner, admin } = await team()
  const demote = await setRole(org.id, owner, owner, 'admin')
  assert.equal(demote.status, 409, demote.text)
  assert.equal(demote.body.error.code, 'conflict')
  const leave = await call('POST', `/orgs/${org.id}/leave`, { token: owner.token })
  assert.equal(leave.status, 409, leave.text)
  const removeSelf = await call('DELETE', `/orgs/${org.id}/members/${owner.id}`, {
    token: owner.token,
  })
  assert.equal(removeSelf.status, 409, removeSelf.text)
  // An admin is refused earlier: only owners may remove an owner.
  const byAdmin = await call('DELETE', `/orgs/${org.id}/members/${owner.id}`, {
    token: admin.token,
  })
  assert.equal(byAdmin.status, 403, byAdmin.text)

  const still = await call('GET', `/orgs/${org.id}`, { token: owner.token })
  assert.equal(still.body.role, 'owner')
})

test('DELETE /orgs/:id/members/:userId: admins remove others, anyone removes themselves', async () => {
  const { org, owner, admin, member, viewer } = await team()
  const byMember = await call('DELETE', `/orgs/${org.id}/members/${viewer.id}`, {
    token: member.token,
  })
  assert.equal(byMember.status, 403, byMember.text)

  const byAdmin = await call('DELETE', `/orgs/${org.id}/members/${member.id}`, {
    token: admin.token,
  })
  assert.equal(byAdmin.status, 204, byAdmin.text)
  assertHidden(await call('GET', `/orgs/${org.id}`, { token: member.token }), org.slug)

  const self = await call('DELETE', `/orgs/${org.id}/members/${viewer.id}`, {
    token: viewer.token,
  })
  assert.equal(self.status, 204, self.text)

  const again = await call('DELETE', `/orgs/${org.id}/members/${viewer.id}`, {
    token: owner.token,
  })
  assert.equal(again.status, 404, again.text)

  const left = await call<{ members: Member[] }>('GET', `/orgs/${org.id}/members`, {
    token: owner.token,
  })
  assert.deepEqual(left.body.members.map((m) => m.user_id), [owner.id, admin.id])
})

test('POST /orgs/:id/leave: a member leaves and loses access', async () => {
  const { org, member, owner } = await team()
  const res = await call('POST', `/orgs/${org.id}/leave`, { token: member.token })
  assert.equal(res.status, 204, res.text)
  assertHidden(await call('GET', `/orgs/${org.id}/members`, { token: member.token }), owner.email)
  const list = await call('GET', '/orgs', { token: member.token })
  assert.deepEqual(list.body.organizations, [])
  assertHidden(await call('POST', `/orgs/${org.id}/leave`, { token: member.token }))
})
