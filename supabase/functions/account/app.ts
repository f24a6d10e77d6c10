/**
 * account: the signed-in user's own profile and memberships.
 */
import { createApp } from '../../../shared/http/app.ts'
import { meRoutes } from './me.ts'
import { sessionRoutes } from './session.ts'

export const app = createApp('account', {
  title: 'Account',
  description: "The caller's profile, memberships and default organization, and their session.",
})

meRoutes(app)
sessionRoutes(app)
