/**
 * The organization a data request acts on. It is never taken from the request: it is the
 * caller's active organization (their default, see private.active_org_id), resolved in
 * SQL from the verified token, or the organization an API key belongs to.
 */
import type { Tx } from './db.ts'
import type { OrgRole } from './domain/roles.ts'
import { ApiError } from './http/errors.ts'

/** The active organization of the caller, with their role in it. */
export type ActiveOrg = { id: string; timezone: string; role: OrgRole }

/**
 * Resolves the caller's active organization inside an `asUser` transaction: 404 when they
 * belong to none, 403 when their role there is below `min` (decided in SQL by
 * private.require_org_role, the one place roles are ranked).
 *
 * @example
 * const org = await activeOrg(tx, { min: 'admin' })
 */
export async function activeOrg(tx: Tx, options: { min?: OrgRole } = {}): Promise<ActiveOrg> {
  const [org] = await tx<ActiveOrg[]>`
    select o.id, o.timezone,
           private.require_org_role(o.id, ${options.min ?? 'viewer'}::public.org_role)::text as role
    from public.organizations o
    where o.id = private.active_org_id()`
  if (!org) {
    throw new ApiError(404, 'not_found', 'you are not a member of any organization yet')
  }
  return org
}
