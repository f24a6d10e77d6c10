/**
 * Settings of the data-source providers (Google Analytics 4, Instagram), read by the
 * `sources` function (OAuth flows) and the `sync` function (fetching the numbers).
 *
 * Every provider base URL is configurable, the real ones being the defaults, so tests
 * point the same code at local fakes. Each provider's settings parse on their own: a
 * project that registered only the Google app can still connect GA4, and `/health/ready`
 * names whatever is missing (`configProblems(providersConfigSchema)`).
 */
import { z } from 'zod'
import { configOf } from '../config.ts'
import { credentialKeysSchema } from '../credentials.ts'

const baseUrl = (real: string) =>
  z.url({ protocol: /^https?$/ }).default(real).transform((u) => u.replace(/\/+$/, ''))

/** An origin (`https://app.example.com`), as the browser's Origin header spells it. */
const origin = z.string().transform((text, ctx) => {
  try {
    const url = new URL(text)
    if (/^https?:$/.test(url.protocol) && url.origin === text.replace(/\/+$/, '')) {
      return url.origin
    }
  } catch { /* reported below */ }
  ctx.addIssue({
    code: 'custom',
    message: 'each entry must be an origin like https://app.example.com',
  })
  return z.NEVER
})

/** Google OAuth and the Analytics Admin and Data APIs. */
export const googleConfigSchema = z.object({
  GOOGLE_CLIENT_ID: z.string().min(1),
  GOOGLE_CLIENT_SECRET: z.string().min(1),
  GOOGLE_AUTH_URL: baseUrl('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: baseUrl('https://oauth2.googleapis.com/token'),
  GOOGLE_REVOKE_URL: baseUrl('https://oauth2.googleapis.com/revoke'),
  GOOGLE_ANALYTICS_ADMIN_URL: baseUrl('https://analyticsadmin.googleapis.com'),
  GOOGLE_ANALYTICS_DATA_URL: baseUrl('https://analyticsdata.googleapis.com'),
})

/** Instagram API with Instagram Login: the authorization window, tokens and the Graph API. */
export const instagramConfigSchema = z.object({
  INSTAGRAM_APP_ID: z.string().min(1),
  INSTAGRAM_APP_SECRET: z.string().min(1),
  INSTAGRAM_AUTH_URL: baseUrl('https://www.instagram.com/oauth/authorize'),
  INSTAGRAM_API_URL: baseUrl('https://api.instagram.com'),
  INSTAGRAM_GRAPH_URL: baseUrl('https://graph.instagram.com'),
  INSTAGRAM_GRAPH_VERSION: z.string().regex(/^v\d+\.\d+$/).default('v23.0'),
})

/** What every OAuth flow needs: where browsers may be sent back, and the sealing keys. */
export const oauthConfigSchema = credentialKeysSchema.extend({
  /** Comma-separated origins the callback may redirect the browser to. */
  OAUTH_REDIRECT_ORIGINS: z.string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(origin).min(1, 'at least one origin is required')),
  /**
   * The functions' public base URL, which the provider redirects to
   * (`<it>/sources/ga4/callback`). Defaults to SUPABASE_URL + /functions/v1; set it when
   * functions are served from a custom domain.
   */
  FUNCTIONS_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional()
    .transform((u) => u?.replace(/\/+$/, '')),
  SUPABASE_URL: z.url({ protocol: /^https?$/ }),
})

/** Every provider setting, for readiness: `configProblems(providersConfigSchema)`. */
export const providersConfigSchema = googleConfigSchema
  .extend(instagramConfigSchema.shape)
  .extend(oauthConfigSchema.shape)

export type GoogleConfig = z.infer<typeof googleConfigSchema>
export type InstagramConfig = z.infer<typeof instagramConfigSchema>
export type OAuthConfig = z.infer<typeof oauthConfigSchema>

/** Google's settings of this isolate; a ConfigError names what is missing. */
export function googleConfig(): GoogleConfig {
  return configOf(googleConfigSchema)
}

/** Instagram's settings of this isolate; a ConfigError names what is missing. */
export function instagramConfig(): InstagramConfig {
  return configOf(instagramConfigSchema)
}

/** The OAuth flows' shared settings of this isolate. */
export function oauthConfig(): OAuthConfig {
  return configOf(oauthConfigSchema)
}

/** Where a provider sends the browser back after consent, e.g. `…/sources/ga4/callback`. */
export function callbackUrl(provider: 'ga4' | 'instagram', cfg: OAuthConfig = oauthConfig()) {
  const base = cfg.FUNCTIONS_PUBLIC_URL ?? `${cfg.SUPABASE_URL.replace(/\/+$/, '')}/functions/v1`
  return `${base}/sources/${provider}/callback`
}
