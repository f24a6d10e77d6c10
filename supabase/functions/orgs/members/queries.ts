/**
 * The SQL of memberships, run as the caller. The owner rules are the database's own
 * (LY403: only owners grant or remove the owner role; LY409: the last owner stays), so
 * every path to a membership obeys them.
 */
import type { Tx } from '../../../../shared/db.ts'
import type { OrgRole } from '../../../../shared/domain/roles.ts'
import { iso } from '../schemas.ts'

type MemberRow = {
  user_id: string
  email: string | null
  display_name: string | null
  avatar_url: string | null
  role: OrgRole
  joined_at: Date
}

/**
 * The members of `orgId` (or the one `userId`) with their e-mail addresses, strongest role
 * first. The directory function answers only to members of the organization.
 */
export async function listMembers(tx: Tx, options: { orgId: string; userId?: string }) {
  const userId = options.userId ?? null
  const rows = await tx<MemberRow[]>`
    select user_id, email, display_name, avatar_url, role::text as role, joined_at
    from private.org_members(${options.orgId})
    where ${userId}::uuid is null or user_id = ${userId}::uuid`
  return rows.map((m) => ({ ...m, joined_at: iso(m.joined_at) }))
}

/** Gives member `userId` of `orgId` the role `role`; false when they are not a member. */
export async function changeMemberRole(
  tx: Tx,
  options: { orgId: string; userId: string; role: OrgRole },
): Promise<boolean> {
  const updated = await tx`
    update public.memberships set role = ${options.role}::public.org_role
    where org_id = ${options.orgId} and user_id = ${options.userId}
    returning user_id`
  return updated.length > 0
}

/** Removes member `userId` from `orgId`; false when they are not a member. */
export async function removeMember(
  tx: Tx,
  options: { orgId: string; userId: string },
): Promise<boolean> {
  const deleted = await tx`
    delete from public.memberships where org_id = ${options.orgId} and user_id = ${options.userId}
    returning user_id`
  return deleted.length > 0
}
