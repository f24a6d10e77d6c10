/**
 * Organizations: create (the creator becomes owner), list, read, rename, delete.
 */
import { z } from '@hono/zod-openapi'
import { randomToken } from '../../../shared/crypto.ts'
import { asUser, type Tx } from '../../../shared/db.ts'
import type { createApp } from '../../../shared/http/app.ts'
import { json, jsonBody, userRoute } from '../../../shared/http/openapi.ts'
import {
  explainOrgWriteError,
  getOrganization,
  listOrganizations,
  requireMember,
} from './access.ts'
import { Organization, OrgName, OrgParams, Slug, Timezone } from './schemas.ts'

const CreateOrganization = z.strictObject({
  name: OrgName,
  slug: Slug.optional().openapi({ description: 'Derived from the name when absent' }),
  timezone: Timezone.optional().openapi({ description: 'IANA zone; UTC when absent' }),
}).openapi('CreateOrganization')

const UpdateOrganization = z.strictObject({
  name: OrgName.optional(),
  slug: Slug.optional(),
  timezone: Timezone.optional(),
}).refine((body) => Object.keys(body).length > 0, { message: 'send at least one field' })
  .openapi('UpdateOrganization')

const tags = ['Organizations']

const createOrganization = userRoute({
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

/** Registers the organization routes on the orgs app. */
export function organizationRoutes(app: ReturnType<typeof createApp>) {
  app.openapi(createOrganization, async (c) => {
    const user = c.get('user')
    const body = c.req.valid('json')
    const org = await asUser(user.claims, async (tx) => {
      // The id is made here: INSERT ... RETURNING would be checked against the select
      // policy before the AFTER trigger has made the caller a member.
      const row = { id: crypto.randomUUID(), name: body.name, timezone: body.timezone ?? 'UTC' }
      if (body.slug) await insertOrganization(tx, { ...row, slug: body.slug }, user.id)
      else await insertWithDerivedSlug(tx, row, user.id)
      return await getOrganization(tx, row.id)
    }).catch((err) => {
      throw explainOrgWriteError(err, body.slug)
    })
    return c.json(org, 201)
  })

  app.openapi(listMine, async (c) => {
    const organizations = await asUser(c.get('user').claims, (tx) => listOrganizations(tx))
    return c.json({ organizations }, 200)
  })

  app.openapi(readOne, async (c) => {
    const { id } = c.req.valid('param')
    return c.json(await asUser(c.get('user').claims, (tx) => getOrganization(tx, id)), 200)
  })

  app.openapi(updateOne, async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    const org = await asUser(c.get('user').claims, async (tx) => {
      await requireMember(tx, id, 'admin')
      const columns = (['name', 'slug', 'timezone'] as const).filter((k) => body[k] !== undefined)
      await tx`update public.organizations set ${tx(body, columns)} where id = ${id}`
      return await getOrganization(tx, id)
    }).catch((err) => {
      throw explainOrgWriteError(err, body.slug)
    })
    return c.json(org, 200)
  })

  app.openapi(deleteOne, async (c) => {
    const { id } = c.req.valid('param')
    await asUser(c.get('user').claims, async (tx) => {
      await requireMember(tx, id, 'owner')
      await tx`delete from public.organizations where id = ${id}`
    })
    return c.body(null, 204)
  })
}

type NewOrganization = { id: string; name: string; slug: string; timezone: string }

function insertOrganization(tx: Tx, org: NewOrganization, creator: string) {
  return tx`
    insert into public.organizations (id, name, slug, timezone, created_by)
    values (${org.id}, ${org.name}, ${org.slug}, ${org.timezone}, ${creator})`
}

/** `Acme Analytics, Inc.` → `acme-analytics-inc`; `org` when nothing is left. */
export function slugFromName(name: string): string {
  const slug = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').slice(0, 48).replace(/^-+|-+$/g, '')
  return slug || 'org'
}

// A derived slug that is taken gets a random suffix instead of failing the request.
async function insertWithDerivedSlug(
  tx: Tx,
  row: Omit<NewOrganization, 'slug'>,
  creator: string,
) {
  const slug = slugFromName(row.name)
  try {
    await tx.savepoint((sp) => insertOrganization(sp, { ...row, slug }, creator))
  } catch (err) {
    const pg = err as { code?: string; constraint_name?: string }
    if (pg.code !== '23505' || pg.constraint_name !== 'organizations_slug_key') throw err
    const suffixed = `${slug.slice(0, 41).replace(/-+$/, '')}-${randomToken(6).toLowerCase()}`
    await insertOrganization(tx, { ...row, slug: suffixed }, creator)
  }
}
