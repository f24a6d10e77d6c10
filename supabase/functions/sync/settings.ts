/**
 * The worker's own setting. Provider endpoints and OAuth clients come from
 * shared/providers/config.ts, read per provider when a source of that provider is synced,
 * so a project that registered only one provider's app still syncs its sources.
 */
import { z } from 'zod'
import { configOf } from '../../../shared/config.ts'

const syncSettingsSchema = z.object({
  /**
   * How long one `/sync/run` keeps claiming jobs, in ms. The edge runtime stops a request
   * at 150 s of wall clock (400 s on paid plans); a job started just before the budget ends
   * must still finish inside that.
   */
  SYNC_RUN_BUDGET_MS: z.coerce.number().int().min(1000).max(300_000).default(100_000),
})

export type SyncSettings = z.infer<typeof syncSettingsSchema>

/** This isolate's sync settings. */
export function syncSettings(): SyncSettings {
  return configOf(syncSettingsSchema)
}
