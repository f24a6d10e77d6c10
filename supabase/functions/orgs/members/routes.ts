/**
 * Members of an organization: the directory, role changes, removal and leaving.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { OrgRoleSchema } from '../../../../shared/domain/roles.ts'
import { notFound } from '../../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { requireOrgRole } from '../organizations/queries.ts'
import { OrgParams, Timestamp } from '../schemas.ts'
import { changeMemberRole, listMembers, removeMember } from './queries.ts'

const MemberParams = OrgParams.extend({
  userId: z.uuid().openapi({ param: { name: 'userId', in: 'path' }, description: 'User id' }),
})

const Member = z.object({
  user_id: z.uuid(),
  email: z.string().nullable(),
  display_name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  role: OrgRoleSchema,
  joined_at: Timestamp,
}).openapi('Member')

const ChangeRole = z.strictObject({ role: OrgRoleSchema }).openapi('ChangeRole')

const tags = ['Members']

const listRoute = userRoute({
  method: 'get',
  path: '/{id}/members',
  tags,
  summary: 'Members of an organization with their roles (any member may look)',
  request: { params: OrgParams },
  responses: { 200: json(z.object({ members: z.array(Member) }), 'Members') },
})

const changeRoleRoute = userRoute({
  method: 'patch',
  path: '/{id}/members/{userId}',
  tags,
  summary: "Change a member's role (admin or owner; the owner role only by owners)",
  request: { params: MemberParams, body: jsonBody(ChangeRole) },
  responses: { 200: json(Member, 'The member with the new role') },
})

const removeRoute = userRoute({
  method: 'delete',
  path: '/{id}/members/{userId}',
  tags,
  summary: 'Remove a member (admin or owner), or yourself (leave)',
  request: { params: MemberParams },
  responses: { 204: { description: 'Removed' } },
})

const leaveRoute = userRoute({
  method: 'post',
  path: '/{id}/leave',
  tags,
  summary: 'Leave an organization (not as its last owner)',
  request: { params: OrgParams },
  responses: { 204: { description: 'Left' } },
})

/** The member routes of the orgs app. */
export const memberRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(listRoute, async (c) => {
    const { id } = c.req.valid('param')
    const members = await asUser(c.get('user').claims, async (tx) => {
      await requireOrgRole(tx, { orgId: id, min: 'viewer' })
      return await listMembers(tx, { orgId: id })
    })
    return c.json({ members }, 200)
  })
  .openapi(changeRoleRoute, async (c) => {
    const { id, userId } = c.req.valid('param')
    const { role } = c.req.valid('json')
    const member = await asUser(c.get('user').claims, async (tx) => {
      await requireOrgRole(tx, { orgId: id, min: 'admin' })
      if (!await changeMemberRole(tx, { orgId: id, userId, role })) throw notFound('member')
      const [updated] = await listMembers(tx, { orgId: id, userId })
      return updated
    })
    return c.json(member, 200)
  })
  .openapi(removeRoute, async (c) => {
    const { id, userId } = c.req.valid('param')
    const me = c.get('user').id
    await asUser(c.get('user').claims, async (tx) => {
      // Anyone may remove themselves (leave); removing someone else takes an admin.
      await requireOrgRole(tx, { orgId: id, min: userId === me ? 'viewer' : 'admin' })
      if (!await removeMember(tx, { orgId: id, userId })) throw notFound('member')
    })
    return c.body(null, 204)
  })
  .openapi(leaveRoute, async (c) => {
    const { id } = c.req.valid('param')
    const me = c.get('user').id
    await asUser(c.get('user').claims, async (tx) => {
      await requireOrgRole(tx, { orgId: id, min: 'viewer' })
      await removeMember(tx, { orgId: id, userId: me })
    })
    return c.body(null, 204)
  })
