/**
 * metrics: daily values per organization (from syncs, imports or the organization's own
 * servers), written idempotently.
 */
import { createApp } from '../../../shared/http/app.ts'
import { documentApiKeys } from '../../../shared/ingest-auth.ts'
import { listRoutes } from './list.ts'
import { writeRoutes } from './write.ts'

export const app = createApp('metrics', {
  title: 'Metrics',
  description: 'Idempotent writes of daily metric values, and what is stored.',
})
documentApiKeys(app)

app.route('/', writeRoutes)
app.route('/', listRoutes)
