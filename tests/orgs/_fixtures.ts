/**
 * Arrangements shared by the orgs and account tests: an organization made through the API
 * with its owner, members of a given role put in place directly (what accepting an
 * invitation does), and the 400 and 404 answers they check.
 */
import assert from 'node:assert/strict'
import { adminSql, call, type Reply, type TestUser, uniqueSlug } from '../_helpers/stack.ts'

export type Org = {
  id: string
  name: string
  slug: string
  timezone: string
  role: string
  created_at: string
  updated_at: string
}

/** Creates an organization owned by `owner` through POST /orgs. */
export async function createOrg(owner: TestUser, body: Record<string, unknown> = {}) {
  const res = await call<Org>('POST', '/orgs', {
    token: owner.token,
    body: { name: 'Test Org', slug: uniqueSlug(), ...body },
  })
  assert.equal(res.status, 201, res.text)
  return res.body
}

/** Makes `user` a member of `orgId` with `role`, bypassing invitations. */
export async function addMember(orgId: string, user: TestUser, role: string) {
  await adminSql`
    insert into public.memberships (org_id, user_id, role)
    values (${orgId}, ${user.id}, ${role}::public.org_role)`
}

/** Asserts a 400 whose message names `field` (e.g. `body.name`). */
export function assertInvalid(res: Reply, field: string) {
  assert.equal(res.status, 400, res.text)
  assert.equal(res.body.error.code, 'invalid_request')
  assert.match(res.body.error.message, new RegExp(field.replace(/[.[\]]/g, '\\$&')), res.text)
}

/** Asserts the 404 a non-member gets, which must not reveal anything about the target. */
export function assertHidden(res: Reply, ...secrets: string[]) {
  assert.equal(res.status, 404, res.text)
  assert.equal(res.body.error.code, 'not_found')
  for (const secret of secrets) assert.ok(!res.text.includes(secret), `leaks ${secret}`)
}
