/**
 * The GA Admin API's `GET /v1beta/accountSummaries`: every account the Google user can see,
 * each with its GA4 properties, paged with `pageSize` (default 50, at most 200) and an
 * opaque `pageToken`.
 */
import type { Route } from '../server.ts'
import type { FakeGa4Property } from './data_api.ts'
import { googleApiError } from './errors.ts'
import type { GoogleTokenStore } from './oauth.ts'

export function adminApiRoutes(properties: FakeGa4Property[], tokens: GoogleTokenStore): Route[] {
  return [{
    name: 'accountSummaries',
    method: 'GET',
    path: /^\/v1beta\/accountSummaries$/,
    handle: (request) => {
      if (!tokens.isLive(request.headers.get('authorization'))) {
        return googleApiError({ status: 401 })
      }
      const q = request.url.searchParams
      const pageSize = Math.min(Number(q.get('pageSize') ?? 50) || 50, 200)
      const token = q.get('pageToken')
      const start = token ? Number(atob(token).replace(/^offset:/, '')) : 0
      if (!Number.isInteger(start) || start < 0) {
        return googleApiError({ status: 400, message: 'Invalid page token.' })
      }
      const accounts = [...new Set(properties.map((p) => p.account))]
      const summaries = accounts.map((account) => {
        const owned = properties.filter((p) => p.account === account)
        return {
          name: `accountSummaries/${account}`,
          account: `accounts/${account}`,
          displayName: owned[0].accountDisplayName,
          propertySummaries: owned.map((p) => ({
            property: `properties/${p.id}`,
            displayName: p.displayName,
            propertyType: 'PROPERTY_TYPE_ORDINARY',
            parent: `accounts/${account}`,
          })),
        }
      })
      const page = summaries.slice(start, start + pageSize)
      const next = start + pageSize < summaries.length ? btoa(`offset:${start + pageSize}`) : null
      return Response.json({ accountSummaries: page, ...(next ? { nextPageToken: next } : {}) })
    },
  }]
}
