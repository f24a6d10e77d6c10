/**
 * Who the caller is in an organization, and the organization as they see it.
 * Not a member → 404 that says nothing about whether the organization exists;
 * a member whose role is too weak → 403.
 */
import type { Tx } from '../../../shared/db.ts'
import { badRequest, conflict, forbidden, notFound } from '../../../shared/http/errors.ts'
import type { OrgRole } from '../../../shared/domain/roles.ts'
import { iso } from './schemas.ts'

const rank: Record<OrgRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 }

/** The caller's role in `orgId`, at least `min`; throws 404 or 403 otherwise. */
export async function requireMember(tx: Tx, orgId: string, min: OrgRole = 'viewer') {
  const [row] = await tx<{ role: OrgRole | null }[]>`
    select private.org_role(${orgId})::text as role`
  if (!row?.role) throw notFound('organization')
  if (rank[row.role] < rank[min]) {
    throw forbidden(`this needs the ${min} role or higher in this organization`)
  }
  return row.role
}

type OrgRow = {
  id: string
  name: string
  slug: string
  timezone: string
  role: OrgRole
  created_at: Date
  updated_at: Date
}

const toOrganization = (o: OrgRow) => ({
  ...o,
  created_at: iso(o.created_at),
  updated_at: iso(o.updated_at),
})

/** The caller's organizations (RLS shows only theirs), each with their role, by name. */
export async function listOrganizations(tx: Tx, onlyId?: string) {
  const rows = await tx<OrgRow[]>`
    select o.id, o.name, o.slug, o.timezone, m.role::text as role, o.created_at, o.updated_at
    from public.organizations o
    join public.memberships m on m.org_id = o.id and m.user_id = (select auth.uid())
    where ${onlyId ?? null}::uuid is null or o.id = ${onlyId ?? null}::uuid
    order by lower(o.name), o.created_at, o.id`
  return rows.map(toOrganization)
}

/** One organization of the caller, or 404. */
export async function getOrganization(tx: Tx, id: string) {
  const [org] = await listOrganizations(tx, id)
  if (!org) throw notFound('organization')
  return org
}

/**
 * Database refusals of an organization write, said in terms of the request:
 * a taken slug is a 409, a zone unknown to the database a 400 on `body.timezone`.
 */
export function explainOrgWriteError(err: unknown, slug?: string): unknown {
  const pg = err as { code?: string; constraint_name?: string } | null
  if (pg?.code === '23505' && pg.constraint_name === 'organizations_slug_key') {
    return conflict(`the slug ${slug ? `"${slug}" ` : ''}is already taken`)
  }
  if (pg?.code === '23514' && pg.constraint_name === 'organizations_timezone_check') {
    const message = 'not an IANA time zone name known to the database'
    return badRequest(`body.timezone: ${message}`, [{ path: 'body.timezone', message }])
  }
  return err
}
