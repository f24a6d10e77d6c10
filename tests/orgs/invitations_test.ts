/**
 * Invitations end to end: invite (token shown once), list (never the token), accept by the
 * invited address only, revoke, and who may do each.
 */
import assert from 'node:assert/strict'
import { adminSql, call, newUser, test } from '../_helpers/stack.ts'
import { addMember } from '../_helpers/orgs.ts'
import { assertInvalid } from '../_helpers/validation.ts'
import { assertHidden, createOrg, type Org } from './_fixtures.ts'

type Invitation = {
  id: string
  org_id: string
  email: string
  role: string
  status: string
  invited_by: string
  expires_at: string
  accepted_at: string | null
  created_at: string
  token?: string
}

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

test('the invitation flow: invite, list, accept by the invitee only, once', async () => {
  const [owner, invitee, intruder] = await Promise.all([
    newUser('owner'),
    newUser('invitee'),
    newUser('intruder'),
  ])
  const org = await createOrg(owner, { name: 'Invite Co' })

  const created = await call<Invitation>('POST', `/orgs/${org.id}/invitations`, {
    token: owner.token,
    body: { email: `  ${invitee.email.toUpperCase()} `, role: 'viewer' },
  })
  assert.equal(created.status, 201, created.text)
  const { token, ...invitation } = created.body
  assert.match(token!, /^[A-Za-z0-9]{32}$/)
  assert.equal(invitation.email, invitee.email)
  assert.equal(invitation.role, 'viewer')
  assert.equal(invitation.status, 'pending')
  assert.equal(invitation.invited_by, owner.id)
  assert.equal(invitation.org_id, org.id)
  assert.ok(Date.parse(invitation.expires_at) > Date.now() + 6 * 86_400_000)

  // Only the hash is stored.
  const [stored] = await adminSql`select * from public.invitations where id = ${invitation.id}`
  assert.equal(stored.token_hash, await sha256Hex(token!))
  assert.ok(!JSON.stringify(stored).includes(token!))

  // Listing never shows the token or its hash.
  const list = await call<{ invitations: Invitation[] }>('GET', `/orgs/${org.id}/invitations`, {
    token: owner.token,
  })
  assert.equal(list.status, 200)
  assert.deepEqual(list.body.invitations, [invitation])
  assert.ok(!list.text.includes(token!))
  assert.ok(!list.text.includes(stored.token_hash))
  assert.ok(!/token/.test(list.text))

  // Someone else with the token: same 404 as an unknown token.
  const stolen = await call('POST', '/orgs/invitations/accept', {
    token: intruder.token,
    body: { token },
  })
  assertHidden(stolen, org.id, 'Invite Co')
  const unknown = await call('POST', '/orgs/invitations/accept', {
    token: intruder.token,
    body: { token: 'x'.repeat(32) },
  })
  assert.deepEqual(stolen.body, unknown.body)

  const accepted = await call<Org>('POST', '/orgs/invitations/accept', {
    token: invitee.token,
    body: { token },
  })
  assert.equal(accepted.status, 200, accepted.text)
  assert.equal(accepted.body.id, org.id)
  assert.equal(accepted.body.name, 'Invite Co')
  assert.equal(accepted.body.role, 'viewer')

  const seen = await call<Org>('GET', `/orgs/${org.id}`, { token: invitee.token })
  assert.equal(seen.status, 200)
  assert.equal(seen.body.role, 'viewer')
  const members = await call('GET', `/orgs/${org.id}/members`, { token: invitee.token })
  assert.ok(members.body.members.some((m: { user_id: string }) => m.user_id === invitee.id))

  const twice = await call('POST', '/orgs/invitations/accept', {
    token: invitee.token,
    body: { token },
  })
  assert.equal(twice.status, 404, twice.text)

  const after = await call<{ invitations: Invitation[] }>('GET', `/orgs/${org.id}/invitations`, {
    token: owner.token,
  })
  assert.equal(after.body.invitations[0].status, 'accepted')
  assert.ok(after.body.invitations[0].accepted_at)
  assert.ok(!after.text.includes(token!))

  // An accepted invitation cannot be revoked any more.
  const revokeAccepted = await call('DELETE', `/orgs/${org.id}/invitations/${invitation.id}`, {
    token: owner.token,
  })
  assert.equal(revokeAccepted.status, 409, revokeAccepted.text)
})

test('only admins and owners invite, list and revoke; others get 403 or 404', async () => {
  const [owner, admin, member, viewer, outsider] = await Promise.all(
    ['owner', 'admin', 'member', 'viewer', 'outsider'].map((l) => newUser(l)),
  )
  const org = await createOrg(owner)
  await addMember(org.id, admin, 'admin')
  await addMember(org.id, member, 'member')
  await addMember(org.id, viewer, 'viewer')
  const path = `/orgs/${org.id}/invitations`

  const byAdmin = await call<Invitation>('POST', path, {
    token: admin.token,
    body: { email: 'newcomer@test.local' },
  })
  assert.equal(byAdmin.status, 201, byAdmin.text)
  assert.equal(byAdmin.body.role, 'member', 'member is the default role')

  for (const user of [member, viewer]) {
    const invite = await call('POST', path, { token: user.token, body: { email: 'x@test.local' } })
    assert.equal(invite.status, 403, invite.text)
    const list = await call('GET', path, { token: user.token })
    assert.equal(list.status, 403, list.text)
    assert.ok(!list.text.includes('newcomer'))
    const revoke = await call('DELETE', `${path}/${byAdmin.body.id}`, { token: user.token })
    assert.equal(revoke.status, 403, revoke.text)
  }
  assertHidden(await call('GET', path, { token: outsider.token }), 'newcomer')
  assertHidden(
    await call('DELETE', `${path}/${byAdmin.body.id}`, { token: outsider.token }),
    'newcomer',
  )

  const revoked = await call('DELETE', `${path}/${byAdmin.body.id}`, { token: owner.token })
  assert.equal(revoked.status, 204, revoked.text)
  const gone = await call('DELETE', `${path}/${byAdmin.body.id}`, { token: owner.token })
  assert.equal(gone.status, 404, gone.text)
  const accept = await call('POST', '/orgs/invitations/accept', {
    token: owner.token,
    body: { token: byAdmin.body.token },
  })
  assert.equal(accept.status, 404, 'a revoked token is dead')
})

test('invitations refuse duplicates, members, owners and bad input', async () => {
  const [owner, member] = await Promise.all([newUser('owner'), newUser('member')])
  const org = await createOrg(owner)
  await addMember(org.id, member, 'member')
  const invite = (body: unknown) =>
    call('POST', `/orgs/${org.id}/invitations`, { token: owner.token, body })

  assert.equal((await invite({ email: 'dup@test.local' })).status, 201)
  const dup = await invite({ email: 'DUP@test.local' })
  assert.equal(dup.status, 409, dup.text)
  const already = await invite({ email: member.email })
  assert.equal(already.status, 409, already.text)
  assert.match(already.body.error.message, /already a member/)

  assertInvalid(await invite({ email: 'not-an-email' }), 'body.email')
  assertInvalid(await invite({ email: 'boss@test.local', role: 'owner' }), 'body.role')
  assertInvalid(await invite({ email: 'x@test.local', token: 'mine' }), 'body.token')
  assertInvalid(await invite({}), 'body.email')
  assertInvalid(
    await call('DELETE', `/orgs/${org.id}/invitations/nope`, { token: owner.token }),
    'param.invitationId',
  )
  assertInvalid(
    await call('POST', '/orgs/invitations/accept', { token: owner.token, body: {} }),
    'body.token',
  )
  assertInvalid(
    await call('POST', '/orgs/invitations/accept', { token: owner.token, body: { token: 7 } }),
    'body.token',
  )
  const raw = await call('POST', '/orgs/invitations/accept', { token: owner.token, raw: 'token' })
  assert.equal(raw.status, 400, raw.text)
})

test('an expired invitation cannot be accepted, and the address can be invited again', async () => {
  const [owner, late] = await Promise.all([newUser('owner'), newUser('late')])
  const org = await createOrg(owner)
  const first = await call<Invitation>('POST', `/orgs/${org.id}/invitations`, {
    token: owner.token,
    body: { email: late.email },
  })
  await adminSql`
    update public.invitations set expires_at = now() - interval '1 minute'
    where id = ${first.body.id}`
  const expired = await call('POST', '/orgs/invitations/accept', {
    token: late.token,
    body: { token: first.body.token },
  })
  assert.equal(expired.status, 404, expired.text)
  const listed = await call('GET', `/orgs/${org.id}/invitations`, { token: owner.token })
  assert.equal(listed.body.invitations[0].status, 'expired')

  const second = await call<Invitation>('POST', `/orgs/${org.id}/invitations`, {
    token: owner.token,
    body: { email: late.email, role: 'admin' },
  })
  assert.equal(second.status, 201, second.text)
  const joined = await call<Org>('POST', '/orgs/invitations/accept', {
    token: late.token,
    body: { token: second.body.token },
  })
  assert.equal(joined.status, 200, joined.text)
  assert.equal(joined.body.role, 'admin')
})
