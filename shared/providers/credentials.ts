/**
 * What a data source's sealed credentials hold, per provider: the `sources` function
 * writes them after consent, `sync` reads, refreshes and writes them back (sealed with
 * shared/credentials.ts, the source id as associated data).
 */
import { z } from 'zod'

/**
 * Google's tokens in google-auth-library's own `Credentials` shape, so sync hands them to
 * `OAuth2Client.setCredentials` as they are. `expiry_date` is in epoch milliseconds.
 */
export const Ga4CredentialsSchema = z.object({
  refresh_token: z.string().min(1),
  access_token: z.string().min(1).optional(),
  expiry_date: z.number().optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
})
export type Ga4Credentials = z.infer<typeof Ga4CredentialsSchema>

/**
 * A long-lived Instagram token (60 days), with when it was issued and when it expires,
 * in epoch milliseconds: it may be refreshed once it is 24 hours old and until it expires.
 */
export const InstagramCredentialsSchema = z.object({
  access_token: z.string().min(1),
  user_id: z.string().min(1),
  issued_at: z.number(),
  expires_at: z.number(),
})
export type InstagramCredentials = z.infer<typeof InstagramCredentialsSchema>
