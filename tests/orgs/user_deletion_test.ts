/**
 * Deleting a user through the auth admin API (what Supabase's dashboard does) hands their
 * organizations over instead of failing: an organization with nobody else goes with its
 * owner; otherwise its longest-standing admin (or member, or viewer) becomes owner.
 * A soft delete, which keeps the auth row, does the same. The rules themselves are tested
 * in supabase/tests/user_deletion.sql and user_soft_deletion.sql.
 */
import assert from 'node:assert/strict'
import { adminSql, call, newUser, stack, test } from '../_helpers/stack.ts'
import { addMember, newOrg } from '../_helpers/orgs.ts'

/**
 * DELETE /auth/v1/admin/users/{id}, with the secret key unless `key` says otherwise; `soft`
 * keeps the auth row (GoTrue's should_soft_delete).
 */
async function deleteUser(id: string, key = stack.secretKey, soft = false) {
  const res = await fetch(`${stack.apiUrl}/auth/v1/admin/users/${id}`, {
    method: 'DELETE',
    headers: { apikey: key, authorization: `Bearer ${key}` },
    body: JSON.stringify({ should_soft_delete: soft }),
  })
  return { status: res.status, text: await res.text() }
}

test('deleting the only person in an organization deletes the organization too', async () => {
  const owner = await newUser('solo')
  const orgId = await newOrg(owner)

  const res = await deleteUser(owner.id)
  assert.equal(res.status, 200, res.text)
  const [left] = await adminSql`
    select (select count(*)::int from public.organizations where id = ${orgId}) as orgs,
           (select count(*)::int from auth.users where id = ${owner.id}) as users`
  assert.deepEqual({ ...left }, { orgs: 0, users: 0 })
})

test('deleting the only owner makes the longest-standing admin owner', async () => {
  const [owner, firstAdmin, laterAdmin, viewer] = await Promise.all(
    ['owner', 'first-admin', 'later-admin', 'viewer'].map((l) => newUser(l)),
  )
  const orgId = await newOrg(owner)
  await addMember(orgId, firstAdmin, 'admin')
  await addMember(orgId, laterAdmin, 'admin')
  await addMember(orgId, viewer, 'viewer')
  await adminSql`
    update public.memberships set created_at = now() - interval '1 day'
    where org_id = ${orgId} and user_id = ${firstAdmin.id}`

  const res = await deleteUser(owner.id)
  assert.equal(res.status, 200, res.text)

  const mine = await call('GET', `/orgs/${orgId}`, { token: firstAdmin.token })
  assert.equal(mine.status, 200, mine.text)
  assert.equal(mine.body.role, 'owner')
  const members = await call('GET', `/orgs/${orgId}/members`, { token: viewer.token })
  assert.equal(members.status, 200, members.text)
  assert.deepEqual(
    members.body.members.map((m: { user_id: string; role: string }) => [m.user_id, m.role]),
    [[firstAdmin.id, 'owner'], [laterAdmin.id, 'admin'], [viewer.id, 'viewer']],
  )
})

test("a soft delete hands over too, and the deleted owner's old token is refused", async () => {
  const [owner, admin] = await Promise.all(['owner', 'admin'].map((l) => newUser(l)))
  const orgId = await newOrg(owner)
  await addMember(orgId, admin, 'admin')

  const res = await deleteUser(owner.id, stack.secretKey, true)
  assert.equal(res.status, 200, res.text)
  const [kept] = await adminSql`
    select count(*)::int as users from auth.users where id = ${owner.id} and deleted_at is not null`
  assert.equal(kept.users, 1, 'GoTrue keeps a soft-deleted row')

  const theirs = await call('GET', `/orgs/${orgId}`, { token: owner.token })
  assert.equal(theirs.status, 401, 'their sessions are gone: ' + theirs.text)
  const mine = await call('GET', `/orgs/${orgId}`, { token: admin.token })
  assert.equal(mine.status, 200, mine.text)
  assert.equal(mine.body.role, 'owner')
})

test('a user cannot delete anyone through the admin API, and nothing changes', async () => {
  const [owner, admin] = await Promise.all(['owner', 'admin'].map((l) => newUser(l)))
  const orgId = await newOrg(owner)
  await addMember(orgId, admin, 'admin')

  const res = await fetch(`${stack.apiUrl}/auth/v1/admin/users/${owner.id}`, {
    method: 'DELETE',
    headers: { apikey: stack.publishableKey, authorization: `Bearer ${admin.token}` },
  })
  assert.equal(res.status, 403, await res.text())
  const mine = await call('GET', `/orgs/${orgId}`, { token: owner.token })
  assert.equal(mine.status, 200, mine.text)
  assert.equal(mine.body.role, 'owner')
})
