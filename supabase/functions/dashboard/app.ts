/**
 * dashboard: read-only analytics over the caller's active organization. Every query runs
 * under RLS (asUser) and is scoped to activeOrg(tx).
 *
 * One folder per endpoint group, each with routes.ts (routes and zod schemas) and
 * queries.ts (its SQL); report/ holds what the groups share (ranges, buckets, filters,
 * the bucket totals query, CSV).
 */
import { createApp } from '../../../shared/http/app.ts'
import { activeUsersRoutes } from './active-users/routes.ts'
import { breakdownRoutes } from './breakdown/routes.ts'
import { catalogRoutes } from './catalog/routes.ts'
import { featureUsageRoutes } from './feature-usage/routes.ts'
import { feedRoutes } from './feed/routes.ts'
import { retentionRoutes } from './retention/routes.ts'
import { seriesRoutes } from './series/routes.ts'
import { tilesRoutes } from './tiles/routes.ts'

export const app = createApp('dashboard', {
  title: 'Dashboard',
  description: 'Tiles, time series, breakdowns, active users, retention, feature usage, ' +
    'the activity feed, CSV export and the catalogue of metrics and events over the active ' +
    'organization.',
})
  .route('/', tilesRoutes)
  .route('/', seriesRoutes)
  .route('/', breakdownRoutes)
  .route('/', activeUsersRoutes)
  .route('/', retentionRoutes)
  .route('/', featureUsageRoutes)
  .route('/', feedRoutes)
  .route('/', catalogRoutes)

/** The dashboard's routes, for a typed client: `hc<AppType>(url)`. */
export type AppType = typeof app
