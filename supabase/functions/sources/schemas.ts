/**
 * The shapes every endpoint group of `sources` shares: the path parameter and a data
 * source as the API shows it (never its credentials).
 */
import { z } from '@hono/zod-openapi'

export const SourceParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, description: 'Data source id' }),
})

export const Provider = z.enum(['ga4', 'instagram'])
export const SourceStatus = z.enum(['pending', 'active', 'needs_reauth', 'paused', 'error'])

const Timestamp = z.iso.datetime({ offset: true })

export const DataSource = z.object({
  id: z.uuid(),
  provider: Provider,
  external_id: z.string().nullable().openapi({
    description: 'GA4 `properties/<id>`, or the Instagram user id; null until a property is picked',
  }),
  external_name: z.string().nullable(),
  status: SourceStatus,
  sync_interval_minutes: z.number().int(),
  lookback_days: z.number().int(),
  backfill_days: z.number().int(),
  last_synced_at: Timestamp.nullable(),
  next_sync_at: Timestamp.nullable(),
  last_error: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
}).openapi('DataSource')

export type DataSource = z.infer<typeof DataSource>

/** An ISO timestamp, or null. */
export const iso = <T extends Date | null>(d: T) =>
  (d === null ? null : d.toISOString()) as T extends Date ? string : string | null
