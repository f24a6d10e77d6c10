/**
 * Organizations for tests: an organization with its owner, members of a given role, and a
 * team with one user per role. Made in SQL as postgres, as POST /orgs makes them (the
 * `on_organization_created` trigger adds the owner and makes it their active organization
 * when they had none), so a test of another function depends on nothing but that function.
 */
import type { OrgRole } from '../../shared/domain/roles.ts'
import { adminSql, newUser, type TestUser, uniqueSlug } from './stack.ts'

/** A user and the organization they own, their active one. */
export type OrgOwner = TestUser & { orgId: string }

/** How an organization is made; the defaults (UTC, a unique slug as its name) suit most tests. */
export type OrgOptions = { timezone?: string; name?: string; slug?: string }

/**
 * A new organization owned by `owner`, which becomes their active one if they had none.
 *
 * @example
 * const orgId = await newOrg(await newUser('owner'), { timezone: 'Europe/Paris' })
 */
export async function newOrg(owner: TestUser, options: OrgOptions = {}): Promise<string> {
  const slug = options.slug ?? uniqueSlug('org')
  const [org] = await adminSql<{ id: string }[]>`
    insert into public.organizations (name, slug, timezone, created_by)
    values (${options.name ?? slug}, ${slug}, ${options.timezone ?? 'UTC'}, ${owner.id})
    returning id`
  return org.id
}

/** A new user who owns a new organization (their active one). */
export async function newOrgOwner(
  options: OrgOptions & { label?: string } = {},
): Promise<OrgOwner> {
  const user = await newUser(options.label ?? 'owner')
  return { ...user, orgId: await newOrg(user, options) }
}

/** Makes `user` a member of `orgId` with `role`, as accepting an invitation would. */
export async function addMember(orgId: string, user: TestUser, role: OrgRole): Promise<void> {
  await adminSql`
    insert into public.memberships (org_id, user_id, role)
    values (${orgId}, ${user.id}, ${role}::public.org_role)`
}

/** A new user who belongs to `orgId` with `role` (their only organization, so their active one). */
export async function newMember(orgId: string, role: OrgRole): Promise<TestUser> {
  const user = await newUser(role)
  await addMember(orgId, user, role)
  return user
}

/** An organization with one user per role. */
export async function newTeam(options: OrgOptions = {}) {
  const owner = await newOrgOwner({ ...options, label: 'owner' })
  const [admin, member, viewer] = await Promise.all(
    (['admin', 'member', 'viewer'] as const).map((role) => newMember(owner.orgId, role)),
  )
  return { orgId: owner.orgId, owner, admin, member, viewer }
}
