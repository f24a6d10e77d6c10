/**
 * account: the signed-in user's own profile and memberships, and their session.
 */
import { createApp } from '../../../shared/http/app.ts'
import { meRoutes } from './me/routes.ts'
import { sessionRoutes } from './session/routes.ts'

export const app = createApp('account', {
  title: 'Account',
  description: "The caller's profile, memberships and default organization, and their session.",
})
  .route('/', meRoutes)
  .route('/', sessionRoutes)

/** The account API's routes and types, for a typed client (`hc<AppType>` from hono/client). */
export type AppType = typeof app
