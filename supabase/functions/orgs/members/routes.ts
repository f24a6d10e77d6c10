/**
 * Members of an organization: the directory, role changes, removal and leaving.
 * The owner rules live in the database (LY403: only owners grant or remove the owner role,
 * LY409: the last owner stays), so every path to a membership obeys them.
 */
import { z } from '@hono/zod-openapi'
import { asUser, type Tx } from '../../../shared/db.ts'
import type { createApp } from '../../../shared/http/app.ts'
import { forbidden, notFound } from '../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../shared/http/openapi.ts'
import type { OrgRole } from '../../../shared/domain/roles.ts'
import { requireMember } from './access.ts'
import { iso, Member, MemberParams, OrgParams, Role } from './schemas.ts'

const ChangeRole = z.strictObject({ role: Role }).openapi('ChangeRole')

const tags = ['Members']

const listMembers = userRoute({
  method: 'get',
  path: '/{id}/members',
  tags,
  summary: 'Members of an organization with their roles (any member may look)',
  request: { params: OrgParams },
  responses: { 200: json(z.object({ members: z.array(Member) }), 'Members') },
})

const changeRole = userRoute({
  method: 'patch',
  path: '/{id}/members/{userId}',
  tags,
  summary: "Change a member's role (admin or owner; the owner role only by owners)",
  request: { params: MemberParams, body: jsonBody(ChangeRole) },
  responses: { 200: json(Member, 'The member with the new role') },
})

const removeMember = userRoute({
  method: 'delete',
  path: '/{id}/members/{userId}',
  tags,
  summary: 'Remove a member (admin or owner), or yourself (leave)',
  request: { params: MemberParams },
  responses: { 204: { description: 'Removed' } },
})

const leave = userRoute({
  method: 'post',
  path: '/{id}/leave',
  tags,
  summary: 'Leave an organization (not as its last owner)',
  request: { params: OrgParams },
  responses: { 204: { description: 'Left' } },
})

type MemberRow = {
  user_id: string
  email: string | null
  display_name: string | null
  avatar_url: string | null
  role: OrgRole
  joined_at: Date
}

// The directory function answers only to members of the organization.
async function members(tx: Tx, orgId: string, userId?: string) {
  const rows = await tx<MemberRow[]>`
    select user_id, email, display_name, avatar_url, role::text as role, joined_at
    from private.org_members(${orgId})
    where ${userId ?? null}::uuid is null or user_id = ${userId ?? null}::uuid`
  return rows.map((m) => ({ ...m, joined_at: iso(m.joined_at) }))
}

async function requireMembership(tx: Tx, orgId: string, userId: string) {
  const [row] = await tx`
    select 1 from public.memberships where org_id = ${orgId} and user_id = ${userId}`
  if (!row) throw notFound('member')
}

/** Registers the member routes on the orgs app. */
export function memberRoutes(app: ReturnType<typeof createApp>) {
  app.openapi(listMembers, async (c) => {
    const { id } = c.req.valid('param')
    const list = await asUser(c.get('user').claims, async (tx) => {
      await requireMember(tx, id)
      return await members(tx, id)
    })
    return c.json({ members: list }, 200)
  })

  app.openapi(changeRole, async (c) => {
    const { id, userId } = c.req.valid('param')
    const { role } = c.req.valid('json')
    const member = await asUser(c.get('user').claims, async (tx) => {
      await requireMember(tx, id, 'admin')
      await requireMembership(tx, id, userId)
      await tx`
        update public.memberships set role = ${role}::public.org_role
        where org_id = ${id} and user_id = ${userId}`
      const [updated] = await members(tx, id, userId)
      return updated
    })
    return c.json(member, 200)
  })

  app.openapi(removeMember, async (c) => {
    const { id, userId } = c.req.valid('param')
    const me = c.get('user').id
    await asUser(c.get('user').claims, async (tx) => {
      const role = await requireMember(tx, id)
      if (userId !== me && role !== 'admin' && role !== 'owner') {
        throw forbidden('only admins and owners can remove other members')
      }
      await requireMembership(tx, id, userId)
      await tx`delete from public.memberships where org_id = ${id} and user_id = ${userId}`
    })
    return c.body(null, 204)
  })

  app.openapi(leave, async (c) => {
    const { id } = c.req.valid('param')
    await asUser(c.get('user').claims, async (tx) => {
      await requireMember(tx, id)
      await tx`
        delete from public.memberships where org_id = ${id} and user_id = (select auth.uid())`
    })
    return c.body(null, 204)
  })
}
