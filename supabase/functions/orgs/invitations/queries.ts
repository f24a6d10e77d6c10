/**
 * The SQL of invitations, run as the caller. Only a token's SHA-256 is stored, and no query
 * here returns it.
 */
import type { Tx } from '../../../../shared/db.ts'
import type { OrgRole } from '../../../../shared/domain/roles.ts'
import { conflict } from '../../../../shared/http/errors.ts'
import { iso } from '../schemas.ts'

type InvitationRow = {
  id: string
  org_id: string
  email: string
  role: Exclude<OrgRole, 'owner'>
  status: 'pending' | 'expired' | 'accepted'
  invited_by: string | null
  expires_at: Date
  accepted_at: Date | null
  created_at: Date
}

const toInvitation = (i: InvitationRow) => ({
  ...i,
  expires_at: iso(i.expires_at),
  accepted_at: iso(i.accepted_at),
  created_at: iso(i.created_at),
})

/** The invitations of `orgId` (or the one `id`), newest first; RLS shows them to admins. */
export async function listInvitations(tx: Tx, options: { orgId: string; id?: string }) {
  const id = options.id ?? null
  // Explicit columns: token_hash never leaves the database.
  const rows = await tx<InvitationRow[]>`
    select id, org_id, email, role::text as role,
           case when accepted_at is not null then 'accepted'
                when expires_at < now() then 'expired' else 'pending' end as status,
           invited_by, expires_at, accepted_at, created_at
    from public.invitations
    where org_id = ${options.orgId} and (${id}::uuid is null or id = ${id}::uuid)
    order by created_at desc, id`
  return rows.map(toInvitation)
}

/**
 * Invites `email` to `orgId` as `role`; 409 when the address already belongs to a member or
 * has a pending invitation. Returns the invitation (without its token).
 */
export async function createInvitation(
  tx: Tx,
  invitation: { orgId: string; email: string; role: Exclude<OrgRole, 'owner'>; tokenHash: string },
) {
  const { orgId, email, role, tokenHash } = invitation
  const [member] = await tx`
    select 1 from private.org_members(${orgId}) where lower(email) = ${email}`
  if (member) throw conflict(`${email} is already a member of this organization`)
  // An expired invitation would otherwise block inviting the same address again.
  await tx`
    delete from public.invitations
    where org_id = ${orgId} and email = ${email} and accepted_at is null and expires_at < now()`
  const [row] = await tx<{ id: string }[]>`
    insert into public.invitations (org_id, email, role, token_hash, invited_by)
    values (${orgId}, ${email}, ${role}::public.org_role, ${tokenHash}, (select auth.uid()))
    returning id`.catch((err) => {
    if ((err as { constraint_name?: string }).constraint_name === 'invitations_open_email_idx') {
      throw conflict(`${email} already has a pending invitation; revoke it first`)
    }
    throw err
  })
  const [created] = await listInvitations(tx, { orgId, id: row.id })
  return created
}

/**
 * Revokes invitation `id` of `orgId` if it is still open: `revoked`, `accepted` (too late
 * to revoke) or `missing`.
 */
export async function revokeInvitation(
  tx: Tx,
  options: { orgId: string; id: string },
): Promise<'revoked' | 'accepted' | 'missing'> {
  const deleted = await tx`
    delete from public.invitations
    where id = ${options.id} and org_id = ${options.orgId} and accepted_at is null
    returning id`
  if (deleted.length > 0) return 'revoked'
  const [existing] = await listInvitations(tx, options)
  return existing ? 'accepted' : 'missing'
}

/**
 * Makes the caller a member through the invitation whose token hashes to `tokenHash`, and
 * returns its organization's id. The database raises LY404 for an unknown, revoked or
 * expired token or another address, and LY409 for a caller who is already a member.
 */
export async function acceptInvitation(tx: Tx, options: { tokenHash: string }): Promise<string> {
  const [{ org_id }] = await tx<{ org_id: string }[]>`
    select private.accept_invitation(${options.tokenHash}) as org_id`
  return org_id
}
