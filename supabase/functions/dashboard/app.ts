/**
 * dashboard: read-only analytics over the caller's active organization.
 * Every query runs under RLS (asUser) and is scoped to activeOrg(tx).
 */
import { createApp } from '../../../shared/http/app.ts'
import { engagement } from './engagement.ts'
import { reports } from './reports.ts'

export const app = createApp('dashboard', {
  title: 'Dashboard',
  description: 'Tiles, time series, breakdowns, active users, retention, feature usage, ' +
    'the activity feed and CSV export over the active organization.',
})

app.route('/', engagement)
app.route('/', reports)
