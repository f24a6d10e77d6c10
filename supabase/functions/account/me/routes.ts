/**
 * GET and PATCH /account/me: the caller's profile, with the organizations they belong to.
 * The default organization is the tenant of data requests (private.active_org_id).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser, type Tx } from '../../../../shared/db.ts'
import { OrgRoleSchema } from '../../../../shared/domain/roles.ts'
import { notFound } from '../../../../shared/http/errors.ts'
import { json, jsonBody, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { listMemberships, readProfile, requireMembership, updateProfile } from './queries.ts'

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
    role: OrgRoleSchema,
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

const readRoute = userRoute({
  method: 'get',
  path: '/me',
  tags,
  summary: "The caller's profile and memberships",
  responses: { 200: json(Me, 'The profile') },
})

const updateRoute = userRoute({
  method: 'patch',
  path: '/me',
  tags,
  summary: 'Change the display name, avatar or default organization',
  request: { body: jsonBody(UpdateMe) },
  responses: { 200: json(Me, 'The updated profile') },
})

// Every signed-in user has a profile (a trigger makes it with the user).
async function readMe(tx: Tx, email: string | null) {
  const profile = await readProfile(tx)
  if (!profile) throw notFound('profile')
  return { ...profile, email, memberships: await listMemberships(tx) }
}

/** The /me routes of the account app. */
export const meRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(readRoute, async (c) => {
    const user = c.get('user')
    return c.json(await asUser(user.claims, (tx) => readMe(tx, user.email)), 200)
  })
  .openapi(updateRoute, async (c) => {
    const user = c.get('user')
    const body = c.req.valid('json')
    const changes = {
      ...body,
      ...(body.display_name !== undefined && { display_name: body.display_name || null }),
    }
    const me = await asUser(user.claims, async (tx) => {
      if (changes.default_organization_id) {
        await requireMembership(tx, { orgId: changes.default_organization_id })
      }
      await updateProfile(tx, changes)
      return await readMe(tx, user.email)
    })
    return c.json(me, 200)
  })
