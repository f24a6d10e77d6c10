/**
 * Arranging organizations for the ingestion tests. Organizations and memberships are made
 * in SQL, as the orgs API would make them, so these tests depend on nothing but ingestion.
 */
import assert from 'node:assert/strict'
import { adminSql, call, newUser, type TestUser, uniqueSlug } from '../_helpers/stack.ts'

export type Role = 'owner' | 'admin' | 'member' | 'viewer'

/** A new organization owned by `owner` (and their default, as their first). */
export async function newOrg(owner: TestUser, timezone = 'UTC'): Promise<string> {
  const slug = uniqueSlug('ingest')
  const [org] = await adminSql<{ id: string }[]>`
    insert into public.organizations (name, slug, timezone, created_by)
    values (${slug}, ${slug}, ${timezone}, ${owner.id}) returning id`
  return org.id
}

/** A new user who belongs to `orgId` with `role` (their only organization). */
export async function newMember(orgId: string, role: Role): Promise<TestUser> {
  const user = await newUser(role)
  await adminSql`insert into public.memberships (org_id, user_id, role)
                 values (${orgId}, ${user.id}, ${role})`
  return user
}

/** An organization with one user per role. */
export async function newTeam(timezone = 'UTC') {
  const owner = await newUser('owner')
  const orgId = await newOrg(owner, timezone)
  const [admin, member, viewer] = await Promise.all(
    (['admin', 'member', 'viewer'] as const).map((role) => newMember(orgId, role)),
  )
  return { orgId, owner, admin, member, viewer }
}

/** Creates an API key through the API as `admin` and returns the key. */
export async function createKey(admin: TestUser, scopes?: string[]): Promise<string> {
  const res = await call('POST', '/events/keys', {
    token: admin.token,
    body: { name: 'test key', ...(scopes ? { scopes } : {}) },
  })
  assert.equal(res.status, 201, res.text)
  return res.body.key
}

/** An ISO timestamp `minutesAgo` minutes before now. */
export function ago(minutesAgo: number): string {
  return new Date(Date.now() - minutesAgo * 60_000).toISOString()
}

/** The problems listed by a 400 as `path: message` strings. */
export function problems(body: { error?: { details?: { path: string; message: string }[] } }) {
  return (body.error?.details ?? []).map((p) => `${p.path}: ${p.message}`)
}
