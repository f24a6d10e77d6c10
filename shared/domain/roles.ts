/**
 * Roles in an organization, in the order of the SQL enum `public.org_role`, weakest first
 * (tests/domain keeps the two in step). Roles are ranked for authorization in SQL only
 * (private.require_org_role); TypeScript names and validates them.
 */
import { z } from '@hono/zod-openapi'

export const ORG_ROLES = ['viewer', 'member', 'admin', 'owner'] as const
export type OrgRole = typeof ORG_ROLES[number]

export const OrgRoleSchema = z.enum(ORG_ROLES).openapi({
  description: 'viewer < member < admin < owner',
})
