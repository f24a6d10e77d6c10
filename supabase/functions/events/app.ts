/**
 * events: product events sent by an organization's apps and servers, and the API keys
 * those servers send them with.
 */
import { createApp } from '../../../shared/http/app.ts'
import { ingestRoutes } from './ingest/routes.ts'
import { keyRoutes } from './keys/routes.ts'

export const app = createApp('events', {
  title: 'Events',
  description: 'Event ingestion (user token or API key) and API key management.',
})
  .route('/', ingestRoutes)
  .route('/', keyRoutes)

/** The routes' types, for a typed client: `hc<AppType>(url)`. */
export type AppType = typeof app
