/**
 * orgs: organizations, their members and invitations. Every query runs as the caller
 * under RLS; a caller who is not a member of an organization gets 404 for it, and a
 * member whose role is too weak 403 (both decided in SQL by private.require_org_role).
 */
import { createApp } from '../../../shared/http/app.ts'
import { invitationRoutes } from './invitations/routes.ts'
import { memberRoutes } from './members/routes.ts'
import { organizationRoutes } from './organizations/routes.ts'

export const app = createApp('orgs', {
  title: 'Organizations',
  description: 'Organizations, members with roles (viewer < member < admin < owner) and ' +
    'e-mail invitations.',
})
  .route('/', organizationRoutes)
  .route('/', memberRoutes)
  .route('/', invitationRoutes)

/** The orgs API's routes and types, for a typed client (`hc<AppType>` from hono/client). */
export type AppType = typeof app
