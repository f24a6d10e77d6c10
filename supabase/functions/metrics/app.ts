/**
 * metrics: daily values per organization (from syncs, imports or the organization's own
 * servers), written idempotently.
 */
import { createApp } from '../../../shared/http/app.ts'
import { listRoutes } from './list/routes.ts'
import { writeRoutes } from './write/routes.ts'

export const app = createApp('metrics', {
  title: 'Metrics',
  description: 'Idempotent writes of daily metric values, and what is stored.',
})
  .route('/', writeRoutes)
  .route('/', listRoutes)

/** The routes' types, for a typed client: `hc<AppType>(url)`. */
export type AppType = typeof app
