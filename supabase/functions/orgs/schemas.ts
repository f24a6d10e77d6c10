/**
 * The shapes more than one endpoint group of orgs reads or writes: the organization id in
 * the path and the organization itself. Each group's own shapes live in its routes.ts.
 */
import { z } from '@hono/zod-openapi'
import { OrgRoleSchema } from '../../../shared/domain/roles.ts'

export const OrgParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, description: 'Organization id' }),
})

export const Timestamp = z.string().openapi({ format: 'date-time' })

export const Organization = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  timezone: z.string(),
  role: OrgRoleSchema.openapi({ description: "The caller's role in it" }),
  created_at: Timestamp,
  updated_at: Timestamp,
}).openapi('Organization')

/** ISO 8601 text of a timestamp column (postgres.js returns Date objects). */
export function iso(value: Date): string
export function iso(value: Date | null): string | null
export function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString()
}
