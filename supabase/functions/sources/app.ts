/**
 * sources: connecting an organization's Google Analytics 4 property and Instagram account
 * by OAuth, and managing them (schedule, pause/resume, sync now, history, disconnect).
 * Tokens are sealed at rest (shared/credentials.ts) and never leave this function: no
 * response, log line or database dump holds one. The numbers are fetched by `sync`.
 */
import { createApp } from '../../../shared/http/app.ts'
import { connectionRoutes } from './connections/routes.ts'
import { ga4Routes } from './ga4/routes.ts'
import { instagramRoutes } from './instagram/routes.ts'
import { runRoutes } from './runs/routes.ts'

export const app = createApp('sources', {
  title: 'Data sources',
  description: 'Connect Google Analytics 4 and Instagram by OAuth; Lytics then syncs their ' +
    'daily numbers into metrics on a schedule.',
})
  .route('/', connectionRoutes)
  .route('/', ga4Routes)
  .route('/', instagramRoutes)
  .route('/', runRoutes)

/** The sources API's routes and types, for a typed client (`hc<AppType>` from hono/client). */
export type AppType = typeof app
