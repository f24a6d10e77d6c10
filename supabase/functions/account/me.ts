/**
 * GET and PATCH /account/me: the caller's profile, with the organizations they belong to.
 * The default organization is the tenant of data requests (private.active_org_id).
 */
import { z } from '@hono/zod-openapi'
import { asUser, type Tx } from '../../../shared/db.ts'
import type { createApp } from '../../../shared/http/app.ts'
import { notFound } from '../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../shared/http/openapi.ts'
import type { OrgRole } from '../../../shared/domain/roles.ts'

const Role = z.enum(['viewer', 'member', 'admin', 'owner'])

const Me = z.object({
  id: z.uuid(),
  email: z.string().nullable().openapi({ description: 'From the access token' }),
  display_name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  default_organization_id: z.uuid().nullable().openapi({
    description: 'The organization chosen for data requests; null when none is chosen',
  }),
  active_organization_id: z.uuid().nullable().openapi({
    description: 'The organization data requests act on now: the default, or else the ' +
      'oldest membership; null without any',
  }),
  memberships: z.array(z.object({
    org_id: z.uuid(),
    name: z.string(),
    slug: z.string(),
    role: Role,
  })),
}).openapi('Me')

const UpdateMe = z.strictObject({
  display_name: z.string().trim().max(100).nullable().optional()
    .openapi({ description: 'Empty or null clears it' }),
  avatar_url: z.url({ protocol: /^https?$/ }).max(2048).nullable().optional(),
  default_organization_id: z.uuid().nullable().optional()
    .openapi({ description: 'An organization the caller belongs to' }),
}).refine((body) => Object.keys(body).length > 0, { message: 'send at least one field' })
  .openapi('UpdateMe')

const tags = ['Account']

const readMe = userRoute({
  method: 'get',
  path: '/me',
  tags,
  summary: "The caller's profile and memberships",
  responses: { 200: json(Me, 'The profile') },
})

const updateMe = userRoute({
  method: 'patch',
  path: '/me',
  tags,
  summary: 'Change the display name, avatar or default organization',
  request: { body: jsonBody(UpdateMe) },
  responses: { 200: json(Me, 'The updated profile') },
})

type ProfileRow = {
  id: string
  display_name: string | null
  avatar_url: string | null
  default_organization_id: string | null
  active_organization_id: string | null
}

// A default organization the caller has since left is reported as none.
async function readProfile(tx: Tx, email: string | null) {
  const [profile] = await tx<ProfileRow[]>`
    select p.id, p.display_name, p.avatar_url,
           (select m.org_id from public.memberships m
            where m.org_id = p.default_organization_id and m.user_id = p.id)
             as default_organization_id,
           private.active_org_id() as active_organization_id
    from public.profiles p
    where p.id = (select auth.uid())`
  if (!profile) throw notFound('profile')
  const memberships = await tx<{ org_id: string; name: string; slug: string; role: OrgRole }[]>`
    select o.id as org_id, o.name, o.slug, m.role::text as role
    from public.memberships m
    join public.organizations o on o.id = m.org_id
    where m.user_id = (select auth.uid())
    order by lower(o.name), o.id`
  return { ...profile, email, memberships: [...memberships] }
}

/** Registers /me on the account app. */
export function meRoutes(app: ReturnType<typeof createApp>) {
  app.openapi(readMe, async (c) => {
    const user = c.get('user')
    return c.json(await asUser(user.claims, (tx) => readProfile(tx, user.email)), 200)
  })

  app.openapi(updateMe, async (c) => {
    const user = c.get('user')
    const body = c.req.valid('json')
    const patch = {
      ...body,
      ...(body.display_name !== undefined && { display_name: body.display_name || null }),
    }
    const me = await asUser(user.claims, async (tx) => {
      if (patch.default_organization_id) {
        // Same answer whether the organization exists or not.
        const [member] = await tx`
          select private.org_role(${patch.default_organization_id}) is not null as yes`
        if (!member?.yes) throw notFound('organization')
      }
      const columns = (['display_name', 'avatar_url', 'default_organization_id'] as const)
        .filter((k) => patch[k] !== undefined)
      await tx`update public.profiles set ${tx(patch, columns)} where id = (select auth.uid())`
      return await readProfile(tx, user.email)
    })
    return c.json(me, 200)
  })
}
