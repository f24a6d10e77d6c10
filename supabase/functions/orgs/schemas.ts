/**
 * The shapes the orgs API reads and writes, shared by its route files.
 */
import { z } from '@hono/zod-openapi'

export const ROLES = ['viewer', 'member', 'admin', 'owner'] as const
export const Role = z.enum(ROLES).openapi({ description: 'viewer < member < admin < owner' })

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/

export const Slug = z.string().regex(SLUG, {
  message: 'use 1-48 lowercase letters, digits and dashes, not starting or ending with a dash',
}).openapi({ example: 'acme-analytics' })

/**
 * True when the runtime knows `name` as a time zone. The database then checks it against
 * its own tz list (exact spelling), which `constraintProblem` reports as the same 400.
 */
export function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}

export const Timezone = z.string().max(64).refine(isTimezone, {
  message: 'not an IANA time zone name (e.g. Europe/Paris)',
}).openapi({ example: 'Europe/Paris' })

export const OrgName = z.string().trim().min(1).max(100).openapi({ example: 'Acme Analytics' })

export const OrgParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, description: 'Organization id' }),
})

export const MemberParams = OrgParams.extend({
  userId: z.uuid().openapi({ param: { name: 'userId', in: 'path' }, description: 'User id' }),
})

export const InvitationParams = OrgParams.extend({
  invitationId: z.uuid().openapi({
    param: { name: 'invitationId', in: 'path' },
    description: 'Invitation id',
  }),
})

const timestamp = z.string().openapi({ format: 'date-time' })

export const Organization = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  timezone: z.string(),
  role: Role.openapi({ description: "The caller's role in it" }),
  created_at: timestamp,
  updated_at: timestamp,
}).openapi('Organization')

export const Member = z.object({
  user_id: z.uuid(),
  email: z.string().nullable(),
  display_name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  role: Role,
  joined_at: timestamp,
}).openapi('Member')

export const Invitation = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  email: z.string(),
  role: Role,
  status: z.enum(['pending', 'expired', 'accepted']),
  invited_by: z.uuid().nullable(),
  expires_at: timestamp,
  accepted_at: timestamp.nullable(),
  created_at: timestamp,
}).openapi('Invitation')

export const CreatedInvitation = Invitation.extend({
  token: z.string().openapi({
    description: 'Shown only in this response; the invitee sends it to /orgs/invitations/accept',
  }),
}).openapi('CreatedInvitation')

/** ISO 8601 text of a timestamp column (postgres.js returns Date objects). */
export function iso(value: Date): string
export function iso(value: Date | null): string | null
export function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString()
}
