/**
 * events: product events sent by an organization's apps and servers, and the API keys
 * those servers send them with.
 */
import { createApp } from '../../../shared/http/app.ts'
import { documentApiKeys } from '../../../shared/ingest-auth.ts'
import { ingestRoutes } from './ingest.ts'
import { keyRoutes } from './keys.ts'

export const app = createApp('events', {
  title: 'Events',
  description: 'Event ingestion (user token or API key) and API key management.',
})
documentApiKeys(app)

app.route('/', ingestRoutes)
app.route('/', keyRoutes)
