/**
 * Organizations: create (the creator becomes owner), list, read, rename, delete.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser } from '../../../../shared/db.ts'
import { TimezoneSchema } from '../../../../shared/domain/timezone.ts'
import { json, jsonBody, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { Organization, OrgParams } from '../schemas.ts'
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  listOrganizations,
  requireOrgRole,
  updateOrganization,
} from './queries.ts'

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/

const Slug = z.string().regex(SLUG, {
  message: 'use 1-48 lowercase letters, digits and dashes, not starting or ending with a dash',
}).openapi({ example: 'acme-analytics' })

const OrgName = z.string().trim().min(1).max(100).openapi({ example: 'Acme Analytics' })

// The database checks the zone again against its own list (exact spelling); that refusal
// is the same 400 on body.timezone (see explainOrgWriteError in queries.ts).
const CreateOrganization = z.strictObject({
  name: OrgName,
  slug: Slug.optional().openapi({ description: 'Derived from the name when absent' }),
  timezone: TimezoneSchema.optional().openapi({ description: 'IANA zone; UTC when absent' }),
}).openapi('CreateOrganization')

const UpdateOrganization = z.strictObject({
  name: OrgName.optional(),
  slug: Slug.optional(),
  timezone: TimezoneSchema.optional(),
}).refine((body) => Object.keys(body).length > 0, { message: 'send at least one field' })
  .openapi('UpdateOrganization')

const tags = ['Organizations']

const createOne = userRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create an organization; the caller becomes its owner',
  request: { body: jsonBody(CreateOrganization) },
  responses: { 201: json(Organization, 'The new organization') },
})

const listMine = userRoute({
  method: 'get',
  path: '/',
  tags,
  summary: "The caller's organizations, with their role in each",
  responses: { 200: json(z.object({ organizations: z.array(Organization) }), 'Organizations') },
})

const readOne = userRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'One organization of the caller',
  request: { params: OrgParams },
  responses: { 200: json(Organization, 'The organization') },
})

const updateOne = userRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Rename an organization or change its slug or time zone (admin or owner)',
  request: { params: OrgParams, body: jsonBody(UpdateOrganization) },
  responses: { 200: json(Organization, 'The updated organization') },
})

const deleteOne = userRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete an organization and all its data (owner only)',
  request: { params: OrgParams },
  responses: { 204: { description: 'Deleted' } },
})

/** The organization routes of the orgs app. */
export const organizationRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(createOne, async (c) => {
    const user = c.get('user')
    const body = c.req.valid('json')
    const org = await asUser(user.claims, async (tx) => {
      const id = await createOrganization(tx, {
        name: body.name,
        slug: body.slug,
        timezone: body.timezone ?? 'UTC',
        creator: user.id,
      })
      return await getOrganization(tx, { id })
    })
    return c.json(org, 201)
  })
  .openapi(listMine, async (c) => {
    const organizations = await asUser(c.get('user').claims, (tx) => listOrganizations(tx))
    return c.json({ organizations }, 200)
  })
  .openapi(readOne, async (c) => {
    const { id } = c.req.valid('param')
    return c.json(await asUser(c.get('user').claims, (tx) => getOrganization(tx, { id })), 200)
  })
  .openapi(updateOne, async (c) => {
    const { id } = c.req.valid('param')
    const changes = c.req.valid('json')
    const org = await asUser(c.get('user').claims, async (tx) => {
      await requireOrgRole(tx, { orgId: id, min: 'admin' })
      await updateOrganization(tx, { id, changes })
      return await getOrganization(tx, { id })
    })
    return c.json(org, 200)
  })
  .openapi(deleteOne, async (c) => {
    const { id } = c.req.valid('param')
    await asUser(c.get('user').claims, async (tx) => {
      await requireOrgRole(tx, { orgId: id, min: 'owner' })
      await deleteOrganization(tx, { id })
    })
    return c.body(null, 204)
  })
