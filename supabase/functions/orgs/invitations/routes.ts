/**
 * Invitations: an admin invites an e-mail address and gets a token once; the invitee,
 * signed in with that address, accepts it. Only the token's SHA-256 is stored.
 */
import { z } from '@hono/zod-openapi'
import { randomToken, sha256Hex } from '../../../shared/crypto.ts'
import { asUser, type Tx } from '../../../shared/db.ts'
import type { createApp } from '../../../shared/http/app.ts'
import { conflict, notFound } from '../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../shared/http/openapi.ts'
import type { OrgRole } from '../../../shared/domain/roles.ts'
import { getOrganization, requireMember } from './access.ts'
import {
  CreatedInvitation,
  Invitation,
  InvitationParams,
  iso,
  Organization,
  OrgParams,
} from './schemas.ts'

const TOKEN_LENGTH = 32

const Invite = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(320))
    .openapi({ example: 'ada@example.com' }),
  role: z.enum(['viewer', 'member', 'admin']).default('member')
    .openapi({ description: 'Owners are made by promoting a member' }),
}).openapi('Invite')

const Accept = z.strictObject({
  token: z.string().min(1).max(256).openapi({ description: 'The token shown to the inviter' }),
}).openapi('AcceptInvitation')

const tags = ['Invitations']

const invite = userRoute({
  method: 'post',
  path: '/{id}/invitations',
  tags,
  summary: 'Invite an e-mail address (admin or owner); the token is in this response only',
  request: { params: OrgParams, body: jsonBody(Invite) },
  responses: { 201: json(CreatedInvitation, 'The invitation and its token') },
})

const listInvitations = userRoute({
  method: 'get',
  path: '/{id}/invitations',
  tags,
  summary: "An organization's invitations, newest first (admin or owner; never the token)",
  request: { params: OrgParams },
  responses: { 200: json(z.object({ invitations: z.array(Invitation) }), 'Invitations') },
})

const revoke = userRoute({
  method: 'delete',
  path: '/{id}/invitations/{invitationId}',
  tags,
  summary: 'Revoke an invitation not accepted yet (admin or owner)',
  request: { params: InvitationParams },
  responses: { 204: { description: 'Revoked' } },
})

const accept = userRoute({
  method: 'post',
  path: '/invitations/accept',
  tags,
  summary: 'Accept an invitation addressed to the signed-in e-mail address',
  request: { body: jsonBody(Accept) },
  responses: { 200: json(Organization, 'The organization joined') },
})

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

// Explicit columns: token_hash never leaves the database.
function selectInvitations(tx: Tx, orgId: string, id?: string) {
  return tx<InvitationRow[]>`
    select id, org_id, email, role::text as role,
           case when accepted_at is not null then 'accepted'
                when expires_at < now() then 'expired' else 'pending' end as status,
           invited_by, expires_at, accepted_at, created_at
    from public.invitations
    where org_id = ${orgId} and (${id ?? null}::uuid is null or id = ${id ?? null}::uuid)
    order by created_at desc, id`
}

/** Registers the invitation routes on the orgs app. */
export function invitationRoutes(app: ReturnType<typeof createApp>) {
  app.openapi(invite, async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    const token = randomToken(TOKEN_LENGTH)
    const tokenHash = await sha256Hex(token)
    const created = await asUser(c.get('user').claims, async (tx) => {
      await requireMember(tx, id, 'admin')
      const [member] = await tx`
        select 1 from private.org_members(${id}) where lower(email) = ${body.email}`
      if (member) throw conflict(`${body.email} is already a member of this organization`)
      // An expired invitation would otherwise block inviting the same address again.
      await tx`
        delete from public.invitations
        where org_id = ${id} and email = ${body.email} and accepted_at is null
          and expires_at < now()`
      const [row] = await tx<{ id: string }[]>`
        insert into public.invitations (org_id, email, role, token_hash, invited_by)
        values (${id}, ${body.email}, ${body.role}::public.org_role, ${tokenHash},
                (select auth.uid()))
        returning id`.catch((err) => {
        if (
          (err as { constraint_name?: string }).constraint_name === 'invitations_open_email_idx'
        ) {
          throw conflict(`${body.email} already has a pending invitation; revoke it first`)
        }
        throw err
      })
      const [invitation] = await selectInvitations(tx, id, row.id)
      return invitation
    })
    return c.json({ ...toInvitation(created), token }, 201)
  })

  app.openapi(listInvitations, async (c) => {
    const { id } = c.req.valid('param')
    const rows = await asUser(c.get('user').claims, async (tx) => {
      await requireMember(tx, id, 'admin')
      return await selectInvitations(tx, id)
    })
    return c.json({ invitations: rows.map(toInvitation) }, 200)
  })

  app.openapi(revoke, async (c) => {
    const { id, invitationId } = c.req.valid('param')
    await asUser(c.get('user').claims, async (tx) => {
      await requireMember(tx, id, 'admin')
      const deleted = await tx`
        delete from public.invitations
        where id = ${invitationId} and org_id = ${id} and accepted_at is null
        returning id`
      if (deleted.length > 0) return
      const [existing] = await selectInvitations(tx, id, invitationId)
      if (existing) throw conflict('this invitation was already accepted')
      throw notFound('invitation')
    })
    return c.body(null, 204)
  })

  app.openapi(accept, async (c) => {
    const { token } = c.req.valid('json')
    const tokenHash = await sha256Hex(token)
    const org = await asUser(c.get('user').claims, async (tx) => {
      const [{ org_id }] = await tx<{ org_id: string }[]>`
        select private.accept_invitation(${tokenHash}) as org_id`
      return await getOrganization(tx, org_id)
    })
    return c.json(org, 200)
  })
}
