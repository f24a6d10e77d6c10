/**
 * orgs: organizations, their members and invitations. Every query runs as the caller
 * under RLS; a caller who is not a member of an organization gets 404 for it.
 */
import { createApp } from '../../../shared/http/app.ts'
import { invitationRoutes } from './invitations.ts'
import { memberRoutes } from './members.ts'
import { organizationRoutes } from './organizations.ts'

export const app = createApp('orgs', {
  title: 'Organizations',
  description: 'Organizations, members with roles (viewer < member < admin < owner) and ' +
    'e-mail invitations.',
})

organizationRoutes(app)
memberRoutes(app)
invitationRoutes(app)
