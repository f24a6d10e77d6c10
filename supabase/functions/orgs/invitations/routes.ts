/**
 * Invitations: an admin invites an e-mail address and gets a token once; the invitee,
 * signed in with that address, accepts it. Only the token's SHA-256 is stored.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { randomToken, sha256Hex } from '../../../../shared/crypto.ts'
import { asUser } from '../../../../shared/db.ts'
import { OrgRoleSchema } from '../../../../shared/domain/roles.ts'
import { conflict, notFound } from '../../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { getOrganization, requireOrgRole } from '../organizations/queries.ts'
import { Organization, OrgParams, Timestamp } from '../schemas.ts'
import { acceptInvitation, createInvitation, listInvitations, revokeInvitation } from './queries.ts'

const InvitationParams = OrgParams.extend({
  invitationId: z.uuid().openapi({
    param: { name: 'invitationId', in: 'path' },
    description: 'Invitation id',
  }),
})

const Invitation = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  email: z.string(),
  role: OrgRoleSchema,
  status: z.enum(['pending', 'expired', 'accepted']),
  invited_by: z.uuid().nullable(),
  expires_at: Timestamp,
  accepted_at: Timestamp.nullable(),
  created_at: Timestamp,
}).openapi('Invitation')

const CreatedInvitation = Invitation.extend({
  token: z.string().openapi({
    description: 'Shown only in this response; the invitee sends it to /orgs/invitations/accept',
  }),
}).openapi('CreatedInvitation')

const TOKEN_LENGTH = 32

const Invite = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(320))
    .openapi({ example: 'ada@example.com' }),
  role: OrgRoleSchema.exclude(['owner']).default('member')
    .openapi({ description: 'Owners are made by promoting a member' }),
}).openapi('Invite')

const Accept = z.strictObject({
  token: z.string().min(1).max(256).openapi({ description: 'The token shown to the inviter' }),
}).openapi('AcceptInvitation')

const tags = ['Invitations']

const inviteRoute = userRoute({
  method: 'post',
  path: '/{id}/invitations',
  tags,
  summary: 'Invite an e-mail address (admin or owner); the token is in this response only',
  request: { params: OrgParams, body: jsonBody(Invite) },
  responses: { 201: json(CreatedInvitation, 'The invitation and its token') },
})

const listRoute = userRoute({
  method: 'get',
  path: '/{id}/invitations',
  tags,
  summary: "An organization's invitations, newest first (admin or owner; never the token)",
  request: { params: OrgParams },
  responses: { 200: json(z.object({ invitations: z.array(Invitation) }), 'Invitations') },
})

const revokeRoute = userRoute({
  method: 'delete',
  path: '/{id}/invitations/{invitationId}',
  tags,
  summary: 'Revoke an invitation not accepted yet (admin or owner)',
  request: { params: InvitationParams },
  responses: { 204: { description: 'Revoked' } },
})

const acceptRoute = userRoute({
  method: 'post',
  path: '/invitations/accept',
  tags,
  summary: 'Accept an invitation addressed to the signed-in e-mail address',
  request: { body: jsonBody(Accept) },
  responses: { 200: json(Organization, 'The organization joined') },
})

/** The invitation routes of the orgs app. */
export const invitationRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(inviteRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { email, role } = c.req.valid('json')
    const token = randomToken(TOKEN_LENGTH)
    const tokenHash = await sha256Hex(token)
    const invitation = await asUser(c.get('user').claims, async (tx) => {
      await requireOrgRole(tx, { orgId: id, min: 'admin' })
      return await createInvitation(tx, { orgId: id, email, role, tokenHash })
    })
    return c.json({ ...invitation, token }, 201)
  })
  .openapi(listRoute, async (c) => {
    const { id } = c.req.valid('param')
    const invitations = await asUser(c.get('user').claims, async (tx) => {
      await requireOrgRole(tx, { orgId: id, min: 'admin' })
      return await listInvitations(tx, { orgId: id })
    })
    return c.json({ invitations }, 200)
  })
  .openapi(revokeRoute, async (c) => {
    const { id, invitationId } = c.req.valid('param')
    const outcome = await asUser(c.get('user').claims, async (tx) => {
      await requireOrgRole(tx, { orgId: id, min: 'admin' })
      return await revokeInvitation(tx, { orgId: id, id: invitationId })
    })
    if (outcome === 'accepted') throw conflict('this invitation was already accepted')
    if (outcome === 'missing') throw notFound('invitation')
    return c.body(null, 204)
  })
  .openapi(acceptRoute, async (c) => {
    const tokenHash = await sha256Hex(c.req.valid('json').token)
    const org = await asUser(c.get('user').claims, async (tx) => {
      const id = await acceptInvitation(tx, { tokenHash })
      return await getOrganization(tx, { id })
    })
    return c.json(org, 200)
  })
