/**
 * Roles in an organization. The order is the SQL enum `public.org_role`'s, weakest first,
 * so `roleAtLeast` here and `role >= 'admin'` in SQL rank alike (a test keeps them in step).
 */
import { z } from '@hono/zod-openapi'

export const ORG_ROLES = ['viewer', 'member', 'admin', 'owner'] as const
export type OrgRole = typeof ORG_ROLES[number]

/** True when `role` is `min` or stronger. */
export function roleAtLeast(role: OrgRole, min: OrgRole): boolean {
  return ORG_ROLES.indexOf(role) >= ORG_ROLES.indexOf(min)
}

export const OrgRoleSchema = z.enum(ORG_ROLES).openapi({
  description: 'viewer < member < admin < owner',
})
