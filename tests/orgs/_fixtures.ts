/**
 * The orgs API's own arrangements: an organization made through POST /orgs (the endpoint
 * under test here; other functions' tests use newOrg from _helpers/orgs.ts), and the 404 a
 * non-member gets.
 */
import assert from 'node:assert/strict'
import { call, type Reply, type TestUser, uniqueSlug } from '../_helpers/stack.ts'

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

/** Asserts the 404 a non-member gets, which must not reveal anything about the target. */
export function assertHidden(res: Reply, ...secrets: string[]) {
  assert.equal(res.status, 404, res.text)
  assert.equal(res.body.error.code, 'not_found')
  for (const secret of secrets) assert.ok(!res.text.includes(secret), `leaks ${secret}`)
}
