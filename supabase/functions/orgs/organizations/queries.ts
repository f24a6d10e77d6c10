/**
 * The SQL of organizations, run as the caller: RLS shows only their organizations, and
 * `requireOrgRole` lets the database decide whether their role allows a change.
 */
import { randomToken } from '../../../../shared/crypto.ts'
import type { Tx } from '../../../../shared/db.ts'
import type { OrgRole } from '../../../../shared/domain/roles.ts'
import { badRequest, conflict, notFound } from '../../../../shared/http/errors.ts'
import { iso } from '../schemas.ts'

/**
 * Asks the database whether the caller holds `min` or a stronger role in `orgId`
 * (private.require_org_role): it raises LY404 for a non-member, the same as for an
 * organization that does not exist, and LY403 for a role too weak. Returns the role held.
 *
 * @example
 * await requireOrgRole(tx, { orgId, min: 'admin' })
 */
export async function requireOrgRole(
  tx: Tx,
  options: { orgId: string; min: OrgRole },
): Promise<OrgRole> {
  const [row] = await tx<{ role: OrgRole }[]>`
    select private.require_org_role(${options.orgId}, ${options.min}::public.org_role)::text
      as role`
  return row.role
}

type OrganizationRow = {
  id: string
  name: string
  slug: string
  timezone: string
  role: OrgRole
  created_at: Date
  updated_at: Date
}

const toOrganization = (o: OrganizationRow) => ({
  ...o,
  created_at: iso(o.created_at),
  updated_at: iso(o.updated_at),
})

/** The caller's organizations (or the one `id`), each with their role, by name. */
export async function listOrganizations(tx: Tx, options: { id?: string } = {}) {
  const id = options.id ?? null
  const rows = await tx<OrganizationRow[]>`
    select o.id, o.name, o.slug, o.timezone, m.role::text as role, o.created_at, o.updated_at
    from public.organizations o
    join public.memberships m on m.org_id = o.id and m.user_id = (select auth.uid())
    where ${id}::uuid is null or o.id = ${id}::uuid
    order by lower(o.name), o.created_at, o.id`
  return rows.map(toOrganization)
}

/** One organization of the caller; 404 when RLS hides it or it does not exist. */
export async function getOrganization(tx: Tx, options: { id: string }) {
  const [org] = await listOrganizations(tx, { id: options.id })
  if (!org) throw notFound('organization')
  return org
}

type NewOrganization = {
  name: string
  /** Derived from the name when absent. */
  slug?: string
  timezone: string
  /** The caller, whom a trigger makes its owner. */
  creator: string
}

/**
 * Creates an organization and returns its id. A derived slug that is taken gets a random
 * suffix instead of failing the request; a slug the caller chose fails with 409.
 */
export async function createOrganization(tx: Tx, org: NewOrganization): Promise<string> {
  // The id is made here: INSERT ... RETURNING would be checked against the select
  // policy before the AFTER trigger has made the caller a member.
  const id = crypto.randomUUID()
  const insert = (sql: Tx, slug: string) =>
    sql`
      insert into public.organizations (id, name, slug, timezone, created_by)
      values (${id}, ${org.name}, ${slug}, ${org.timezone}, ${org.creator})`
  try {
    if (org.slug) {
      await insert(tx, org.slug)
      return id
    }
    const slug = slugFromName(org.name)
    try {
      await tx.savepoint((sp) => insert(sp, slug))
    } catch (err) {
      if (!isTakenSlug(err)) throw err
      await insert(tx, `${slug.slice(0, 41).replace(/-+$/, '')}-${randomToken(6).toLowerCase()}`)
    }
    return id
  } catch (err) {
    throw explainOrgWriteError(err, { slug: org.slug })
  }
}

/** Changes the given columns of organization `id` (the caller must be an admin). */
export async function updateOrganization(
  tx: Tx,
  options: { id: string; changes: { name?: string; slug?: string; timezone?: string } },
): Promise<void> {
  const { id, changes } = options
  const columns = (['name', 'slug', 'timezone'] as const).filter((k) => changes[k] !== undefined)
  await tx`update public.organizations set ${tx(changes, columns)} where id = ${id}`
    .catch((err) => {
      throw explainOrgWriteError(err, { slug: changes.slug })
    })
}

/** Deletes organization `id` and, by cascade, all its data (the caller must be its owner). */
export async function deleteOrganization(tx: Tx, options: { id: string }): Promise<void> {
  await tx`delete from public.organizations where id = ${options.id}`
}

/** `Acme Analytics, Inc.` → `acme-analytics-inc`; `org` when nothing is left. */
export function slugFromName(name: string): string {
  const slug = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').slice(0, 48).replace(/^-+|-+$/g, '')
  return slug || 'org'
}

function isTakenSlug(err: unknown): boolean {
  const pg = err as { code?: string; constraint_name?: string } | null
  return pg?.code === '23505' && pg.constraint_name === 'organizations_slug_key'
}

/**
 * Database refusals of an organization write, said in terms of the request:
 * a taken slug is a 409, a zone unknown to the database a 400 on `body.timezone`.
 */
function explainOrgWriteError(err: unknown, options: { slug?: string }): unknown {
  if (isTakenSlug(err)) {
    return conflict(`the slug ${options.slug ? `"${options.slug}" ` : ''}is already taken`)
  }
  const pg = err as { code?: string; constraint_name?: string } | null
  if (pg?.code === '23514' && pg.constraint_name === 'organizations_timezone_check') {
    const message = 'not an IANA time zone name known to the database'
    return badRequest(`body.timezone: ${message}`, [{ path: 'body.timezone', message }])
  }
  return err
}
