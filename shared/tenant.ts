/**
 * The organization a data request acts on. It is never taken from the request: it is the
 * caller's active organization (their default, see private.active_org_id), resolved in
 * SQL from the verified token, or the organization an API key belongs to.
 */
import type { Tx } from './db.ts'
import { ApiError } from './http/errors.ts'

export type OrgRole = 'viewer' | 'member' | 'admin' | 'owner'
const rank: Record<OrgRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 }

/** The active organization of the caller, with their role in it. */
export type ActiveOrg = { id: string; timezone: string; role: OrgRole }

/**
 * Resolves the caller's active organization inside an `asUser` transaction.
 * 404 when they belong to none.
 */
export async function activeOrg(tx: Tx): Promise<ActiveOrg> {
  const [org] = await tx<ActiveOrg[]>`
    select o.id, o.timezone, private.org_role(o.id)::text as role
    from public.organizations o
    where o.id = private.active_org_id()`
  if (!org) {
    throw new ApiError(404, 'not_found', 'you are not a member of any organization yet')
  }
  return org
}

/** Throws 403 unless `org.role` is at least `min`. */
export function requireRole(org: ActiveOrg, min: OrgRole): void {
  if (rank[org.role] < rank[min]) {
    throw new ApiError(403, 'forbidden', `this needs the ${min} role or higher`)
  }
}
