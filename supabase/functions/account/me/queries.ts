/**
 * The SQL of the caller's own profile, run as the caller.
 */
import type { Tx } from '../../../../shared/db.ts'
import type { OrgRole } from '../../../../shared/domain/roles.ts'

type ProfileRow = {
  id: string
  display_name: string | null
  avatar_url: string | null
  default_organization_id: string | null
  active_organization_id: string | null
}

type MembershipRow = { org_id: string; name: string; slug: string; role: OrgRole }

/**
 * The caller's profile; undefined when they have none. A default organization the caller
 * has since left is reported as none.
 */
export async function readProfile(tx: Tx): Promise<ProfileRow | undefined> {
  const [profile] = await tx<ProfileRow[]>`
    select p.id, p.display_name, p.avatar_url,
           (select m.org_id from public.memberships m
            where m.org_id = p.default_organization_id and m.user_id = p.id)
             as default_organization_id,
           private.active_org_id() as active_organization_id
    from public.profiles p
    where p.id = (select auth.uid())`
  return profile
}

/** The organizations the caller belongs to, with their role in each, by name. */
export async function listMemberships(tx: Tx): Promise<MembershipRow[]> {
  const rows = await tx<MembershipRow[]>`
    select o.id as org_id, o.name, o.slug, m.role::text as role
    from public.memberships m
    join public.organizations o on o.id = m.org_id
    where m.user_id = (select auth.uid())
    order by lower(o.name), o.id`
  return [...rows]
}

/**
 * Raises LY404 unless the caller belongs to `orgId` (private.require_org_role), the same
 * answer whether the organization exists or not.
 */
export async function requireMembership(tx: Tx, options: { orgId: string }): Promise<void> {
  await tx`select private.require_org_role(${options.orgId}, 'viewer'::public.org_role)`
}

export type ProfileChanges = {
  display_name?: string | null
  avatar_url?: string | null
  default_organization_id?: string | null
}

/** Writes the given fields of the caller's profile. */
export async function updateProfile(tx: Tx, changes: ProfileChanges): Promise<void> {
  const columns = (['display_name', 'avatar_url', 'default_organization_id'] as const)
    .filter((k) => changes[k] !== undefined)
  await tx`update public.profiles set ${tx(changes, columns)} where id = (select auth.uid())`
}
